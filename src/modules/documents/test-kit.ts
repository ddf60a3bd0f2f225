import { decodePDFRawStream, PDFArray, PDFDocument, PDFRawStream, type PDFPage } from 'pdf-lib';
import * as jsQRModule from 'jsqr';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';

// jsqr is CommonJS with a `default` property beside the function: take the function either way.
type Decode = (data: Uint8ClampedArray, width: number, height: number) => { data: string } | null;
const jsQRDefault: unknown = jsQRModule.default;
const jsQR: Decode = typeof jsQRDefault === 'function' ? jsQRDefault as Decode : (jsQRDefault as { default: Decode }).default;

/** Test support: an approved application with a certificate, and reading a certificate PDF back. */

export const SOLE_TRADER = 'sole-trader-business-licence';
export const AMR = '110000-AMR';
export const BUSINESS_NAME = '张记水果店';

/** The applicant and the officer who decides (tests pass the demo personas). */
export interface People { readonly citizen: Principal; readonly officer: Principal }

/** Well-formed enough for the upload checks: the formats are sniffed from the first bytes. */
const pdf = (): Buffer => Buffer.from('%PDF-1.7\nlease\n%%EOF\n');
const jpeg = (): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(60, 2)]);

const ANSWERS = {
  operator: { operator_name: '张伟', operator_id_number: '110101199003072359', operator_phone: '13800138000' },
  business: {
    business_name: BUSINESS_NAME, organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
    business_scope: ['retail'], scope_detail: '销售新鲜水果', employees: 2, capital: { amount: 500000, currency: 'CNY' },
  },
};

/** 张伟 applies for the sole-trader licence (it comes with a certificate); returns the application id. */
export async function submitSoleTrader(built: Built, people: People, businessName = BUSINESS_NAME): Promise<string> {
  const { applications } = built.services;
  const draft = await applications.startOnline(SOLE_TRADER, people.citizen, 'zh-CN');
  const result = await applications.submitAnswers(draft.id, people.citizen, {
    answers: { ...ANSWERS, business: { ...ANSWERS.business, business_name: businessName } }, locale: 'zh-CN',
    uploads: [
      { fieldId: 'premises_proof', filename: 'lease.pdf', claimedType: 'application/pdf', content: pdf(), truncated: false },
      { fieldId: 'operator_id', filename: 'id.jpg', claimedType: 'image/jpeg', content: jpeg(), truncated: false },
    ],
  });
  if (!result.ok) throw new Error(`the test application was refused: ${JSON.stringify(result.errors)}`);
  return result.application.id;
}

/** The officer claims and decides the case. */
export async function decide(built: Built, applicationId: string, action: 'approve' | 'reject', people: People): Promise<void> {
  const { workflow } = built.services;
  await workflow.act(undefined, { caseId: applicationId, action: 'claim', actor: people.officer });
  await workflow.act(undefined, { caseId: applicationId, action, actor: people.officer, ...(action === 'reject' ? { reason: 'Premises not suitable' } : {}) });
}

export async function approvedSoleTrader(built: Built, people: People, businessName = BUSINESS_NAME): Promise<string> {
  const id = await submitSoleTrader(built, people, businessName);
  await decide(built, id, 'approve', people);
  return id;
}

function contentBytes(page: PDFPage): Uint8Array {
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((ref) => page.doc.context.lookup(ref)) : [contents];
  const parts = streams.map((s) => (s instanceof PDFRawStream ? decodePDFRawStream(s).decode() : new Uint8Array()));
  return Buffer.concat(parts);
}

/**
 * Reads the QR code back out of a certificate PDF: the dark modules are the `re` rectangles of
 * the page's content stream; they are laid on a pixel grid and decoded by jsQR, as a phone would.
 */
export async function readQrFromPdf(bytes: Uint8Array): Promise<string | undefined> {
  const doc = await PDFDocument.load(bytes);
  const page = doc.getPage(0);
  const text = Buffer.from(contentBytes(page)).toString('latin1');
  const rects = [...text.matchAll(/(-?[\d.]+) (-?[\d.]+) (-?[\d.]+) (-?[\d.]+) re/g)].map((m) => m.slice(1, 5).map(Number) as [number, number, number, number]);
  if (rects.length === 0) return undefined;
  const module = Math.min(...rects.map((r) => r[3]));
  const left = Math.min(...rects.map((r) => r[0]));
  const top = Math.max(...rects.map((r) => r[1] + r[3]));
  const size = Math.round((Math.max(...rects.map((r) => r[0] + r[2])) - left) / module);
  const quiet = 4;
  const scale = 6;
  const side = (size + 2 * quiet) * scale;
  const pixels = new Uint8ClampedArray(side * side * 4).fill(255);
  for (const [x, y, w, h] of rects) {
    const col0 = Math.round((x - left) / module);
    const cols = Math.round(w / module);
    const row0 = Math.round((top - (y + h)) / module);
    for (let col = col0; col < col0 + cols; col += 1) {
      for (let py = 0; py < scale; py += 1) {
        for (let px = 0; px < scale; px += 1) {
          const at = (((row0 + quiet) * scale + py) * side + (col + quiet) * scale + px) * 4;
          pixels[at] = 0; pixels[at + 1] = 0; pixels[at + 2] = 0;
        }
      }
    }
  }
  return jsQR(pixels, side, side)?.data;
}
