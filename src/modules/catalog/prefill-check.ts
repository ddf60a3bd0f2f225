import type { FieldType, FormDefinition } from '../../forms/index.js';
import type { FieldProblem } from '../../kernel/http/index.js';
import type { PrefillSpec } from './definition.js';

/**
 * Field types that cannot hold a registry's value: a file is the person's upload, and a repeating
 * group's entries have no one registry item each. Every other type gets the registry value checked
 * against its own rules when it is filled in (src/modules/applications/prefill.ts).
 */
const NOT_PREFILLABLE: ReadonlySet<FieldType> = new Set(['file', 'repeating-group']);

/**
 * The references of a prefill section the schema cannot express: each mapped field is a top-level
 * field of the form, of a type that can hold a registry value, and mapped once.
 */
export function prefillProblems(prefill: PrefillSpec, form: FormDefinition): FieldProblem[] {
  const types = new Map(form.pages.flatMap((page) => page.fields.map((f) => [f.id, f.type] as const)));
  const seen = new Set<string>();
  return prefill.fields.flatMap(({ field }, i): FieldProblem[] => {
    const pointer = `/prefill/fields/${i}/field`;
    const type = types.get(field);
    if (type === undefined) return [{ pointer, message: 'catalog.problem.unknownField', detail: `the form has no field "${field}"`, params: { field } }];
    if (NOT_PREFILLABLE.has(type)) return [{ pointer, message: 'catalog.problem.notPrefillable', detail: `field "${field}" is a ${type} and cannot be filled from a registry`, params: { field, type } }];
    if (seen.has(field)) return [{ pointer, message: 'catalog.problem.duplicateId', detail: `field "${field}" is mapped twice`, params: { id: field } }];
    seen.add(field);
    return [];
  });
}

/**
 * The mapped items the prefill's data agreement does not list (docs/adr/0019): the agreement is
 * what the person consents to, or what the law allows, so nothing outside it may be read. The
 * agreement lives in the consent module; the catalog service passes its items in.
 */
export function prefillAgreementProblems(prefill: PrefillSpec, agreementItems: readonly string[]): FieldProblem[] {
  const allowed = new Set(agreementItems);
  return prefill.fields.flatMap(({ item }, i): FieldProblem[] => (allowed.has(item) ? [] : [{
    pointer: `/prefill/fields/${i}/item`, message: 'catalog.problem.itemNotInAgreement',
    detail: `item "${item}" is not among the items of the data agreement "${prefill.agreement}"`, params: { item, agreement: prefill.agreement },
  }]));
}
