import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';

/**
 * One Ajv per compiled form: Ajv keeps every schema it compiled, so a shared instance would grow
 * with each new definition version; a per-form instance is collected with the form.
 * `$data` and the format keywords let conditions compare dates: `formatMaximum: { $data: '/$now' }`.
 */
export function newAjv(): Ajv {
  const ajv = new Ajv({ strict: false, allErrors: true, $data: true });
  formats.default(ajv, { keywords: true });
  return ajv;
}

export type { ErrorObject, ValidateFunction };
