import type { VNode } from 'preact';
import { translate, type Locale } from '../kernel/i18n/index.js';
import type { CompiledCore } from './compile.js';
import { ACTION_FIELD } from './fields/repeating-group.js';
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
  const shown = walked.fields.get(pageId) ?? page.fields.filter((f) => !f.condition);
  const data = walked.data(walked.answers);
  const errors = options.errors ?? [];
  const hasGroup = shown.some((f) => f.def.type === 'repeating-group');
  return (
    <div class="tb-form-fields">
      {hasGroup ? (
        // Enter in a text box submits with the form's first button; without this one that would
        // be a group's "Remove". Hidden from sight and from assistive technology.
        <button type="submit" name={ACTION_FIELD} value="continue" class="tb-visually-hidden" tabIndex={-1} aria-hidden="true">{t('forms.view.continue')}</button>
      ) : null}
      {shown.map((field) => {
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
        });
      })}
    </div>
  );
}
