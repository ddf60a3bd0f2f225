import { existsSync, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import * as fontkit from 'fontkit';
import type { PDFDocument } from 'pdf-lib';
import { TongbanError } from '../../kernel/http/index.js';
import { DocumentsErrors } from './errors.js';

/**
 * The fonts of certificate PDFs: a fallback chain, first face with a glyph wins
 * (docs/adr/0020-verifiable-certificates.md):
 * 1. Noto Sans CJK SC from Debian's fonts-noto-cjk (required: Chinese and basic Latin);
 * 2. DejaVu Sans (fonts-dejavu-core): Latin Extended, Greek, Cyrillic, Arabic (Uyghur names);
 * 3. HanaMinA and HanaMinB (fonts-hanazono): CJK Extension B and beyond (rare name characters).
 * Faces after the first are optional: one not installed is skipped. Two problems, two answers:
 * - pdf-lib hands the whole file to fontkit, which answers a collection for a .ttc, not a font: the
 *   adapter picks the face by its PostScript name;
 * - @pdf-lib/fontkit (a stale fork) writes CFF subsets of CID-keyed fonts that PDF readers reject
 *   (glyphs render blank), so upstream fontkit 2 subsets, and the adapter gives its subset the
 *   `encodeStream()` pdf-lib expects.
 * With subsetting a certificate carries only its own glyphs: tens of kilobytes, not 16 MB.
 */
export interface FaceSpec { readonly path: string; readonly face?: string }

export const DEFAULT_CHAIN: readonly (readonly FaceSpec[])[] = [
  [
    { path: '/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc', face: 'NotoSansCJKsc-Regular' },
    { path: '/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc', face: 'NotoSerifCJKsc-Regular' },
    { path: '/usr/share/fonts/opentype/noto/NotoSansCJKsc-Regular.otf' },
    { path: '/usr/share/fonts/truetype/wqy/wqy-microhei.ttc', face: 'WenQuanYiMicroHei' },
  ],
  [{ path: '/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf' }],
  [{ path: '/usr/share/fonts/truetype/hanazono/HanaMinA.ttf' }],
  [{ path: '/usr/share/fonts/truetype/hanazono/HanaMinB.ttf' }],
];

type Subset = { encode(): Uint8Array; encodeStream?: () => Readable };
type FontObject = { createSubset(): Subset };
type Fontkit = Parameters<PDFDocument['registerFontkit']>[0];

/** The installed faces of a chain, each opened (a parse of up to 30 MB) the first time it is asked for. */
export interface FontChain {
  /** How many places the chain has (installed or not). */
  readonly length: number;
  /** The face at `index`, or undefined when it is not installed (the first one is required). */
  face(index: number): fontkit.Font | undefined;
  /** Whether the face at `index` is installed and has a glyph for every code point of `text`. */
  covers(index: number, text: string): boolean;
  /** For `PDFDocument.registerFontkit`: the face is chosen by the placeholder bytes given to `embedFont`. */
  readonly fontkit: Fontkit;
  /** Bytes for `embedFont` that stand for the face at `index` (pdf-lib wants bytes; the adapter reads the index). */
  placeholder(index: number): Uint8Array;
}

function open(candidates: readonly FaceSpec[], required: boolean): fontkit.Font | undefined {
  const found = candidates.find((c) => existsSync(c.path));
  if (!found) {
    if (!required) return undefined;
    throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_FONT_MISSING, { detail: `No CJK font at ${candidates.map((c) => c.path).join(', ')} (install fonts-noto-cjk)` });
  }
  const created = fontkit.create(readFileSync(found.path), found.face);
  if (!('createSubset' in created)) {
    if (!required) return undefined;
    throw new TongbanError(DocumentsErrors.TB_DOCUMENTS_FONT_MISSING, { detail: `${found.path} has no face ${found.face ?? ''}` });
  }
  const font = created;
  const original = (font as unknown as FontObject).createSubset.bind(font);
  (font as unknown as FontObject).createSubset = () => {
    const subset = original();
    subset.encodeStream = () => Readable.from([Buffer.from(subset.encode())]);
    return subset;
  };
  return font;
}

/** Variation selectors are looked up with their base character (cmap format 14), never alone. */
const VARIATION_SELECTOR = /[\ufe00-\ufe0f\u{e0100}-\u{e01ef}]/u;

export function createFontChain(chain: readonly (readonly FaceSpec[])[] = DEFAULT_CHAIN): FontChain {
  const opened = new Map<number, fontkit.Font | undefined>();
  const face = (index: number): fontkit.Font | undefined => {
    if (!opened.has(index)) {
      const candidates = chain[index];
      opened.set(index, candidates ? open(candidates, index === 0) : undefined);
    }
    return opened.get(index);
  };
  return {
    length: chain.length,
    face,
    covers(index, text) {
      const font = face(index);
      if (!font) return false;
      for (const char of text) {
        if (!VARIATION_SELECTOR.test(char) && !font.hasGlyphForCodePoint(char.codePointAt(0) ?? 0)) return false;
      }
      return true;
    },
    fontkit: {
      create: (bytes: Uint8Array) => {
        const font = face(bytes[0] ?? 0);
        if (!font) throw new Error(`font ${bytes[0]} of the chain is not installed`);
        return font as unknown as ReturnType<Fontkit['create']>;
      },
    },
    placeholder: (index) => new Uint8Array([index]),
  };
}

let shared: FontChain | undefined;

/** The process's chain (the default faces), opened once. */
export function fontChain(): FontChain {
  shared ??= createFontChain();
  return shared;
}
