import type { JsonSchema } from './types.js';
import { FIELD_TYPES, fieldModules } from './fields/registry.js';
import { subFieldModules } from './fields/sub-registry.js';
import { accountFactFor } from './account.js';

const ref = (name: string) => ({ $ref: `#/definitions/${name}` });

const common = {
  id: { type: 'string', pattern: '^[A-Za-z][A-Za-z0-9_]{0,63}$', description: 'Answer key; stem of HTML ids and input names' },
  label: ref('text'),
  hint: ref('text'),
  errorName: { ...ref('text'), description: 'How error messages name the field mid-sentence ("your date of birth")' },
  required: { type: 'boolean', default: true },
};
const conditional = {
  requiredIf: { ...ref('condition'), description: 'Required exactly when this holds' },
  condition: { ...ref('condition'), description: 'Shown, and its answer kept, only when this holds' },
};

/** `fromAccount` on the one top-level field type its fact fits (docs/adr/0070); never in a repeating group. */
function fromAccount(type: string): Readonly<Record<string, JsonSchema>> {
  const fact = accountFactFor(type);
  return fact ? { fromAccount: { const: fact, description: `Starts as the ${fact} on the signed-in person's account (their online drafts only; they can change it)` } } : {};
}

function fieldSchema(type: string, options: { properties: Readonly<Record<string, JsonSchema>>; required?: readonly string[] }, withConditions: boolean): JsonSchema {
  return {
    type: 'object',
    required: ['id', 'type', 'label', ...(options.required ?? [])],
    additionalProperties: false,
    properties: { ...common, ...(withConditions ? { ...conditional, ...fromAccount(type) } : {}), type: { const: type }, ...options.properties },
  };
}

/** Dispatch on `type` with if/then, so a mistake is reported against the right field type. */
function union(types: readonly string[], prefix: string): JsonSchema {
  return {
    type: 'object',
    required: ['type'],
    properties: { type: { enum: types } },
    allOf: types.map((type) => ({ if: { required: ['type'], properties: { type: { const: type } } }, then: ref(`${prefix}-${type}`) })),
  };
}

const subTypes = Object.keys(subFieldModules);

/** The JSON Schema of a form definition, published as docs/service-form.schema.json. */
export const definitionSchema = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'Tongban service form definition',
  description: 'Pages of fields with conditions and cross-field rules. Conditions are JSON Schemas evaluated against { $form, $user, $now }.',
  type: 'object',
  required: ['pages'],
  additionalProperties: false,
  properties: {
    $schema: { type: 'string' },
    pages: { type: 'array', minItems: 1, items: ref('page') },
    rules: { type: 'array', items: ref('rule') },
    messages: {
      type: 'object',
      description: 'Messages of this form\'s own rules',
      propertyNames: { pattern: '^form\\.[A-Za-z0-9_.-]+$' },
      additionalProperties: ref('text'),
    },
  },
  definitions: {
    text: {
      type: 'object',
      required: ['zh-CN', 'en'],
      additionalProperties: false,
      properties: { 'zh-CN': { type: 'string', minLength: 1 }, en: { type: 'string', minLength: 1 } },
    },
    condition: { type: ['object', 'boolean'], description: 'A JSON Schema (draft-07) over { $form, $user, $now }' },
    option: {
      type: 'object',
      required: ['value', 'label'],
      additionalProperties: false,
      properties: { value: { type: 'string', pattern: '^[A-Za-z0-9_.-]{1,64}$' }, label: ref('text'), hint: ref('text') },
    },
    page: {
      type: 'object',
      required: ['id', 'title', 'fields'],
      additionalProperties: false,
      properties: {
        id: { type: 'string', pattern: '^[a-z][a-z0-9-]{0,63}$' },
        title: ref('text'),
        condition: ref('condition'),
        fields: { type: 'array', minItems: 1, items: ref('field') },
      },
    },
    rule: {
      type: 'object',
      required: ['field', 'schema', 'message'],
      additionalProperties: false,
      properties: {
        field: { type: 'string', description: 'Id of the field the message is shown at' },
        schema: ref('condition'),
        message: { type: 'string', pattern: '^[a-z][A-Za-z0-9_.-]*$', description: 'A message key: built in, or one of this form\'s messages' },
        when: ref('condition'),
      },
    },
    field: union(FIELD_TYPES, 'field'),
    subField: union(subTypes, 'subField'),
    ...Object.fromEntries(FIELD_TYPES.map((type) => [`field-${type}`, fieldSchema(type, fieldModules[type].options, true)])),
    ...Object.fromEntries(subTypes.map((type) => [`subField-${type}`, fieldSchema(type, fieldModules[type as keyof typeof fieldModules].options, false)])),
  },
} as const;
