import fc from 'fast-check';

/** The part of a JSON Schema (as @fastify/swagger prints it) the generators follow. */
export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  format?: string;
}

/** Values that break naive code: huge, odd unicode, control characters, prototype keys. */
export const nasty = fc.oneof(
  fc.constantFrom('', ' ', '\u0000', '\u202e\u0041', '𠜎𠜱𠝹', '<script>alert(1)</script>', "'; DROP TABLE x;--", '../../etc/passwd', '__proto__', 'constructor', 'NaN', '-1', '1e309', '0x10'),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.integer({ min: 2000, max: 70000 }).map((n) => 'Ω'.repeat(n)),
);

const junk: fc.Arbitrary<unknown> = fc.oneof(
  nasty, fc.integer(), fc.double(), fc.boolean(), fc.constant(null),
  fc.anything({ maxDepth: 3, maxKeys: 4, withNullPrototype: false }),
  fc.array(nasty, { maxLength: 3 }),
);

function typed(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (alternatives?.length) return fc.oneof(...alternatives.map((s) => valueFor(s, depth)));
  if (schema.allOf?.length) return valueFor(Object.assign({}, ...schema.allOf) as Schema, depth);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (schema.format === 'uuid') return fc.uuid();
      if (schema.format === 'date') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
      if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      return fc.oneof(fc.string({ maxLength: 30 }), nasty);
    case 'integer': return fc.oneof(fc.integer({ min: -5, max: 1000 }), fc.integer());
    case 'number': return fc.oneof(fc.double({ noNaN: true }), fc.integer());
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': return depth > 3 ? fc.constant([]) : fc.array(valueFor(schema.items ?? {}, depth + 1), { maxLength: 4 });
    case 'object': return objectFor(schema, depth);
    default: return junk;
  }
}

function objectFor(schema: Schema, depth: number): fc.Arbitrary<unknown> {
  const props = Object.entries(schema.properties ?? {});
  if (depth > 3 || props.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 3 });
  const shape = Object.fromEntries(props.map(([k, s]) => [k, valueFor(s, depth + 1)]));
  // Either all required fields present (valid-ish) or any subset (missing fields), plus stray keys.
  return fc.tuple(
    fc.oneof(fc.record(shape, { requiredKeys: schema.required?.filter((k) => k in shape) ?? [] }), fc.record(shape, { requiredKeys: [] })),
    fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 2 }),
    fc.boolean(),
  ).map(([body, extra, addExtra]) => (addExtra ? { ...extra, ...body } : body));
}

/** Mostly schema-shaped values, sometimes the wrong type altogether. */
export function valueFor(schema: Schema, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ arbitrary: typed(schema, depth), weight: 4 }, { arbitrary: junk, weight: 1 });
}


/** A query string for the named parameters: schema-typed or junk, some left out. */
export function queryFor(params: { name: string; schema?: Schema }[]): fc.Arbitrary<string> {
  if (params.length === 0) return fc.constant('');
  const shape = Object.fromEntries(params.map((p) => [p.name, valueFor(p.schema ?? {}).map((v) => (typeof v === 'string' ? v : JSON.stringify(v) ?? ''))]));
  return fc.record(shape, { requiredKeys: [] }).map((q) => new URLSearchParams(q as Record<string, string>).toString());
}

/**
 * The first `n` code points of `s`: what `[...s].slice(0, n).join('')` gives, without first
 * spreading every code point of a 70,000-character `nasty` value into an array (the API fuzzing's
 * largest cost of its own, 2 % of a run's CPU and garbage to collect besides).
 */
export function firstCodePoints(s: string, n: number): string {
  let out = '';
  let count = 0;
  for (const point of s) {
    if (count === n) break;
    out += point;
    count += 1;
  }
  return out;
}

/**
 * Fastify answers a longer (encoded) path parameter with 414 before any handler runs (problem+json
 * through `frameworkErrors`, framework-errors.test.ts); kept under the limit so the fuzz reaches
 * the handlers.
 */
const MAX_PARAM = 16;

/**
 * A path parameter value: a UUID, a code-like string, or junk. Never "." or "..": URL
 * normalisation removes such a segment (RFC 3986 5.2.4), so the request would reach another route
 * (`/performance/agencies/./data.csv` is the page `/performance/agencies/data.csv`).
 */
export const pathValue = fc.oneof(fc.uuid(), fc.stringMatching(/^[A-Za-z0-9-]{1,20}$/), nasty.map((s) => firstCodePoints(s, MAX_PARAM)))
  .filter((v) => v !== '.' && v !== '..');
