import type { FieldProblem } from '../../kernel/http/index.js';
import { validateDefinition, type FormDefinition } from '../../forms/index.js';

export interface FormCheck {
  readonly ok: boolean;
  /** Pointers are relative to the form; the caller prefixes `/form`. */
  readonly problems: readonly FieldProblem[];
  /** Ids of the form's fields, for references from the certificate. */
  readonly fieldIds: ReadonlySet<string>;
}

/** The e-form is the forms engine's business: the catalog only relays its verdict. */
export function checkForm(form: unknown): FormCheck {
  const problems = validateDefinition(form).map((p): FieldProblem => ({
    pointer: p.pointer, detail: p.message, message: 'catalog.problem.form', params: { detail: p.message },
  }));
  if (problems.length > 0) return { ok: false, problems, fieldIds: new Set() };
  const fieldIds = new Set((form as FormDefinition).pages.flatMap((page) => page.fields.map((field) => field.id)));
  return { ok: true, problems, fieldIds };
}
