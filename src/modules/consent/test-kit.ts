import { readFileSync } from 'node:fs';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';

/**
 * Test support: the GovStack Consent spec's own response schemas (spec/consent-openapi.yaml),
 * compiled with Ajv, so tests check Tongban's answers against what GovStack wrote.
 */
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

interface Spec { paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: Json }> }> }>>; components: { schemas: Json } }

const spec = parse(readFileSync(new URL('./spec/consent-openapi.yaml', import.meta.url), 'utf8')) as Spec;

/** OpenAPI 3.0 Schema Objects are nearly JSON Schema: examples, vendor keys and the spec's empty `format: ""` go. */
function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'example' || key.startsWith('x-') || (key === 'format' && value === '')) continue;
    out[key] = toJsonSchema(value);
  }
  return out;
}
const withRefs = (schema: Json): object => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"spec-consent#/definitions/')) as object;

const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false });
ajv.addSchema(withRefs({ $id: 'spec-consent', definitions: toJsonSchema(spec.components.schemas) }));
const compiled = new Map<string, ValidateFunction>();

/** The errors of `body` against the spec's 200 answer of `method path` (as the spec writes the path), as text. */
export function specViolations(path: string, method: string, body: unknown): string[] {
  const key = `${method} ${path}`;
  let validate = compiled.get(key);
  if (!validate) {
    const schema = spec.paths[path]?.[method]?.responses?.['200']?.content?.['application/json']?.schema;
    if (schema === undefined) throw new Error(`The spec declares no 200 JSON answer for ${key}`);
    validate = ajv.compile(withRefs(toJsonSchema(schema)));
    compiled.set(key, validate);
  }
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`);
}

/** Every operation of the spec, as `METHOD path`, to check that each one is answered. */
export function specOperations(): string[] {
  return Object.entries(spec.paths).flatMap(([path, ops]) => Object.keys(ops).filter((m) => ['get', 'post', 'put', 'delete'].includes(m)).map((m) => `${m.toUpperCase()} ${path}`));
}

/** True when the spec's 200 answer of `method path` declares no body (webhook delete, delete-all): only the status can be checked. */
export function specAnswersWithoutBody(path: string, method: string): boolean {
  const ok = spec.paths[path]?.[method]?.responses?.['200'];
  return ok !== undefined && ok.content === undefined;
}
