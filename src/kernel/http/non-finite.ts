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
  // Made at the first nested object, and pointers only for what is found: this runs on every
  // request (three times), and a flat query or a byte body needs neither.
  let seen: WeakSet<object> | undefined;
  const path: string[] = [];
  const prefix = part === 'body' ? '' : `/${part}`;
  let budget = MAX_VALUES;
  const walk = (item: unknown, depth: number): void => {
    if (found.length >= 20 || depth > MAX_DEPTH || budget <= 0) return;
    budget -= 1;
    if (typeof item === 'number') {
      if (!Number.isFinite(item)) found.push({ pointer: `${prefix}${path.map((key) => `/${escapePointer(key)}`).join('')}` || '/', message: 'kernel.error.fieldInvalid', detail: 'must be a finite number' });
      return;
    }
    if (item === null || typeof item !== 'object' || Buffer.isBuffer(item) || ArrayBuffer.isView(item)) return;
    if (depth > 0) {
      // The root goes in with the first nested object: a child that links back to it ends there.
      seen ??= new WeakSet<object>([value as object]);
      if (seen.has(item)) return;
      seen.add(item);
    }
    // A multipart part links back to every other part (`fields`) and holds a stream: only a field's value is data.
    if (isMultipartPart(item)) {
      if (item.type === 'field') walk(item.value, depth + 1);
      return;
    }
    const entries: [string, unknown][] = Array.isArray(item) ? item.map((entry, i) => [String(i), entry]) : Object.entries(item);
    for (const [key, entry] of entries) {
      path.push(key);
      walk(entry, depth + 1);
      path.pop();
    }
  };
  walk(value, 0);
  return found;
}
