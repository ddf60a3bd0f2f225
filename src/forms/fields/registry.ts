import type { FieldDefinition, FieldType } from '../types.js';
import type { FieldModule } from './contract.js';
import { pick, type AnyFieldModule } from './lookup.js';
import { repeatingGroup } from './repeating-group.js';
import { subFieldModules } from './sub-registry.js';

// Each entry's value type differs; the registry only promises the definition type matches.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type ModuleFor<T extends FieldType> = FieldModule<Extract<FieldDefinition, { type: T }>, any>;

/**
 * The one map from field type to field module. Adding a type to `FieldDefinition` without a
 * module here is a compile error; a definition naming an unknown type fails at run time.
 */
export const fieldModules: { readonly [T in FieldType]: ModuleFor<T> } = {
  ...subFieldModules,
  'repeating-group': repeatingGroup,
};

export const FIELD_TYPES = Object.keys(fieldModules) as FieldType[];

export function fieldModule(type: string): AnyFieldModule {
  return pick(fieldModules, type);
}
