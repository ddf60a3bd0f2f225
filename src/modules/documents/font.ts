import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import * as fontkit from 'fontkit';
import type { PDFDocument } from 'pdf-lib';
import { TongbanError } from '../../kernel/http/index.js';
import { DocumentsErrors } from './errors.js';

/**
 * The CJK font for certificate PDFs: Noto Sans CJK SC from Debian's fonts-noto-cjk, a .ttc
 * collection. Two problems, two answers (docs/adr/0020-verifiable-certificates.md):
 * - pdf-lib hands the whole file to fontkit, which answers a collection, not a font: the adapter
 *   below picks the Simplified Chinese face by its PostScript name;
 * - @pdf-lib/fontkit (a stale fork) writes CFF subsets of CID-keyed fonts that PDF readers reject
 *   (glyphs render blank), so upstream fontkit 2 subsets, and the adapter gives its subset the
 *   `encodeStream()` pdf-lib expects.
 * With subsetting a certificate carries only its own glyphs: tens of kilobytes, not 16 MB.
 */
const CANDIDATES: readonly { path: string; face?: string }[] = [
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', face: 'NotoSerifCJKsc-Regular' },
  { path: '/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf' },
  { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
];

type Subset = { encode(): Uint8Array; encodeStream?: () => Readable };
type FontObject = { createSubset(): Subset };

let loaded: { font: fontkit.Font; path: string } | undefined;

function load(): { font: fontkit.Font; path: string } {
  if (loaded) return loaded;
  const found = CANDIDATES.find((c) => existsSync(c.path));
  if (!found) {
    throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_FONT_MISSING, { detail: `No CJK font at ${CANDIDATES.map((c) => c.path).join(', ')} (install fonts-noto-cjk)` });
  }
  const created = fontkit.create(readFileSync(found.path), found.face);
  if (!('createSubset' in created)) throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_FONT_MISSING, { detail: `${found.path} has no face ${found.face ?? ''}` });
  const font = created;
  const original = (font as unknown as FontObject).createSubset.bind(font);
  (font as unknown as FontObject).createSubset = () => {
    const subset = original();
    subset.encodeStream = () => Readable.from([Buffer.from(subset.encode())]);
    return subset;
  };
  loaded = { font, path: found.path };
  return loaded;
}

type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

/** For `PDFDocument.registerFontkit`: whatever bytes pdf-lib passes, the font is the loaded face. */
export const cjkFontkit: Fontkit = { create: () => load().font as unknown as ReturnType<Fontkit['create']> };

/** Bytes for `embedFont`: pdf-lib wants some, the adapter ignores them. */
export const FONT_PLACEHOLDER = new Uint8Array([0]);

/** Loads the font now (a 16 MB parse), so the first download is not the slow one. */
export function fontPath(): string {
  return load().path;
}
