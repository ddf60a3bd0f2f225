import { PDFDocument, fill, popGraphicsState, pushGraphicsState, rectangle, rgb, setFillingRgbColor, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { LocalizedText } from '../catalog/service.js';
import { cjkFontkit, FONT_PLACEHOLDER } from './font.js';
import './messages.js';

/** What the printed certificate shows, in one language. */
export interface PrintInput {
  readonly id: string;
  readonly locale: Locale;
  readonly title: LocalizedText;
  readonly agencyName: LocalizedText;
  readonly reference: string | null;
  readonly fields: readonly { readonly name: LocalizedText; readonly value: LocalizedText }[];
  readonly issuedAt: Date;
  readonly verifyUrl: string;
  readonly revokedAt: Date | null;
}

const A4: [number, number] = [595.28, 841.89];
const MARGIN = 56;
const INK = rgb(0.05, 0.05, 0.05);
const GREY = rgb(0.3, 0.3, 0.3);
const RED = rgb(0.7, 0.1, 0.1);
const QR_MODULE = 3.5;

const DATE: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
};

/** Greedy line breaking by measured width: between any two CJK characters, or at a space. */
function wrap(text: string, font: PDFFont, size: number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const char of paragraph) {
      const next = line + char;
      if (font.widthOfTextAtSize(next, size) <= width || line === '') { line = next; continue; }
      const space = line.lastIndexOf(' ');
      if (char !== ' ' && space > 0 && !/[\u3000-\u9fff]/.test(char)) {
        lines.push(line.slice(0, space));
        line = line.slice(space + 1) + char;
      } else {
        lines.push(line);
        line = char === ' ' ? '' : char;
      }
    }
    lines.push(line);
  }
  return lines;
}

/**
 * The QR code as filled rectangles (one per run of dark modules in a row): vector, sharp at any
 * zoom, a few kilobytes. Returns the side length drawn.
 */
function drawQr(page: PDFPage, url: string, x: number, top: number): number {
  const { modules } = QRCode.create(url, { errorCorrectionLevel: 'M' });
  const ops = [pushGraphicsState(), setFillingRgbColor(0, 0, 0)];
  for (let row = 0; row < modules.size; row += 1) {
    let col = 0;
    while (col < modules.size) {
      if (!modules.get(row, col)) { col += 1; continue; }
      const start = col;
      while (col < modules.size && modules.get(row, col)) col += 1;
      ops.push(rectangle(x + start * QR_MODULE, top - (row + 1) * QR_MODULE, (col - start) * QR_MODULE, QR_MODULE));
    }
  }
  ops.push(fill(), popGraphicsState());
  page.pushOperators(...ops);
  return modules.size * QR_MODULE;
}

/** The certificate as a one-page A4 PDF in the reader's language, with the QR code to check it. */
export async function renderCertificatePdf(input: PrintInput): Promise<Uint8Array> {
  const t = (key: string, params?: Record<string, string>) => translate(input.locale, key, params);
  const doc = await PDFDocument.create();
  doc.registerFontkit(cjkFontkit);
  const font = await doc.embedFont(FONT_PLACEHOLDER, { subset: true });
  const title = input.title[input.locale];
  doc.setTitle(title);
  doc.setAuthor(input.agencyName[input.locale]);
  doc.setSubject(input.verifyUrl);
  doc.setLanguage(input.locale);
  doc.setProducer('Tongban');
  doc.setCreationDate(input.issuedAt);
  doc.setModificationDate(input.issuedAt);

  const page = doc.addPage(A4);
  const width = A4[0] - 2 * MARGIN;
  let y = A4[1] - MARGIN;
  const text = (value: string, size: number, colour = INK, indent = 0) => {
    for (const line of wrap(value, font, size, width - indent)) {
      y -= size * 1.4;
      page.drawText(line, { x: MARGIN + indent, y, size, font, color: colour });
    }
  };

  text(input.agencyName[input.locale], 12, GREY);
  y -= 6;
  text(title, 22);
  y -= 10;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: A4[0] - MARGIN, y }, thickness: 1, color: GREY });
  y -= 6;
  if (input.revokedAt) text(t('documents.pdf.revoked', { date: DATE[input.locale].format(input.revokedAt) }), 14, RED);
  text(t('documents.pdf.number', { id: input.id }), 10, GREY);
  if (input.reference) text(t('documents.pdf.reference', { reference: input.reference }), 10, GREY);
  text(t('documents.pdf.issued', { date: DATE[input.locale].format(input.issuedAt) }), 10, GREY);
  y -= 12;
  for (const field of input.fields) {
    text(field.name[input.locale], 10, GREY);
    text(field.value[input.locale], 13, INK);
    y -= 8;
  }

  // The check: QR code bottom left, the words and the address beside it.
  const qrTop = MARGIN + 150;
  const side = drawQr(page, input.verifyUrl, MARGIN, qrTop);
  const besideX = MARGIN + side + 18;
  const besideWidth = A4[0] - MARGIN - besideX;
  let by = qrTop;
  for (const [value, size] of [[t('documents.pdf.checkHeading'), 12], [t('documents.pdf.checkBody'), 9], [input.verifyUrl, 9]] as const) {
    for (const line of wrap(value, font, size, besideWidth)) {
      by -= size * 1.5;
      page.drawText(line, { x: besideX, y: by, size, font, color: INK });
    }
    by -= 4;
  }
  return doc.save();
}
