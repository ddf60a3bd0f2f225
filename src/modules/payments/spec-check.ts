import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * Test support: the GovStack P2G bill operations' own schemas (spec/p2g-bills.json, parsed from
 * the copied YAML), so tests check our answers against what GovStack wrote.
 */
type Json = Record<string, unknown>;
const spec = JSON.parse(readFileSync(new URL('./spec/p2g-bills.json', import.meta.url), 'utf8')) as Record<string, Json>;
const ajv = new Ajv({ allErrors: true, strict: false });
// The spec's `int2` (a two-digit code) is not a JSON Schema format: checked as far as it says.
ajv.addFormat('int2', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= 0 && n < 100 });

const dig = (node: unknown, path: readonly string[]): unknown => path.reduce<unknown>((n, key) => (n && typeof n === 'object' ? (n as Json)[key] : undefined), node);

function compile(schema: unknown, where: string): ValidateFunction {
  if (!schema || typeof schema !== 'object') throw new Error(`The spec has no schema at ${where}`);
  return ajv.compile(schema);
}

/** The response schema of an operation: e.g. ('billInquiryRequest', '/bills/{billId}', 'get', '202'). */
export function specResponse(file: string, path: string, method: string, status: string): ValidateFunction {
  return compile(dig(spec[file], ['paths', path, method, 'responses', status, 'content', 'application/json', 'schema']), `${file} ${method} ${path} ${status}`);
}

/** The request body schema of an operation (also how the spec shapes the bill details PBB returns). */
export function specRequestBody(file: string, path: string, method: string): ValidateFunction {
  return compile(dig(spec[file], ['paths', path, method, 'requestBody', 'content', 'application/json', 'schema']), `${file} ${method} ${path} body`);
}

export function violations(validate: ValidateFunction, value: unknown): string[] {
  return validate(value) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}
