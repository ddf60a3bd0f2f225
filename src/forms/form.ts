import type { VNode } from 'preact';
import type { Locale } from '../kernel/i18n/index.js';
import { compileCore, type CompiledCore } from './compile.js';
import { renderPage, type RenderOptions } from './render.js';
import { summary, type SummaryRow } from './summary.js';
import { errorText } from './text.js';
import type { Answers, FieldError, FormContext, FormDefinition, JsonSchema, PageDefinition, Posted } from './types.js';
import { parsePage, readPage, validateAll, validatePage, type ParsedPage, type ReadPage } from './validate.js';

export interface CompiledForm {
  readonly definition: FormDefinition;
  readonly pages: readonly PageDefinition[];
  /** JSON Schema of the answers (by field id), for API clients that send answers as JSON. */
  readonly answersSchema: JsonSchema;
  visiblePages(answers: Answers, ctx: FormContext): PageDefinition[];
  /** The shown page after `pageId`, or undefined when the next step is "check your answers". */
  nextPage(pageId: string, answers: Answers, ctx: FormContext): string | undefined;
  /** The shown page before `pageId` (the back link), or undefined on the first page. */
  previousPage(pageId: string, answers: Answers, ctx: FormContext): string | undefined;
  /** The first shown page with a missing or wrong answer; undefined when all is complete. */
  firstIncompletePage(answers: Answers, ctx: FormContext): string | undefined;
  isComplete(answers: Answers, ctx: FormContext): boolean;
  /** The answers that count: those of shown fields on shown pages. */
  pruneAnswers(answers: Answers, ctx: FormContext): Answers;
  parsePage(pageId: string, body: Posted): ParsedPage;
  /** Parse, merge, prune and validate one POST of a page (what a page handler wants). */
  readPage(pageId: string, body: Posted, previous: Answers, ctx: FormContext): ReadPage;
  validatePage(pageId: string, answers: Answers, ctx: FormContext): FieldError[];
  validateAll(answers: Answers, ctx: FormContext): FieldError[];
  renderPage(pageId: string, options: RenderOptions): VNode;
  summary(answers: Answers, locale: Locale, ctx: FormContext): SummaryRow[];
  errorText(error: FieldError, locale: Locale): string;
}

function build(core: CompiledCore): CompiledForm {
  const visibleIds = (answers: Answers, ctx: FormContext) => new Set(core.walk(answers, ctx).pages.map((p) => p.def.id));
  // Steps by definition order, so a page that has just been hidden still has a next and a previous.
  const step = (pageId: string, answers: Answers, ctx: FormContext, direction: 1 | -1) => {
    const shown = visibleIds(answers, ctx);
    const ordered = direction === 1 ? core.pages : [...core.pages].reverse();
    const from = ordered.indexOf(core.page(pageId));
    return ordered.slice(from + 1).find((p) => shown.has(p.def.id))?.def.id;
  };
  const firstIncompletePage = (answers: Answers, ctx: FormContext) => {
    const error = validateAll(core, answers, ctx)[0];
    if (!error) return undefined;
    const fieldId = error.pointer.split('/')[1];
    return core.pages.find((p) => p.fields.some((f) => f.def.id === fieldId))?.def.id;
  };
  return {
    definition: core.definition,
    pages: core.definition.pages,
    answersSchema: {
      type: 'object',
      properties: Object.fromEntries(core.pages.flatMap((p) => p.fields.map((f) => [f.def.id, f.module.answerSchema(f.def)]))),
    },
    visiblePages: (answers, ctx) => core.walk(answers, ctx).pages.map((p) => p.def),
    nextPage: (pageId, answers, ctx) => step(pageId, answers, ctx, 1),
    previousPage: (pageId, answers, ctx) => step(pageId, answers, ctx, -1),
    firstIncompletePage,
    isComplete: (answers, ctx) => firstIncompletePage(answers, ctx) === undefined,
    pruneAnswers: (answers, ctx) => core.walk(answers, ctx).answers,
    parsePage: (pageId, body) => parsePage(core, pageId, body),
    readPage: (pageId, body, previous, ctx) => readPage(core, pageId, body, previous, ctx),
    validatePage: (pageId, answers, ctx) => validatePage(core, pageId, answers, ctx),
    validateAll: (answers, ctx) => validateAll(core, answers, ctx),
    renderPage: (pageId, options) => renderPage(core, pageId, options),
    summary: (answers, locale, ctx) => summary(core, answers, locale, ctx),
    errorText: (error, locale) => errorText(core.definition, error, locale),
  };
}

const byObject = new WeakMap<FormDefinition, CompiledForm>();
const byText = new Map<string, CompiledForm>();
const CACHE_SIZE = 200;

/**
 * Compiles a definition once (Ajv compiling costs milliseconds, validating microseconds). The
 * same object hits a WeakMap; an equal definition read again from the database hits a small
 * LRU keyed by its JSON text. Throws TB_FORMS_INVALID_DEFINITION for a definition with problems.
 */
export function compileForm(definition: FormDefinition): CompiledForm {
  const cached = byObject.get(definition);
  if (cached) return cached;
  const key = JSON.stringify(definition);
  let form = byText.get(key);
  if (form) byText.delete(key);
  else form = build(compileCore(definition));
  byText.set(key, form);
  if (byText.size > CACHE_SIZE) byText.delete(byText.keys().next().value as string);
  byObject.set(definition, form);
  return form;
}
