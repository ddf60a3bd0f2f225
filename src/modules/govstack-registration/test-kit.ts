import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { toJsonSchema, type Json } from '../../../test/helpers/openapi.js';

/**
 * Test support: the published spec's own response schemas, compiled with Ajv, so tests check our
 * answers against what GovStack wrote rather than against our TypeBox copy of it.
 */

const SPEC_FILES = { main: 'GovStack_Registration_BB_API.json', statistics: 'GovStack_Registration_BB_API_statistics.json' } as const;
export type SpecFile = keyof typeof SPEC_FILES;

export function loadSpec(file: SpecFile): { paths: Record<string, Record<string, Json>>; components: Record<string, Json> } {
  return JSON.parse(readFileSync(new URL(`./spec/${SPEC_FILES[file]}`, import.meta.url), 'utf8')) as never;
}

/** The spec's `#/components/schemas/X` references, pointed at the registered copy of its schemas. */
function withRefs(file: SpecFile, schema: Json): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"spec-${file}#/definitions/`)) as object;
}

// The spec leaves out `type: object` beside `required` in places: allowed, as JSON Schema allows it.
const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
addFormats.default(ajv);
// The spec's own format names, which JSON Schema does not define: checked as far as they say.
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31 });
ajv.addFormat('base64', /^[A-Za-z0-9+/]*={0,2}$/);
for (const file of Object.keys(SPEC_FILES) as SpecFile[]) {
  const schemas = (loadSpec(file).components.schemas ?? {}) as Json;
  ajv.addSchema(withRefs(file, { $id: `spec-${file}`, definitions: toJsonSchema(schemas) }));
}

const compiled = new Map<string, ValidateFunction>();

/**
 * The validator of one operation's response as the spec declares it: `path` and `method` as in
 * the spec, `status` the answer's status; the first media type's schema.
 */
export function specResponseValidator(file: SpecFile, path: string, method: string, status: string): ValidateFunction {
  const key = `${file} ${method} ${path} ${status}`;
  const cached = compiled.get(key);
  if (cached) return cached;
  const operation = loadSpec(file).paths[path]?.[method] as { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> } | undefined;
  const content = operation?.responses?.[status]?.content;
  const schema = content ? Object.values(content)[0]?.schema : undefined;
  if (schema === undefined) throw new Error(`The spec declares no response schema for ${key}`);
  const validate = ajv.compile(withRefs(file, toJsonSchema(schema)));
  compiled.set(key, validate);
  return validate;
}

/** The errors of `body` against the spec's response schema, as text (empty when it conforms). */
export function specViolations(file: SpecFile, path: string, method: string, status: string, body: unknown): string[] {
  const validate = specResponseValidator(file, path, method, status);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}
