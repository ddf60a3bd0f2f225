import { translate, type Locale } from '../kernel/i18n/index.js';
import type { CompiledCore } from './compile.js';
import { isEmptyAnswer } from './fields/shared.js';
import type { Answers, FormContext } from './types.js';

export interface SummaryRow {
  readonly pageId: string;
  readonly fieldId: string;
  readonly label: string;
  /** Lines separated by `\n`; "Not provided" for an optional field left empty. */
  readonly value: string;
  /** Relative link to the page, at the field's first input: `<pageId>#<html id>`. */
  readonly changeHref: string;
}

/** Check-your-answers rows for every shown field, in page order. */
export function summary(core: CompiledCore, answers: Answers, locale: Locale, ctx: FormContext): SummaryRow[] {
  const walked = core.walk(answers, ctx);
  return walked.pages.flatMap((page) => (walked.fields.get(page.def.id) ?? []).map((field) => {
    const value = walked.answers[field.def.id];
    const shown = isEmptyAnswer(value) || !field.shape(value) ? translate(locale, 'forms.summary.notProvided') : field.module.summary(field.def, value, locale);
    return {
      pageId: page.def.id,
      fieldId: field.def.id,
      label: field.def.label[locale],
      value: shown,
      changeHref: `${page.def.id}#${field.module.firstInputId(field.def, field.at.id)}`,
    };
  }));
}
