import type { FontChain } from './font.js';

/**
 * Text into runs of one face each, for a font fallback chain (docs/adr/0020-verifiable-certificates.md):
 * a character no installed face has becomes 〓 (the geta mark, the typesetter's sign for a
 * character that cannot be shown) rather than an empty box, and is counted so the PDF can say so.
 */
export const GETA = '〓';

/** One stretch of text drawn with one face. */
export interface Run { readonly face: number; readonly text: string; readonly dir: Direction }
type Direction = 'rtl' | 'ltr' | 'neutral';

/** Marks, joiners and variation selectors stay with the character before them. */
const CLINGS = /^(?:\p{M}|\u200c|\u200d|[\ufe00-\ufe0f]|[\u{e0100}-\u{e01ef}])$/u;
/** Characters set one by one (a line may break between any two); other letters go by the word. */
const IDEOGRAPHIC = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\p{Script=Bopomofo}\u3000-\u303f\uff00-\uffef]/u;
const WORD = /^[\p{L}\p{M}\p{N}]/u;
const RTL = /[\p{Script=Arabic}\p{Script=Hebrew}\p{Script=Syriac}\p{Script=Thaana}\p{Script=Nko}]/u;
const STRONG_LTR = /[\p{L}\p{N}]/u;

/** A base character with the marks and selectors that cling to it. */
export function clusters(text: string): string[] {
  const out: string[] = [];
  for (const char of text) {
    if (out.length > 0 && CLINGS.test(char)) out[out.length - 1] += char;
    else out.push(char);
  }
  return out;
}

const firstCovering = (chain: FontChain, text: string): number => {
  for (let i = 0; i < chain.length; i += 1) if (chain.covers(i, text)) return i;
  return -1;
};

/** `text` with every character no face of the chain can draw replaced by 〓, and how many there were. */
export function substitute(text: string, chain: FontChain): { text: string; missing: number } {
  let missing = 0;
  const out = clusters(text).map((cluster) => {
    // Line breaks are the layout's; an invisible format character (a zero-width space, a
    // direction mark) no face has is left out rather than shown as missing.
    if (cluster === '\n') return cluster;
    if (firstCovering(chain, cluster) >= 0) return cluster;
    if (/^[\p{Cc}\p{Cf}]+$/u.test(cluster)) return '';
    missing += 1;
    return GETA;
  });
  return { text: out.join(''), missing };
}

/** How many characters of `texts` no face of the chain can draw. */
export function unprintableIn(texts: readonly string[], chain: FontChain): number {
  return texts.reduce((sum, text) => sum + substitute(text, chain).missing, 0);
}

const direction = (text: string): Direction => (RTL.test(text) ? 'rtl' : STRONG_LTR.test(text) ? 'ltr' : 'neutral');

/**
 * Runs in reading order. A word of an alphabet (Erdoğan, Łukasz, an Uyghur name) takes the first
 * face that has all its letters, so one word is never set in two designs; ideographs go one by one;
 * spaces and punctuation stay in the face before them when it has them. A run never mixes
 * right-to-left letters with left-to-right ones (fontkit lays out and reverses a run by its script).
 * Call on text that went through `substitute`: a character no face has is drawn in the first face.
 */
export function runs(text: string, chain: FontChain): Run[] {
  const tokens: string[] = [];
  let word = '';
  for (const cluster of clusters(text)) {
    if (WORD.test(cluster) && !IDEOGRAPHIC.test(cluster)) { word += cluster; continue; }
    if (word) { tokens.push(word); word = ''; }
    tokens.push(cluster);
  }
  if (word) tokens.push(word);

  const out: { face: number; text: string; dir: Direction }[] = [];
  for (const token of tokens) {
    const last = out[out.length - 1];
    const dir = direction(token);
    const neutral = dir === 'neutral' && !IDEOGRAPHIC.test(token);
    let face = neutral && last && chain.covers(last.face, token) ? last.face : firstCovering(chain, token);
    if (face < 0) {
      // No one face has the whole word: its characters one by one.
      if (clusters(token).length > 1) { for (const c of clusters(token)) out.push(...runs(c, chain)); continue; }
      face = 0;
    }
    if (last && last.face === face && (dir === 'neutral' || last.dir === 'neutral' || last.dir === dir)) {
      last.text += token;
      if (last.dir === 'neutral') last.dir = dir;
    } else {
      out.push({ face, text: token, dir });
    }
  }
  return merge(splitTrailingNeutrals(out));
}

/** Spaces after right-to-left letters belong to the left-to-right line, not inside the reversed run. */
function splitTrailingNeutrals(list: { face: number; text: string; dir: Direction }[]): { face: number; text: string; dir: Direction }[] {
  return list.flatMap((run) => {
    if (run.dir !== 'rtl') return [run];
    const match = /^(.*?)([\s\p{P}\p{S}]*)$/su.exec(run.text);
    const [, body = run.text, tail = ''] = match ?? [];
    return tail ? [{ ...run, text: body }, { face: run.face, text: tail, dir: 'neutral' as const }] : [run];
  });
}

function merge(list: Run[]): Run[] {
  const out: Run[] = [];
  for (const run of list) {
    const last = out[out.length - 1];
    if (last && last.face === run.face && last.dir === run.dir && run.dir !== 'rtl') out[out.length - 1] = { ...last, text: last.text + run.text };
    else out.push(run);
  }
  return out;
}

/**
 * Left-to-right drawing order: a stretch of right-to-left runs (with the spaces and punctuation
 * between them) is drawn last run first; fontkit has already reversed the glyphs inside each run.
 */
export function visualOrder(list: readonly Run[]): Run[] {
  const out: Run[] = [];
  let i = 0;
  while (i < list.length) {
    const run = list[i];
    if (!run || run.dir !== 'rtl') { if (run) out.push(run); i += 1; continue; }
    let end = i;
    for (let j = i + 1; j < list.length && list[j]?.dir !== 'ltr'; j += 1) if (list[j]?.dir === 'rtl') end = j;
    out.push(...list.slice(i, end + 1).reverse());
    i = end + 1;
  }
  return out;
}

/** The width of `text` at `size` points, each run measured with its own face. */
export function widthOf(text: string, size: number, chain: FontChain): number {
  return runs(text, chain).reduce((sum, run) => sum + runWidth(run, size, chain), 0);
}

export function runWidth(run: Run, size: number, chain: FontChain): number {
  const font = chain.face(run.face);
  if (!font) return 0;
  // Glyph advances without kerning: what the PDF's widths array gives a reader for pdf-lib's text.
  const units = font.layout(run.text).glyphs.reduce((sum, glyph) => sum + glyph.advanceWidth, 0);
  return (units * size) / font.unitsPerEm;
}
