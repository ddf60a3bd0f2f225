import type { NumberField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, fieldError, normalized, postedString, rawString, reject } from './shared.js';
import { inputClass, SingleControl } from './view.js';

/** Digits with an optional sign and decimal point; thousands separators are dropped first. */
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

export const number: FieldModule<NumberField, number> = {
  type: 'number',
  options: {
    properties: { min: { type: 'number' }, max: { type: 'number' }, integer: { type: 'boolean' } },
  },
  answerSchema: () => ({ type: 'number' }),
  read: (_def, body, id) => postedString(body, id),
  parse: (_def, raw, at) => {
    const typed = normalized(rawString(raw)).replace(/[,\s，]/g, '');
    if (typed === '') return accept(undefined);
    const value = NUMBER.test(typed) ? Number(typed) : Number.NaN;
    return Number.isFinite(value) ? accept(value) : reject(fieldError(at, 'forms.number.format'));
  },
  toRaw: (_def, value) => String(value),
  validate: (def, value, at) => {
    if (def.integer && !Number.isInteger(value)) return [fieldError(at, 'forms.number.whole')];
    if (def.min !== undefined && value < def.min) return [fieldError(at, 'forms.number.min', { min: def.min })];
    if (def.max !== undefined && value > def.max) return [fieldError(at, 'forms.number.max', { max: def.max })];
    return [];
  },
  view: (props) => (
    <SingleControl field={props}>
      {(describedBy, hasError) => (
        <input class={inputClass('tb-input', hasError, '10')} id={props.at.id} name={props.at.id} type="text"
          inputMode={props.def.integer ? 'numeric' : 'decimal'} spellcheck={false} value={rawString(props.raw)} aria-describedby={describedBy} />
      )}
    </SingleControl>
  ),
  summary: (_def, value, locale) => value.toLocaleString(locale),
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.number.format', 'forms.number.whole', 'forms.number.min', 'forms.number.max', 'forms.view.optional', 'forms.view.errorPrefix'],
};
