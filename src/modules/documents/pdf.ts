import { PDFDocument, fill, popGraphicsState, pushGraphicsState, rectangle, rgb, setFillingRgbColor, type PDFFont, type PDFPage } from 'pdf-lib';
import QRCode from 'qrcode';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import type { LocalizedText } from '../catalog/service.js';
import { fontChain, type FontChain } from './font.js';
import { clusters, runs, runWidth, substitute, visualOrder, widthOf, type Run } from './typeset.js';
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
const BREAK_ANYWHERE = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303f]/u;

const DATE: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
};

/** Greedy line breaking by measured width: between any two ideographs, or at a space. */
function wrap(text: string, measure: (line: string) => number, width: number): string[] {
  const lines: string[] = [];
  for (const paragraph of text.split('\n')) {
    let line = '';
    for (const char of clusters(paragraph)) {
      const next = line + char;
      if (measure(next) <= width || line === '') { line = next; continue; }
      const space = line.lastIndexOf(' ');
      if (char !== ' ' && space > 0 && !BREAK_ANYWHERE.test(char)) {
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

/** A printed certificate, and how many characters no installed face has (drawn as 〓). */
export interface PrintedPdf { readonly bytes: Uint8Array; readonly unprintable: number }

interface PendingLine { readonly runs: readonly Run[]; readonly x: number; readonly y: number; readonly size: number; readonly colour: Colour }
type Colour = ReturnType<typeof rgb>;

/**
 * The certificate as a one-page A4 PDF in the reader's language, with the QR code to check it.
 * Text is set with the font chain run by run; lines are laid out first, then only the faces they
 * use are embedded (as subsets), then drawn. A character no face has is printed as 〓 and the page
 * says, in both languages, that the signed certificate is what counts.
 */
export async function renderCertificatePdf(input: PrintInput, chain: FontChain = fontChain()): Promise<PrintedPdf> {
  const t = (key: string, params?: Record<string, string>) => translate(input.locale, key, params);
  let unprintable = 0;
  const printable = (value: string): string => {
    const result = substitute(value, chain);
    unprintable += result.missing;
    return result.text;
  };
  const doc = await PDFDocument.create();
  const title = printable(input.title[input.locale]);
  const agencyName = printable(input.agencyName[input.locale]);
  const fields = input.fields.map((f) => ({ name: printable(f.name[input.locale]), value: printable(f.value[input.locale]) }));
  const reference = input.reference === null ? null : printable(input.reference);
  const address = printable(input.verifyUrl);
  doc.setTitle(input.title[input.locale]);
  doc.setAuthor(input.agencyName[input.locale]);
  doc.setSubject(input.verifyUrl);
  doc.setLanguage(input.locale);
  doc.setProducer('Tongban');
  doc.setCreationDate(input.issuedAt);
  doc.setModificationDate(input.issuedAt);

  const page = doc.addPage(A4);
  const pending: PendingLine[] = [];
  const lay = (value: string, x: number, top: number, size: number, width: number, colour: Colour, leading: number): number => {
    let y = top;
    for (const line of wrap(value, (s) => widthOf(s, size, chain), width)) {
      y -= size * leading;
      pending.push({ runs: visualOrder(runs(line, chain)), x, y, size, colour });
    }
    return y;
  };
  const width = A4[0] - 2 * MARGIN;
  let y = A4[1] - MARGIN;
  const text = (value: string, size: number, colour = INK) => { y = lay(value, MARGIN, y, size, width, colour, 1.4); };

  text(agencyName, 12, GREY);
  y -= 6;
  text(title, 22);
  y -= 10;
  page.drawLine({ start: { x: MARGIN, y }, end: { x: A4[0] - MARGIN, y }, thickness: 1, color: GREY });
  y -= 6;
  if (input.revokedAt) text(t('documents.pdf.revoked', { date: DATE[input.locale].format(input.revokedAt) }), 14, RED);
  text(t('documents.pdf.number', { id: input.id }), 10, GREY);
  if (reference !== null) text(t('documents.pdf.reference', { reference }), 10, GREY);
  text(t('documents.pdf.issued', { date: DATE[input.locale].format(input.issuedAt) }), 10, GREY);
  y -= 12;
  for (const field of fields) {
    text(field.name, 10, GREY);
    text(field.value, 13, INK);
    y -= 8;
  }
  if (unprintable > 0) {
    // Both languages: whoever reads the paper is told, whatever language it was printed in.
    const other: Locale = input.locale === 'en' ? 'zh-CN' : 'en';
    text(t('documents.pdf.unprintable'), 9, RED);
    text(translate(other, 'documents.pdf.unprintable'), 9, RED);
  }

  // The check: QR code bottom left, the words and the address beside it.
  const qrTop = MARGIN + 150;
  const side = drawQr(page, input.verifyUrl, MARGIN, qrTop);
  const besideX = MARGIN + side + 18;
  const besideWidth = A4[0] - MARGIN - besideX;
  let by = qrTop;
  for (const [value, size] of [[t('documents.pdf.checkHeading'), 12], [t('documents.pdf.checkBody'), 9], [address, 9]] as const) {
    by = lay(value, besideX, by, size, besideWidth, INK, 1.5) - 4;
  }

  // Only the faces the lines use are embedded, each as a subset.
  doc.registerFontkit(chain.fontkit);
  const fonts = new Map<number, PDFFont>();
  for (const face of new Set(pending.flatMap((line) => line.runs.map((run) => run.face)))) {
    fonts.set(face, await doc.embedFont(chain.placeholder(face), { subset: true }));
  }
  for (const line of pending) {
    let x = line.x;
    for (const run of line.runs) {
      const font = fonts.get(run.face);
      if (font) page.drawText(run.text, { x, y: line.y, size: line.size, font, color: line.colour });
      x += runWidth(run, line.size, chain);
    }
  }
  return { bytes: await doc.save(), unprintable };
}
