import { decodePDFRawStream, PDFArray, PDFDict, PDFDocument, PDFName, PDFRawStream, PDFRef, type PDFPage } from 'pdf-lib';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, signIn } from '../../kernel/auth/test-kit.js';
import { translate } from '../../kernel/i18n/index.js';
import { demoApp, PUBLIC_URL } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { createFontChain, DEFAULT_CHAIN, fontChain } from './font.js';
import { renderCertificatePdf, type PrintInput } from './pdf.js';
import { widthOf } from './typeset.js';
import { approvedSoleTrader } from './test-kit.js';

/** A rare name character (CJK Ext-B, HanaMinA), Latin Extended (DejaVu Sans), one more Ext-B (HanaMinB only). */
const NAME = '王𪚥 Erdoğan';
const NOBODY_HAS = '\u{10FFFD}';

const input = (value: string, locale: PrintInput['locale'] = 'zh-CN'): PrintInput => ({
  id: '6f1c0a52-3d0e-4c53-9d0a-6d7d3b1f0c11', locale,
  title: { 'zh-CN': '营业执照（个体工商户）', en: 'Business licence (individual business)' },
  agencyName: { 'zh-CN': '北京市市场监督管理局', en: 'Beijing Administration for Market Regulation' },
  reference: 'TB-2026-000001',
  fields: [{ name: { 'zh-CN': '经营者姓名', en: 'Operator' }, value: { 'zh-CN': value, en: value } }],
  issuedAt: new Date('2026-12-06T02:00:00Z'), verifyUrl: `${PUBLIC_URL}/verify/6f1c0a52-3d0e-4c53-9d0a-6d7d3b1f0c11`, revokedAt: null,
});

const deref = (doc: PDFDocument, o: unknown): unknown => (o instanceof PDFRef ? doc.context.lookup(o) : o);

/**
 * What a reader sees: each shown string decoded with its font's ToUnicode map, a line per text
 * position; also every glyph id drawn (0 is .notdef, the empty box) and the embedded faces.
 */
