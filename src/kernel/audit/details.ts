import { canonicalJson } from './canonical.js';
import { sha256 } from '../digest.js';

/** The most an audit record's `details` may take, in UTF-8 bytes of its JSON (ADR 36). */
export const MAX_DETAILS_BYTES = 4096;

/** The key, at the top of `details`, that says what was cut (ADR 36). Modules may not use it. */
export const TRUNCATED_KEY = '_truncated';

/**
 * How many characters (Unicode code points) of a long string are kept, tried in this order: the
 * first at which the details fit wins. 64 is the floor: below it, the 100-odd bytes that record a
 * cut cost more than they save.
 */
export const KEPT_CHARACTERS = [1024, 256, 64] as const;

/** What is recorded for one cut string: its full length in characters and the SHA-256 (hex) of its UTF-8 bytes. */
export interface CutString { readonly length: number; readonly sha256: string }
/** What is recorded when even the cut strings did not fit: the size and SHA-256 of the whole details' canonical JSON. */
export interface CutWhole { readonly bytes: number; readonly sha256: string }

export type Fitted =
  | { readonly cut: 'none'; readonly details: Readonly<Record<string, unknown>> }
  | { readonly cut: 'strings'; readonly details: Readonly<Record<string, unknown>>; readonly strings: number }
  | { readonly cut: 'whole'; readonly details: Readonly<Record<string, unknown>>; readonly bytes: number };


/** UTF-8 bytes of `JSON.stringify(value)`; a string at most a third of the limit in UTF-16 units cannot exceed it. */
function sizeOf(value: unknown, limit: number): number {
  const json = JSON.stringify(value);
  return json.length * 3 <= limit ? json.length : Buffer.byteLength(json, 'utf8');
}

/** A JSON Pointer token (RFC 6901). */
const token = (key: string): string => key.replaceAll('~', '~0').replaceAll('/', '~1');

/**
 * A copy of `value` in which every string longer than `keep` characters is its first `keep`
 * characters (whole code points: a surrogate pair is never split); each cut is noted by its JSON
 * Pointer. Object keys are visited in sorted order, so the notes come out the same however the
 * details were built.
 */
function cutStrings(value: unknown, keep: number, pointer: string, notes: Record<string, CutString>): unknown {
  if (typeof value === 'string') {
    // Cheap test first: a string of at most `keep` UTF-16 units has at most `keep` code points.
    if (value.length <= keep) return value;
    const points = Array.from(value);
    if (points.length <= keep) return value;
    notes[pointer] = { length: points.length, sha256: sha256(value, 'hex') };
    return points.slice(0, keep).join('');
  }
  if (Array.isArray(value)) return value.map((item, i) => cutStrings(item, keep, `${pointer}/${i}`, notes));
  if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
    const record = value as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(record).sort()) out[key] = cutStrings(record[key], keep, `${pointer}/${token(key)}`, notes);
    return out;
  }
  return value;
}

/**
 * Details that fit in `limit` bytes, cut deterministically (ADR 36): unchanged when they fit;
 * else every string longer than 1024, then 256, then 64 characters keeps that many, and
 * `_truncated` maps each cut string's JSON Pointer to its full length and SHA-256; if even that
 * does not fit (the bulk is not in long strings: many keys or items), the details are replaced by
 * `{ _truncated: { "": { bytes, sha256 } } }` over their canonical JSON. The record stays honest
 * (it says what was cut) and checkable (whoever holds the original can hash it).
 */
export function fitDetails(details: Readonly<Record<string, unknown>>, limit: number = MAX_DETAILS_BYTES): Fitted {
  if (sizeOf(details, limit) <= limit) return { cut: 'none', details };
  for (const keep of KEPT_CHARACTERS) {
    const notes: Record<string, CutString> = {};
    const cut = cutStrings(details, keep, '', notes) as Record<string, unknown>;
    const strings = Object.keys(notes).length;
    if (strings === 0) continue;
    const fitted = { ...cut, [TRUNCATED_KEY]: notes };
    if (sizeOf(fitted, limit) <= limit) return { cut: 'strings', details: fitted, strings };
  }
  const canonical = canonicalJson(details);
  const bytes = Buffer.byteLength(canonical, 'utf8');
  return { cut: 'whole', details: { [TRUNCATED_KEY]: { '': { bytes, sha256: sha256(canonical, 'hex') } satisfies CutWhole } }, bytes };
}
