import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { TongbanError, type FieldProblem } from '../../kernel/http/index.js';
import type { LocalizedText, RegistryDefinition } from './definitions.js';
import { RegistriesErrors } from './errors.js';
import { sha256 } from '../../kernel/digest.js';
import { unsafePatterns } from '../../kernel/safe-patterns.js';

// Registry schemas may carry annotations of their own (`x-title`, and the GovStack Database API's
// `primaryKey`, `triggers`, `id`): not strict, so unknown keywords are ignored rather than refused.
const ajv = new Ajv({ allErrors: true, strict: false });
addFormats.default(ajv);

const compiled = new Map<string, ValidateFunction>();

/** Compiled once per distinct schema (compiling costs milliseconds, validating microseconds). */
function validatorOf(schema: Readonly<Record<string, unknown>>): ValidateFunction {
  const text = JSON.stringify(schema);
  const hash = sha256(text, 'hex');
  let validate = compiled.get(hash);
  if (!validate) {
    try {
      validate = ajv.compile(JSON.parse(text) as object);
    } catch (error) {
      throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_SCHEMA, { detail: error instanceof Error ? error.message : String(error), cause: error });
    }
    compiled.set(hash, validate);
  }
  return validate;
}

/** The schema's top-level properties: a registry's data items. */
export function propertiesOf(schema: Readonly<Record<string, unknown>>): Record<string, Record<string, unknown>> {
  const properties = schema.properties;
  return properties !== null && typeof properties === 'object' ? (properties as Record<string, Record<string, unknown>>) : {};
}

/** Checks a registry definition: its schema compiles, and its key and search fields are string properties. */
export function checkDefinition(definition: RegistryDefinition): void {
  // Its patterns check everyone's records: none may backtrack without end.
  const unsafe = unsafePatterns(definition.schema, '/schema');
  if (unsafe.length > 0) {
    throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_SCHEMA, {
      detail: unsafe.map((u) => u.detail).join('; '), fields: unsafe.map((u) => ({ pointer: u.pointer, message: 'registries.error.invalidSchema', detail: u.detail })),
    });
  }
  validatorOf(definition.schema);
  const properties = propertiesOf(definition.schema);
  for (const field of [definition.keyField, ...definition.searchFields, ...(definition.personField ? [definition.personField] : [])]) {
    if (!(field in properties)) {
      throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_SCHEMA, { detail: `"${field}" is not a property of the schema` });
    }
  }
  if (!/^[a-z][a-z0-9-]{1,40}$/.test(definition.code) || !/^[0-9A-Za-z.-]{1,20}$/.test(definition.version)) {
    throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_SCHEMA, { detail: 'a registry code is lower-case letters, digits and hyphens; a version is short' });
  }
}

/** Validates a record against a registry version's schema; problems point at the field. */
export function validateRecord(definition: RegistryDefinition, data: unknown): asserts data is Record<string, unknown> {
  const validate = validatorOf(definition.schema);
  if (validate(data)) {
    const key = (data as Record<string, unknown>)[definition.keyField];
    if (typeof key === 'string' && key.length > 0) return;
    throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_RECORD, {
      fields: [{ pointer: `/${definition.keyField}`, message: 'registries.error.keyMissing', detail: `${definition.keyField} is the record's key: give it as text` }],
    });
  }
  const fields: FieldProblem[] = (validate.errors ?? []).map((e) => {
    const missing = e.keyword === 'required' ? `/${String((e.params as { missingProperty?: string }).missingProperty ?? '')}` : '';
    const extra = e.keyword === 'additionalProperties' ? `/${String((e.params as { additionalProperty?: string }).additionalProperty ?? '')}` : '';
    return { pointer: `${e.instancePath}${missing}${extra}` || '/', message: 'registries.error.invalidValue', detail: e.message ?? e.keyword };
  });
  throw new TongbanError(RegistriesErrors.TB_REGISTRIES_INVALID_RECORD, { fields, detail: `The record does not match ${definition.code} version ${definition.version}` });
}

/** A data item's title in both languages (its `x-title`, else its name). */
export function itemTitle(schema: Readonly<Record<string, unknown>>, item: string): LocalizedText {
  const title = propertiesOf(schema)[item]?.['x-title'] as Partial<LocalizedText> | undefined;
  return { 'zh-CN': title?.['zh-CN'] ?? item, en: title?.en ?? item };
}
