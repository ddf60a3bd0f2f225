/**
 * The form engine: pure functions and Preact views, no database and no HTTP (ADR 0006).
 * A definition is pages of typed fields; conditions and rules are JSON Schemas over
 * `{ $form, $user, $now }`; each field type is one module in ./fields.
 */
import './messages.js';

export { compileForm, type CompiledForm } from './form.js';
export { definitionSchema } from './definition-schema.js';
export { ACCOUNT_FACT_TYPES, answersFromAccount, type AccountFact, type AccountFacts } from './account.js';
export { validateDefinition, type DefinitionProblem } from './definition.js';
export { FormsErrors } from './errors.js';
export { fieldModules, fieldModule, FIELD_TYPES } from './fields/registry.js';
export { ACTION_FIELD, addAction, removeAction } from './fields/repeating-group.js';
export { residentIdCheckCharacter, residentIdBirthDate, normaliseIdNumber } from './fields/resident-id.js';
export { todayIn, errorText } from './text.js';
export { formsMessages, type FormsMessageKey } from './messages.js';
export type { RenderOptions } from './render.js';
export type { SummaryRow } from './summary.js';
export type { ParsedPage, ReadPage, PageAction } from './validate.js';
export type { Money } from './fields/money.js';
export type { Address } from './fields/address.js';
export type { FileMeta } from './fields/file.js';
export type { OtherId } from './fields/other-id.js';
export type {
  Answers, Condition, FieldDefinition, FieldError, FieldType, FormContext, FormDefinition, JsonSchema, Option, PageDefinition,
  Posted, RawValue, RuleDefinition, SubFieldDefinition, Text, Translate,
} from './types.js';
