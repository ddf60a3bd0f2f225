import type { FieldError, Posted, RawParts, RawValue } from '../types.js';
import type { Location, ParseResult } from './contract.js';

/** `messageKey` is a catalog key, or a form's own key for its rules. */
export function fieldError(at: Location, messageKey: string, params: Record<string, string | number> = {}, inputId = at.id): FieldError {
  return { fieldId: inputId, pointer: at.pointer, messageKey, params, subject: at.subject };
}

export function accept(value: undefined): ParseResult<never>;
export function accept<V>(value: V | undefined): ParseResult<V>;
export function accept<V>(value: V | undefined): ParseResult<V> {
  return { value, errors: [] };
}

export function reject<V>(...errors: FieldError[]): ParseResult<V> {
  return { value: undefined, errors };
}

/** The first string posted under `key`; bodies may carry arrays when a name repeats. */
export function postedString(body: Posted, key: string): string | undefined {
  const value = body[key];
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.find((v): v is string => typeof v === 'string');
  return undefined;
}

export function postedStrings(body: Posted, key: string): string[] | undefined {
  const value = body[key];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
  return undefined;
}

/** Reads `<id>-<part>` inputs; undefined when none of them was posted. */
export function postedParts(body: Posted, id: string, parts: readonly string[]): RawParts | undefined {
  const out: Record<string, string> = {};
  for (const part of parts) {
    const value = postedString(body, `${id}-${part}`);
    if (value !== undefined) out[part] = value;
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export function rawString(raw: RawValue | undefined): string {
  if (typeof raw === 'string') return raw;
  if (Array.isArray(raw)) return raw.find((v): v is string => typeof v === 'string') ?? '';
  return '';
}

export function rawStrings(raw: RawValue | undefined): string[] {
  if (typeof raw === 'string') return [raw];
  if (Array.isArray(raw)) return raw.filter((v): v is string => typeof v === 'string');
  return [];
}

export function rawPart(raw: RawValue | undefined, part: string): string {
  if (raw === undefined || typeof raw === 'string' || Array.isArray(raw)) return '';
  const value = (raw as RawParts)[part];
  return typeof value === 'string' ? value : '';
}

/**
 * Full-width digits, letters and signs typed with a Chinese input method become their ASCII
 * forms (NFKC), and surrounding space goes: `１２．３０` reads as `12.30`.
 */
export function normalized(text: string): string {
  return edgeTrimmed(text.normalize('NFKC'));
}

/**
 * Space and invisible characters at either end go: a zero-width space (U+200B), joiner or
 * non-joiner, word joiner or byte-order mark pasted alone is no answer. Inside the text they stay:
 * Uyghur and other scripts need the joiners.
 */
const EDGE = /^[\s\u200B-\u200D\u2060\uFEFF]+|[\s\u200B-\u200D\u2060\uFEFF]+$/g;
export function edgeTrimmed(text: string): string {
  return text.replace(EDGE, '');
}

/**
 * Free text as it is stored and compared: composed (NFC: `José` typed as e + U+0301 is the same
 * name, and counts as 4 characters), trimmed of space and invisible characters at either end.
 * Not NFKC: that would fold the CJK compatibility ideographs some people's names are written with.
 */
export function cleanText(text: string): string {
  return edgeTrimmed(text.normalize('NFC'));
}

/**
 * The separator in a transliterated name (阿依古丽·买买提) as the ID card prints it, U+00B7, for the
 * look-alikes input methods type: bullet, katakana middle dot, full-width full stop, hyphenation
 * point, bullet and dot operators; only between two characters of the name.
 */
const NAME_DOTS = /(?<=\S)\s*[\u2022\u30FB\uFF0E\u2027\u2219\u22C5\u00B7\uFF65]\s*(?=\S)/gu;
export function nameText(text: string): string {
  return cleanText(text).replace(NAME_DOTS, '\u00B7');
}

/** Without any space, dash or bracket: how people split phone and ID numbers. */
export function compact(text: string): string {
  return normalized(text).replace(/[\s\-–—()（）.]/g, '');
}

export function isBlank(raw: RawValue | undefined): boolean {
  if (raw === undefined) return true;
  if (typeof raw === 'string') return edgeTrimmed(raw) === '';
  if (Array.isArray(raw)) return (raw as readonly RawValue[]).every((item) => isBlank(item));
  return Object.values(raw as RawParts).every((v) => isBlank(v));
}

export function isRealDate(year: number, month: number, day: number): boolean {
  if (!Number.isInteger(year) || !Number.isInteger(month) || !Number.isInteger(day)) return false;
  if (year < 1 || month < 1 || month > 12 || day < 1) return false;
  const date = new Date(Date.UTC(year, month - 1, day));
  date.setUTCFullYear(year);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

export function isoDate(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function splitIsoDate(value: string): { year: number; month: number; day: number } | undefined {
  const match = ISO_DATE.exec(value);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return isRealDate(year, month, day) ? { year, month, day } : undefined;
}

/** Nothing answered: the engine's required check and the group's item check agree on this. */
export function isEmptyAnswer(value: unknown): boolean {
  return value === undefined || value === null || value === '' || (Array.isArray(value) && value.length === 0);
}
