import type { VNode } from 'preact';
import { translate, type Locale } from '../kernel/i18n/index.js';
import type { CompiledCore, CompiledField } from './compile.js';
import { ACTION_FIELD } from './fields/repeating-group.js';
import { pageReveals } from './reveal.js';
import { errorText, todayIn } from './text.js';
import type { Answers, FieldError, FormContext, RawValue, Translate } from './types.js';

export interface RenderOptions {
  /** The answers so far: shown in the inputs, and what field conditions see. */
  readonly values: Answers;
  /** What was typed, after a POST with errors: wins over `values`. */
  readonly raw?: Readonly<Record<string, RawValue>>;
  readonly errors?: readonly FieldError[];
  readonly locale: Locale;
  readonly t?: Translate;
  readonly ctx?: FormContext;
}

/**
 * The fields of one page, without the page chrome (heading, error summary, buttons, `<form>`).
 * A page holding a file field needs `enctype="multipart/form-data"` on that form.
 */
export function renderPage(core: CompiledCore, pageId: string, options: RenderOptions): VNode {
  const { locale } = options;
  const t: Translate = options.t ?? ((key, params) => translate(locale, key, params));
  const ctx = options.ctx ?? { now: todayIn(new Date()) };
  const page = core.page(pageId);
  // Field conditions see the answers being shown, including this page's.
  const walked = core.walk(options.values, ctx);
  const shown = new Set(walked.fields.get(pageId) ?? page.fields.filter((f) => !f.condition));
  // Fields that hang on a choice on this page are always in the HTML, beneath that choice: the
  // page must work before anything is posted, without JavaScript (reveal.ts).
  const reveals = pageReveals(core, pageId, options.values, ctx);
  const rendered = page.fields.filter((f) => shown.has(f) || reveals.has(f.def.id));
  const placed = (f: CompiledField) => { const r = reveals.get(f.def.id); return r !== undefined && rendered.includes(r.choice); };
  const data = walked.data(walked.answers);
  const errors = options.errors ?? [];
  const hasGroup = rendered.some((f) => f.def.type === 'repeating-group');

  const view = (field: CompiledField, revealed?: ReadonlyMap<string, VNode>) => {
    const id = field.def.id;
    const typed = options.raw && Object.hasOwn(options.raw, id) ? options.raw[id] : undefined;
    const stored = options.values[id];
    const raw = typed ?? (stored !== undefined && field.shape(stored) ? field.module.toRaw(field.def, stored) : undefined);
    return field.module.view({
      def: field.def,
      at: field.at,
      raw,
      errors: errors.filter((e) => e.pointer === field.at.pointer || e.pointer.startsWith(`${field.at.pointer}/`)),
      required: core.isRequired(field, data),
      locale,
      t,
      errorText: (error) => errorText(core.definition, error, locale, t),
      reveals: revealed,
    });
  };

  /** What each option of `choice` reveals: the fields under it, after a hint naming the option(s). */
  const revealsUnder = (choice: CompiledField): ReadonlyMap<string, VNode> | undefined => {
    const mine = rendered.filter((f) => placed(f) && reveals.get(f.def.id)?.choice === choice);
    if (mine.length === 0) return undefined;
    const under = new Map<string, VNode>();
    for (const option of new Set(mine.map((f) => reveals.get(f.def.id)!.values[0]!))) {
      const fields = mine.filter((f) => reveals.get(f.def.id)!.values[0] === option);
      const values = new Set(fields.flatMap((f) => reveals.get(f.def.id)!.values));
      const names = optionLabels(choice, locale, t).filter((o) => values.has(o.value)).map((o) => o.label).join(' / ');
      under.set(option, (
        <>
          <p class="tb-hint">{t('forms.view.revealedBy', { choice: names })}</p>
          {fields.map((f) => view(f))}
        </>
      ));
    }
    return under;
  };

  return (
    <div class="tb-form-fields">
      {hasGroup ? (
        // Enter in a text box submits with the form's first button; without this one that would
        // be a group's "Remove". Hidden from sight and from assistive technology.
        <button type="submit" name={ACTION_FIELD} value="continue" class="tb-visually-hidden" tabIndex={-1} aria-hidden="true">{t('forms.view.continue')}</button>
      ) : null}
      {rendered.filter((f) => !placed(f)).map((field) => view(field, revealsUnder(field)))}
    </div>
  );
}

/** The options of a choice as posted and as shown. */
function optionLabels(choice: CompiledField, locale: Locale, t: Translate): { value: string; label: string }[] {
  const def = choice.def;
  if (def.type === 'yes-no') return [{ value: 'yes', label: t('forms.view.yes') }, { value: 'no', label: t('forms.view.no') }];
  if (def.type === 'single-choice' || def.type === 'multiple-choice') return def.options.map((o) => ({ value: o.value, label: o.label[locale] }));
  return [];
}
