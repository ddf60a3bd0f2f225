import type { Posted } from '../../forms/index.js';
import type { Upload } from './service.js';
import { field as firstField } from '../../kernel/http/query.js';

interface FieldPart { readonly type: 'field'; readonly value: unknown }
interface FilePart {
  readonly type: 'file';
  readonly fieldname: string;
  readonly filename: string;
  readonly mimetype: string;
  readonly file: { readonly truncated?: boolean };
  readonly _buf: Buffer | null;
}

const isPart = (value: unknown): value is FieldPart | FilePart =>
  typeof value === 'object' && value !== null && 'type' in value && (value.type === 'field' || value.type === 'file');

/**
 * A posted form as the form engine reads it, plus its files. An urlencoded body is already
 * strings; a multipart one (attachFieldsToBody) holds parts: fields become strings, files become
 * uploads with their bytes, name and claimed type (claims only; the service sniffs the bytes).
 */
export function readBody(body: unknown): { fields: Posted; uploads: Upload[] } {
  const fields: Record<string, string | string[]> = {};
  const uploads: Upload[] = [];
  if (typeof body !== 'object' || body === null) return { fields, uploads };
  for (const [name, entry] of Object.entries(body as Record<string, unknown>)) {
    const entries = Array.isArray(entry) ? (entry as unknown[]) : [entry];
    const values: string[] = [];
    for (const value of entries) {
      if (typeof value === 'string') values.push(value);
      else if (isPart(value) && value.type === 'field' && typeof value.value === 'string') values.push(value.value);
      else if (isPart(value) && value.type === 'file' && !uploads.some((u) => u.fieldId === name)) {
        uploads.push({
          fieldId: name, filename: value.filename, claimedType: value.mimetype,
          content: value._buf ?? new Uint8Array(), truncated: value.file.truncated === true,
        });
      }
    }
    if (values.length === 1) fields[name] = values[0]!;
    else if (values.length > 1) fields[name] = values;
  }
  return { fields, uploads };
}

/** A text field of a posted form; sent twice (a browser never does), the first value counts, as everywhere on the platform's pages. */
export function field(body: Posted, name: string): string | undefined {
  return firstField(body, name);
}
