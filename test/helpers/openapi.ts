/** JSON as read from a published OpenAPI file. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const ANNOTATIONS = new Set(['example', 'xml', 'nullable', 'readOnly', 'x-nullable']);

/**
 * OpenAPI 3.0 Schema Objects as JSON Schema, so tests check answers against the spec's own schemas
 * with Ajv: annotations and OpenAPI-only keywords go, `nullable` becomes a `null` type. Property
 * names are kept whatever they are (a property may be called `example`).
 */
export function toJsonSchema(node: Json): Json {
  if (Array.isArray(node)) return node.map(toJsonSchema);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, Json> = {};
  for (const [key, value] of Object.entries(node)) {
    if (ANNOTATIONS.has(key)) continue;
    out[key] = key === 'properties' && value !== null && typeof value === 'object' && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toJsonSchema(v)]))
      : toJsonSchema(value);
  }
  if (node.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  return out;
}
