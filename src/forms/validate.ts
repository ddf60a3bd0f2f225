import { fieldError } from './fields/shared.js';
import { checkValue } from './fields/lookup.js';
import { ACTION_FIELD } from './fields/repeating-group.js';
import type { CompiledCore, CompiledField, ConditionData } from './compile.js';
import type { Answers, FieldError, FormContext, Posted, RawValue } from './types.js';

export interface ParsedPage {
  /** The typed answers of this page's fields that were entered and could be read. */
  readonly answers: Readonly<Record<string, unknown>>;
  /** What was typed, by field id, to show back when the page has errors. */
  readonly raw: Readonly<Record<string, RawValue>>;
  /** Text that could not be read ("12.345" for money): reported before any other rule. */
  readonly errors: readonly FieldError[];
}

export function parsePage(core: CompiledCore, pageId: string, body: Posted): ParsedPage {
  const answers: Record<string, unknown> = {};
  const raw: Record<string, RawValue> = {};
  const errors: FieldError[] = [];
  for (const field of core.page(pageId).fields) {
    const typed = field.module.read(field.def, body, field.def.id);
    if (typed === undefined) continue;
    raw[field.def.id] = typed;
    const parsed = field.module.parse(field.def, typed, field.at);
    errors.push(...parsed.errors);
    if (parsed.value !== undefined) answers[field.def.id] = parsed.value;
  }
  return { answers, raw, errors };
}

/** Required, shape (for answers that came as JSON), the type's rules, then cross-field rules. */
export function validateField(field: CompiledField, value: unknown, data: ConditionData, core: CompiledCore): readonly FieldError[] {
  const ctx = { now: data.$now };
  const required = core.isRequired(field, data);
  if (value !== undefined && value !== null && !field.shape(value)) {
    return [fieldError(field.at, 'forms.error.check', {}, field.module.firstInputId(field.def, field.at.id))];
  }
  const own = checkValue(field.module, field.def, value, field.at, required, ctx);
  if (own.length > 0) return own;
  for (const rule of field.rules) {
    if (rule.when && !rule.when(data)) continue;
    if (!rule.schema(data)) return [fieldError(field.at, rule.def.message, {}, field.module.firstInputId(field.def, field.at.id))];
  }
  return [];
}

export function validatePage(core: CompiledCore, pageId: string, answers: Answers, ctx: FormContext): FieldError[] {
  core.page(pageId);
  const walked = core.walk(answers, ctx);
  const data = walked.data(walked.answers);
  return (walked.fields.get(pageId) ?? []).flatMap((field) => validateField(field, walked.answers[field.def.id], data, core));
}

export function validateAll(core: CompiledCore, answers: Answers, ctx: FormContext): FieldError[] {
  const walked = core.walk(answers, ctx);
  const data = walked.data(walked.answers);
  return walked.pages.flatMap((page) => (walked.fields.get(page.def.id) ?? []).flatMap((field) => validateField(field, walked.answers[field.def.id], data, core)));
}

export type PageAction = { readonly kind: 'add'; readonly field: string } | { readonly kind: 'remove'; readonly field: string; readonly index: number };

export interface ReadPage extends ParsedPage {
  /** All answers after this post: earlier ones, this page's, and none from pages now hidden. */
  readonly answers: Answers;
  /** Set when the person pressed "Add another" or "Remove": show the page again, without errors. */
  readonly action: PageAction | undefined;
  /**
   * The errors of fields whose posted answer was not kept: something was entered (or a stored
   * answer was cleared) but the answers still hold the one stored before. Blank fields never
   * answered are not in it: leaving them is not losing anything.
   */
  readonly notSaved: readonly FieldError[];
}

function actionOf(body: Posted): PageAction | undefined {
  const value = body[ACTION_FIELD];
  if (typeof value !== 'string') return undefined;
  const add = /^add:([A-Za-z][A-Za-z0-9_]*)$/.exec(value);
  if (add?.[1]) return { kind: 'add', field: add[1] };
  const remove = /^remove:([A-Za-z][A-Za-z0-9_]*):(\d{1,3})$/.exec(value);
  if (remove?.[1] && remove[2]) return { kind: 'remove', field: remove[1], index: Number(remove[2]) };
  return undefined;
}

/**
 * One POST of one page: parse, apply "add another"/"remove", merge into the earlier answers,
 * drop what is now hidden, validate. A field with an error keeps the answer stored before (or
 * none): an invalid answer never replaces a valid one, and the wrong one lives on in `raw`.
 */
export function readPage(core: CompiledCore, pageId: string, body: Posted, previous: Answers, ctx: FormContext): ReadPage {
  const page = core.page(pageId);
  const parsed = parsePage(core, pageId, body);
  const raw: Record<string, RawValue> = { ...parsed.raw };
  const typed: Record<string, unknown> = { ...parsed.answers };
  let action = actionOf(body);
  const group = page.fields.find((f) => f.def.type === 'repeating-group' && f.def.id === action?.field);
  if (!group) action = undefined;
  if (action && group) {
    const items = Array.isArray(raw[action.field]) ? [...(raw[action.field] as readonly RawValue[])] : [];
    const values = Array.isArray(typed[action.field]) ? [...(typed[action.field] as unknown[])] : [];
    if (action.kind === 'add') items.push({});
    else { items.splice(action.index, 1); values.splice(action.index, 1); }
    raw[action.field] = items as RawValue;
    if (values.length > 0) typed[action.field] = values;
    else delete typed[action.field];
  }

  const merged: Record<string, unknown> = { ...previous };
  for (const field of page.fields) {
    const id = field.def.id;
    if (typed[id] !== undefined) merged[id] = typed[id];
    else if (!(field.module.keepsAnswerWhenEmpty && parsed.errors.every((e) => !e.pointer.startsWith(`/${id}`)))) delete merged[id];
  }
  const walked = core.walk(merged, ctx);
  const answers = walked.answers;
  if (action) return { answers, raw, errors: [], action, notSaved: [] };

  const shown = walked.fields.get(pageId) ?? [];
  const data = walked.data(answers);
  const errors = shown.flatMap((field) => {
    const own = (e: FieldError) => e.pointer === field.at.pointer || e.pointer.startsWith(`${field.at.pointer}/`);
    const unreadable = parsed.errors.filter(own);
    const covered = new Set(unreadable.map((e) => e.pointer));
    return [...unreadable, ...validateField(field, answers[field.def.id], data, core).filter((e) => !covered.has(e.pointer))];
  });
  if (errors.length === 0) return { answers, raw, errors, action: undefined, notSaved: [] };
  const wrong = new Set(errors.map(fieldOf));
  const kept: Record<string, unknown> = { ...answers };
  for (const id of wrong) {
    if (previous[id] !== undefined) kept[id] = previous[id];
    else delete kept[id];
  }
  const entered = (id: string) => typed[id] !== undefined || parsed.errors.some((e) => fieldOf(e) === id);
  const notSaved = errors.filter((e) => entered(fieldOf(e)) || previous[fieldOf(e)] !== undefined);
  return { answers: core.walk(kept, ctx).answers, raw, errors, action: undefined, notSaved };
}

/** The top-level field an error is about: `dob` for `/dob`, `children` for `/children/0/name`. */
const fieldOf = (error: FieldError): string => error.pointer.split('/')[1] ?? '';
