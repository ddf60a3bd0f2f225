import type { CompiledCore, CompiledField } from './compile.js';
import type { Answers, FormContext } from './types.js';

/** A field shown beneath an earlier choice on its own page (GOV.UK "conditional reveal"). */
export interface Reveal {
  readonly choice: CompiledField;
  /** The options (as posted: `yes`, `employment`) whose choosing makes the field's condition hold. */
  readonly values: readonly string[];
}

/** What choosing one option stores, for each type a field can be revealed by. */
function choicesOf(field: CompiledField): { readonly posted: string; readonly answer: unknown }[] {
  const def = field.def;
  if (def.type === 'yes-no') return [{ posted: 'yes', answer: true }, { posted: 'no', answer: false }];
  if (def.type === 'single-choice') return def.options.map((o) => ({ posted: o.value, answer: o.value }));
  if (def.type === 'multiple-choice') return def.options.map((o) => ({ posted: o.value, answer: [o.value] }));
  return [];
}

/**
 * The fields of a page that depend on a choice made on that same page, with the choice and the
 * options that reveal them. Without JavaScript a page cannot change as a radio is picked, so such
 * a field is in the HTML whatever is chosen, beneath the choice, and counts only when its
 * condition holds (the walk decides that, as for any field). A condition is tried, not read: it
 * is a JSON Schema, so the answers of the earlier pages plus one option at a time are put to it.
 * A field whose condition holds, or fails, whatever is chosen here depends on earlier pages only
 * and is left to the walk, as before.
 */
export function pageReveals(core: CompiledCore, pageId: string, answers: Answers, ctx: FormContext): ReadonlyMap<string, Reveal> {
  const page = core.page(pageId);
  const own = new Set(page.fields.map((f) => f.def.id));
  const before = core.walk(Object.fromEntries(Object.entries(answers).filter(([id]) => !own.has(id))), ctx);
  const reveals = new Map<string, Reveal>();
  if (!before.pages.includes(page)) return reveals;
  const earlier = before.answers;
  const holds = (field: CompiledField, extra: Answers) => !field.condition || field.condition(before.data({ ...earlier, ...extra }));
  page.fields.forEach((field, index) => {
    if (!field.condition || holds(field, {})) return;
    for (const choice of page.fields.slice(0, index)) {
      // A choice that is itself revealed would nest reveals, which GOV.UK advises against.
      if (reveals.has(choice.def.id) || !holds(choice, {})) continue;
      const values = choicesOf(choice).filter((c) => holds(field, { [choice.def.id]: c.answer })).map((c) => c.posted);
      if (values.length > 0) { reveals.set(field.def.id, { choice, values }); return; }
    }
  });
  return reveals;
}