async function readBack(bytes: Uint8Array): Promise<{ lines: string[]; glyphIds: number[]; fonts: string[] }> {
  const doc = await PDFDocument.load(bytes);
  const page: PDFPage = doc.getPage(0);
  const resources = page.node.Resources()?.lookup(PDFName.of('Font'), PDFDict);
  const maps = new Map<string, Map<number, string>>();
  const fonts: string[] = [];
  const seen = new Set<unknown>();
  for (const [name, ref] of resources?.entries() ?? []) {
    const font = deref(doc, ref) as PDFDict;
    // pdf-lib names a font anew for each drawText: count each font once.
    if (!seen.has(ref)) fonts.push(font.get(PDFName.of('BaseFont'))?.toString() ?? '');
    seen.add(ref);
    const stream = deref(doc, font.get(PDFName.of('ToUnicode'))) as PDFRawStream;
    const cmap = Buffer.from(decodePDFRawStream(stream).decode()).toString('latin1');
    const map = new Map<number, string>();
    for (const [, cid = '', hex = ''] of cmap.matchAll(/<([0-9A-Fa-f]{4})> <([0-9A-Fa-f]+)>/g)) {
      map.set(parseInt(cid, 16), Buffer.from(hex, 'hex').swap16().toString('utf16le'));
    }
    maps.set(name.toString(), map);
  }
  const contents = page.node.Contents();
  const streams = contents instanceof PDFArray ? contents.asArray().map((r) => deref(doc, r)) : [contents];
  const text = streams.map((s) => (s instanceof PDFRawStream ? Buffer.from(decodePDFRawStream(s).decode()).toString('latin1') : '')).join('\n');
  const lines: string[] = [];
  const glyphIds: number[] = [];
  let font = new Map<number, string>();
  let lastY = '';
  for (const m of text.matchAll(/(\/\S+) [\d.]+ Tf|[-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ [-\d.]+ ([-\d.]+) Tm|<([0-9A-Fa-f]*)> Tj/g)) {
    if (m[1]) font = maps.get(m[1]) ?? new Map<number, string>();
    else if (m[2] !== undefined) { if (m[2] !== lastY) lines.push(''); lastY = m[2]; }
    else {
      const ids = (m[3]?.match(/.{4}/g) ?? []).map((h) => parseInt(h, 16));
      glyphIds.push(...ids);
      lines[lines.length - 1] += ids.map((id) => font.get(id) ?? '?').join('');
    }
  }
  return { lines, glyphIds, fonts };
}

const note = (locale: 'zh-CN' | 'en') => translate(locale, 'documents.pdf.unprintable');

describe('certificate PDF fonts: a fallback chain, 〓 for what no face has', () => {
  it(`prints ${NAME} (a CJK Ext-B name character, Latin Extended) with no empty box`, async () => {
    const { bytes, unprintable } = await renderCertificatePdf(input(`${NAME} 𡒄 Łukasz Wałęsa ئابدۇ`));
    expect(unprintable).toBe(0);
    const back = await readBack(bytes);
    expect(back.glyphIds.length).toBeGreaterThan(100);
    expect(back.glyphIds).not.toContain(0);
    // Drawn in visual order: the Uyghur word's letters right to left (read back reversed).
    expect(back.lines).toContain(`${NAME} 𡒄 Łukasz Wałęsa ${[...'ئابدۇ'].reverse().join('')}`);
    // Each face embedded only because it is used, as a subset (the size says so).
    for (const face of ['NotoSansCJKsc', 'HanaMinA', 'HanaMinB', 'DejaVuSans']) expect(back.fonts.some((f) => f.includes(face))).toBe(true);
    expect(bytes.length).toBeLessThan(250_000);
    expect(back.lines.join('\n')).not.toContain(note('en'));
  }, 60_000);

  it('embeds only the faces a certificate uses', async () => {
    const back = await readBack((await renderCertificatePdf(input('张伟'))).bytes);
    expect(back.fonts).toHaveLength(1);
    expect(back.fonts[0]).toContain('NotoSansCJKsc');
  }, 60_000);

  it('prints a character no installed face has as 〓, and says in both languages that the signed data counts', async () => {
    for (const locale of ['zh-CN', 'en'] as const) {
      const { bytes, unprintable } = await renderCertificatePdf(input(`张${NOBODY_HAS}伟`, locale));
      expect(unprintable).toBe(1);
      const back = await readBack(bytes);
      expect(back.glyphIds).not.toContain(0);
      expect(back.lines).toContain('张〓伟');
      const all = back.lines.join('');
      expect(all).not.toContain(NOBODY_HAS);
      expect(all).toContain(note('zh-CN').slice(0, 20));
      expect(all).toContain(note('en').slice(0, 40));
    }
  }, 60_000);

  it('skips a face that is not installed: its characters become 〓', async () => {
    const chain = createFontChain([DEFAULT_CHAIN[0] ?? [], [{ path: '/nonexistent/DejaVuSans.ttf' }], [{ path: '/nonexistent/HanaMinA.ttf' }]]);
    const { bytes, unprintable } = await renderCertificatePdf(input(NAME), chain);
    expect(unprintable).toBe(2);
    const back = await readBack(bytes);
    expect(back.lines).toContain('王〓 Erdo〓an');
    expect(back.glyphIds).not.toContain(0);
  }, 60_000);

  it('wraps a long value measured with the faces that draw it', async () => {
    const value = 'Łukasz Wałęsa Erdoğan Şükrü Çağlar Jiří Dvořák 𪚥𡒄 '.repeat(4).trim();
    const back = await readBack((await renderCertificatePdf(input(value))).bytes);
    const printed = back.lines.filter((l) => /[ŁĞğŞşřč𪚥𡒄]/u.test(l));
    expect(printed.length).toBeGreaterThan(1);
    // Lines break at a space (dropped) or between two ideographs.
    expect(printed.join('').replaceAll(' ', '')).toBe(value.replaceAll(' ', ''));
    for (const line of printed) expect(widthOf(line, 13, fontChain())).toBeLessThanOrEqual(595.28 - 2 * 56);
  }, 60_000);
});

const principal = (subject: string) => {
  const p = demoPersona(subject);
  return { accountId: p.accountId, kind: p.kind, name: p.name, roles: p.roles };
};

describeEachDatabase('certificate PDF fonts: issued certificates', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => { await built.app.close(); });
  const people = () => ({ citizen: principal('citizen'), officer: principal('officer') });
  const as = async (persona: string) => {
    const b = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(b, persona);
    return b;
  };

  it('approves a name with a character no font has; the officer is told, the download prints 〓 and logs the id only', async () => {
    const applicationId = await approvedSoleTrader(built, people(), `${NAME}${NOBODY_HAS}水果店`);
    const id = (await built.services.documents.forApplication(applicationId))?.id ?? '';
    expect(id).not.toBe('');
    const kase = (await (await as('officer')).get(`/backoffice/cases/${applicationId}?lang=en`)).body;
    expect(kase).toContain('Some characters of this certificate cannot be printed');
    const warn = vi.spyOn(built.kernel.log, 'warn');
    try {
      const res = await (await as('citizen')).get(`/documents/${id}/pdf?lang=en`);
      expect(res.statusCode).toBe(200);
      const back = await readBack(res.rawPayload);
      expect(back.lines).toContain(`${NAME}〓水果店`);
      const calls = warn.mock.calls.filter(([, message]) => String(message).includes('〓'));
      expect(calls).toHaveLength(1);
      expect(calls[0]?.[0]).toEqual({ certificateId: id, unprintable: 1 });
      expect(JSON.stringify(calls[0])).not.toContain('Erdoğan');
    } finally {
      warn.mockRestore();
    }
  }, 60_000);

  it(`prints ${NAME} whole, and the officer's panel has no such line`, async () => {
    const applicationId = await approvedSoleTrader(built, people(), `${NAME}水果店`);
    const id = (await built.services.documents.forApplication(applicationId))?.id ?? '';
    const kase = (await (await as('officer')).get(`/backoffice/cases/${applicationId}?lang=en`)).body;
    expect(kase).not.toContain('Some characters of this certificate cannot be printed');
    const res = await (await as('citizen')).get(`/documents/${id}/pdf?lang=zh-CN`);
    const back = await readBack(res.rawPayload);
    expect(back.lines).toContain(`${NAME}水果店`);
    expect(back.glyphIds).not.toContain(0);
  }, 60_000);
});
