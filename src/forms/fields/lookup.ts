import { TongbanError } from '../../kernel/http/errors.js';
import { FormsErrors } from '../errors.js';
import type { FieldDefinition, FieldError, SubFieldDefinition } from '../types.js';
import type { FieldModule, Location, ValidationContext } from './contract.js';
import { fieldError, isEmptyAnswer } from './shared.js';

/** A field module seen from the engine, which only knows a definition and an unknown answer. */
export type AnyFieldModule = FieldModule<FieldDefinition, unknown>;

/** Fails loudly on a type the registry does not know: definitions come from a database as JSON. */
export function pick(modules: Readonly<Record<string, unknown>>, type: string): AnyFieldModule {
  const found = Object.hasOwn(modules, type) ? modules[type] : undefined;
  if (found === undefined) throw new TongbanError(FormsErrors.TB_FORMS_UNKNOWN_FIELD_TYPE, { detail: `Unknown field type "${type}"` });
  // The registry's mapped type ties each type to its module, so this narrowing is sound.
  return found as AnyFieldModule;
}

export function locationOf(def: FieldDefinition | SubFieldDefinition, pointer: string, id: string): Location {
  return { pointer, id, subject: def.errorName ?? def.label };
}

/** Required when missing, otherwise the type's own rules. Shape was checked before (Ajv). */
export function checkValue(module: AnyFieldModule, def: FieldDefinition, value: unknown, at: Location, required: boolean, ctx: ValidationContext): readonly FieldError[] {
  if (isEmptyAnswer(value)) return required ? [fieldError(at, module.requiredKey, {}, module.firstInputId(def, at.id))] : [];
  return module.validate(def, value, at, ctx);
}
