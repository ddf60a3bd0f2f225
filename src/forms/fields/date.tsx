import type { DateField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, fieldError, isoDate, isRealDate, normalized, postedParts, rawPart, reject, splitIsoDate } from './shared.js';
import { FieldsetControl, inputClass } from './view.js';

const PARTS = ['day', 'month', 'year'] as const;
const MISSING = { day: 'forms.date.missingDay', month: 'forms.date.missingMonth', year: 'forms.date.missingYear' } as const;
/** Errors about one box only; any other date error marks all three. */
const PART_KEYS = new Set<string>([...Object.values(MISSING), 'forms.date.yearDigits']);

/** Summaries read "29 February 2024" in English and "2024年2月29日" in Chinese. */
const LONG_DATE = { en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }), 'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'UTC' }) };

export const date: FieldModule<DateField, string> = {
  type: 'date',
  options: {
    properties: {
      mustBe: { enum: ['past', 'future'] },
      autocomplete: { const: 'bday' },
    },
  },
  answerSchema: () => ({ type: 'string' }),
  read: (_def, body, id) => postedParts(body, id, PARTS),
  parse: (_def, raw, at) => {
    const typed = Object.fromEntries(PARTS.map((part) => [part, normalized(rawPart(raw, part))])) as Record<(typeof PARTS)[number], string>;
    const missing = PARTS.filter((part) => typed[part] === '');
    if (missing.length === PARTS.length) return accept(undefined);
    const first = missing[0];
    if (first !== undefined) return reject(fieldError(at, MISSING[first], {}, `${at.id}-${first}`));
    if (!/^\d{4}$/.test(typed.year)) {
      return reject(fieldError(at, /^\d+$/.test(typed.year) ? 'forms.date.yearDigits' : 'forms.date.real', {}, `${at.id}-year`));
    }
    if (!/^\d{1,2}$/.test(typed.day) || !/^\d{1,2}$/.test(typed.month)) return reject(fieldError(at, 'forms.date.real', {}, `${at.id}-day`));
    const [year, month, day] = [Number(typed.year), Number(typed.month), Number(typed.day)];
    if (!isRealDate(year, month, day)) return reject(fieldError(at, 'forms.date.real', {}, `${at.id}-day`));
    return accept(isoDate(year, month, day));
  },
  toRaw: (_def, value) => {
    const parts = splitIsoDate(value);
    return parts ? { day: String(parts.day), month: String(parts.month), year: String(parts.year) } : {};
  },
  validate: (def, value, at, ctx) => {
    if (!splitIsoDate(value)) return [fieldError(at, 'forms.date.real', {}, `${at.id}-day`)];
    const today = ctx.now.slice(0, 10);
    if (def.mustBe === 'past' && value >= today) return [fieldError(at, 'forms.date.past', {}, `${at.id}-day`)];
    if (def.mustBe === 'future' && value <= today) return [fieldError(at, 'forms.date.future', {}, `${at.id}-day`)];
    return [];
  },
  view: (props) => {
    // One wrong part is marked alone; an error about the whole date marks every part.
    const wrongIds = new Set(props.errors.map((e) => e.fieldId));
    const wholeDate = props.errors.some((e) => !PART_KEYS.has(e.messageKey));
    return (
      <FieldsetControl field={props} role="group">
        <div class="tb-date-input">
          {PARTS.map((part) => {
            const id = `${props.at.id}-${part}`;
            const hasError = wholeDate || wrongIds.has(id);
            return (
              <div class="tb-date-input__item">
                <label class="tb-label tb-date-input__label" for={id}>{props.t(`forms.view.${part}`)}</label>
                <input class={inputClass('tb-input tb-date-input__input', hasError, part === 'year' ? '4' : '2')} id={id} name={id} type="text"
                  inputMode="numeric" value={rawPart(props.raw, part)}
                  autocomplete={props.def.autocomplete ? `bday-${part}` : undefined} />
              </div>
            );
          })}
        </div>
      </FieldsetControl>
    );
  },
  summary: (_def, value, locale) => {
    const parts = splitIsoDate(value);
    if (!parts) return value;
    const day = new Date(Date.UTC(2000, parts.month - 1, parts.day));
    day.setUTCFullYear(parts.year);
    return LONG_DATE[locale].format(day);
  },
  firstInputId: (_def, id) => `${id}-day`,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.date.missingDay', 'forms.date.missingMonth', 'forms.date.missingYear', 'forms.date.yearDigits', 'forms.date.real', 'forms.date.past', 'forms.date.future', 'forms.view.day', 'forms.view.month', 'forms.view.year', 'forms.view.optional', 'forms.view.errorPrefix'],
};
