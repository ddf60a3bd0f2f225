import { Ajv, type AnySchemaObject, type ErrorObject, type ValidateFunction } from 'ajv';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { sha256 } from '../../kernel/digest.js';
import { unsafePatterns } from '../../kernel/safe-patterns.js';
import { TongbanError, type FieldProblem } from '../../kernel/http/index.js';
import './errors.js';

/**
 * An event type's JSON Schema (draft-07, as the GovStack example, or 2020-12 when it says so) and
 * the check of each published event against it. Not strict: a schema may carry annotations of its own.
 */
const draft07 = new Ajv({ allErrors: true, strict: false });
const draft2020 = new Ajv2020({ allErrors: true, strict: false });
for (const ajv of [draft07, draft2020]) addFormats.default(ajv);

const compiled = new Map<string, ValidateFunction>();
const MAX_COMPILED = 1_000;

const invalid = (detail: string, pointer: string) =>
  new TongbanError('TB_MEDIATOR_PUBSUB_INVALID', { detail, fields: [{ pointer, message: 'kernel.error.fieldInvalid', detail }] });

function validatorOf(schema: AnySchemaObject): ValidateFunction {
  const text = JSON.stringify(schema);
  const key = sha256(text, 'hex');
  let validate = compiled.get(key);
  if (!validate) {
    const ajv = typeof schema.$schema === 'string' && schema.$schema.includes('2020-12') ? draft2020 : draft07;
    // A schema is compiled without being kept in the Ajv instance (no $id clashes between rooms).
    const { $id: _ignored, ...anonymous } = schema;
    validate = ajv.compile(anonymous);
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    compiled.set(key, validate);
  }
  return validate;
}

/**
 * The `schema` of a new event type: a JSON Schema object, or (as the GovStack spec's example
 * gives it) a string holding one. Refused with the field path when it is neither or does not compile.
 */
export function readSchema(value: unknown): AnySchemaObject {
  let schema = value;
  if (typeof schema === 'string') {
    try { schema = JSON.parse(schema); } catch { throw invalid('schema is a string that is not JSON', '/schema'); }
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) throw invalid('schema must be a JSON Schema object', '/schema');
  // Its patterns check other systems' events: none may backtrack without end.
  const unsafe = unsafePatterns(schema, '/schema');
  if (unsafe.length > 0) {
    throw new TongbanError('TB_MEDIATOR_PUBSUB_INVALID', {
      detail: unsafe.map((u) => u.detail).join('; '), fields: unsafe.map((u) => ({ pointer: u.pointer, message: 'kernel.error.fieldInvalid', detail: u.detail })),
    });
  }
  try {
    validatorOf(schema);
  } catch (error) {
    throw invalid(`schema does not compile: ${error instanceof Error ? error.message : String(error)}`, '/schema');
  }
  return schema;
}

const escape = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

function problemOf(error: ErrorObject): FieldProblem {
  const missing = (error.params as { missingProperty?: unknown }).missingProperty;
  const pointer = `/event${error.instancePath}${typeof missing === 'string' ? `/${escape(missing)}` : ''}`;
  const detail = error.message ?? 'is not valid';
  return { pointer, message: 'kernel.error.fieldInvalid', detail };
}

/** Refuses an event that does not match its type's schema, each problem with its path under `/event`. */
export function checkEvent(type: { schema: unknown; event_type: string }, event: unknown): void {
  const validate = validatorOf(type.schema as AnySchemaObject);
  if (validate(event)) return;
  const fields = (validate.errors ?? []).map(problemOf);
  throw new TongbanError('TB_MEDIATOR_EVENT_INVALID', { detail: `The event does not match the schema of ${type.event_type}`, fields });
}
