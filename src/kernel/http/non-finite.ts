import type { FieldProblem } from './errors.js';

const MAX_DEPTH = 32;
/** Values looked at, at most: a body is walked once, never along a cycle or without end. */
const MAX_VALUES = 100_000;

interface MultipartPart { readonly type: 'field' | 'file'; readonly fieldname: string; readonly value?: unknown }
const isMultipartPart = (value: object): value is MultipartPart =>
  'fieldname' in value && 'type' in value && (value.type === 'field' || value.type === 'file');
const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

/**
 * Where validated request data holds a number that is not finite. Ajv's type coercion turns the
 * text "1e309" into Infinity and lets it through `integer` and `maximum` (JSON.parse does the same
 * for a body's 1e309), and PostgreSQL then refuses it in whichever query it reaches first: a 500.
 * The API fuzzing found one on PostgreSQL (issue 9). `part` prefixes the pointers (`/query/offset`),
 * as for Ajv's own errors; a body's pointers start at the root.
 */
export function nonFinitePointers(value: unknown, part: 'query' | 'params' | 'body'): FieldProblem[] {
  const found: FieldProblem[] = [];
  const seen = new WeakSet<object>();
  let budget = MAX_VALUES;
  const walk = (item: unknown, pointer: string, depth: number): void => {
    if (found.length >= 20 || depth > MAX_DEPTH || budget <= 0) return;
    budget -= 1;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) found.push({ pointer: pointer || '/', message: 'kernel.error.fieldInvalid', detail: 'must be a finite number' });
      return;
    }
    if (item === null || typeof item !== 'object' || Buffer.isBuffer(item) || ArrayBuffer.isView(item) || seen.has(item)) return;
    seen.add(item);
    // A multipart part links back to every other part (`fields`) and holds a stream: only a field's value is data.
    if (isMultipartPart(item)) {
      if (item.type === 'field') walk(item.value, pointer, depth + 1);
      return;
    }
    if (Array.isArray(item)) {
      item.forEach((entry, i) => { walk(entry, `${pointer}/${i}`, depth + 1); });
      return;
    }
    for (const [key, entry] of Object.entries(item)) walk(entry, `${pointer}/${escapePointer(key)}`, depth + 1);
  };
  walk(value, part === 'body' ? '' : `/${part}`, 0);
  return found;
}
