import type { FieldProblem } from './errors.js';

/** Deeper than any form or API body we accept; a body nested further is not walked to its end. */
const MAX_DEPTH = 32;

const escapePointer = (key: string) => key.replace(/~/g, '~0').replace(/\//g, '~1');

interface MultipartPart { readonly type: 'field' | 'file'; readonly fieldname: string; readonly value?: unknown; readonly filename?: unknown }

const isMultipartPart = (value: object): value is MultipartPart =>
  'fieldname' in value && 'type' in value && (value.type === 'field' || value.type === 'file');

/**
 * Where a parsed request body holds a NUL character in a text value or a key. PostgreSQL refuses
 * NUL in text and jsonb, so such a value would otherwise fail in whichever query it reached first
 * (a 500); the form fuzzing found four routes where it did (issue 9). Buffers (uploaded files) are
 * bytes, not text, and are not looked into.
 */
export function nulBytePointers(body: unknown): FieldProblem[] {
  const found: FieldProblem[] = [];
  const walk = (value: unknown, pointer: string, depth: number): void => {
    if (found.length >= 20 || depth > MAX_DEPTH) return;
    if (typeof value === 'string') {
      if (value.includes('\u0000')) found.push({ pointer: pointer || '/', message: 'kernel.error.nulCharacter', detail: 'contains a NUL character' });
      return;
    }
    if (value === null || typeof value !== 'object' || Buffer.isBuffer(value) || ArrayBuffer.isView(value)) return;
    if (isMultipartPart(value)) {
      // A multipart field's text is its value; a file's bytes are not text, but its name is.
      walk(value.type === 'field' ? value.value : value.filename, pointer, depth + 1);
      return;
    }
    if (Array.isArray(value)) {
      value.forEach((item, i) => { walk(item, `${pointer}/${i}`, depth + 1); });
      return;
    }
    for (const [key, item] of Object.entries(value)) {
      const at = `${pointer}/${escapePointer(key)}`;
      if (key.includes('\u0000')) found.push({ pointer: at, message: 'kernel.error.nulCharacter', detail: 'the name contains a NUL character' });
      walk(item, at, depth + 1);
    }
  };
  walk(body, '', 0);
  return found;
}
