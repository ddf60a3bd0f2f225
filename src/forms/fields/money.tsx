import { numberFormat } from '../../kernel/i18n/index.js';
import type { MoneyField } from '../types.js';
import type { FieldModule } from './contract.js';
import { accept, fieldError, normalized, postedString, rawString, reject } from './shared.js';
import { inputClass, SingleControl } from './view.js';

export interface Money {
  /** Minor units (fen for CNY), an integer. */
  readonly amount: number;
  readonly currency: string;
}

const AMOUNT = /^([+-]?)(\d+)(?:\.(\d*))?$/;
const SYMBOLS = /^(?:[¥￥$€£]|CNY|RMB|HKD|MOP|USD|EUR)\s*/i;

function currencyOf(def: MoneyField): string {
  return def.currency ?? 'CNY';
}

/** How many minor-unit digits a currency has (2 for CNY, 0 for JPY), from ISO 4217 via Intl. */
export function minorDigits(currency: string): number {
  return numberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** `1230` fen → `12.30`: the plain decimal people type, the same in every language. */
export function formatMinor(amount: number, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amount < 0 ? '-' : '';
  const text = String(Math.abs(amount)).padStart(digits + 1, '0');
  return digits === 0 ? `${sign}${text}` : `${sign}${text.slice(0, -digits)}.${text.slice(-digits)}`;
}

export const money: FieldModule<MoneyField, Money> = {
  type: 'money',
  options: {
    properties: {
      currency: { type: 'string', pattern: '^[A-Z]{3}$', default: 'CNY' },
      min: { type: 'integer', description: 'In minor units' },
      max: { type: 'integer', description: 'In minor units' },
    },
  },
  answerSchema: (def) => ({
    type: 'object',
    required: ['amount', 'currency'],
    additionalProperties: false,
    properties: { amount: { type: 'integer' }, currency: { const: currencyOf(def) } },
  }),
  read: (_def, body, id) => postedString(body, id),
  parse: (def, raw, at) => {
    const typed = normalized(rawString(raw)).replace(SYMBOLS, '').replace(/[,\s，]/g, '');
    if (typed === '') return accept(undefined);
    const match = AMOUNT.exec(typed);
    if (!match) return reject(fieldError(at, 'forms.money.format'));
    const currency = currencyOf(def);
    const digits = minorDigits(currency);
    const fraction = match[3] ?? '';
    if (fraction.length > digits) return reject(fieldError(at, 'forms.money.decimals', { digits }));
    // Whole and fractional parts are combined as integers: floats would turn 0.29 into 28.999….
    const minor = BigInt(match[2] ?? '0') * 10n ** BigInt(digits) + BigInt(fraction.padEnd(digits, '0') || '0');
    const amount = Number(match[1] === '-' ? -minor : minor);
    if (!Number.isSafeInteger(amount)) return reject(fieldError(at, 'forms.money.format'));
    return accept({ amount, currency });
  },
  toRaw: (_def, value) => formatMinor(value.amount, value.currency),
  validate: (def, value, at) => {
    const min = def.min ?? 0;
    if (value.amount < min) return [fieldError(at, 'forms.money.min', { min: formatMinor(min, value.currency) })];
    if (def.max !== undefined && value.amount > def.max) return [fieldError(at, 'forms.money.max', { max: formatMinor(def.max, value.currency) })];
    return [];
  },
  view: (props) => (
    <SingleControl field={props}>
      {(describedBy, hasError) => (
        <div class="tb-input__wrapper">
          <div class="tb-input__prefix" aria-hidden="true">{currencyOf(props.def) === 'CNY' ? '¥' : currencyOf(props.def)}</div>
          <input class={inputClass('tb-input', hasError, '10')} id={props.at.id} name={props.at.id} type="text"
            inputMode="decimal" spellcheck={false} value={rawString(props.raw)} aria-describedby={describedBy} />
        </div>
      )}
    </SingleControl>
  ),
  summary: (_def, value, locale) => {
    const digits = minorDigits(value.currency);
    return numberFormat(locale, { style: 'currency', currency: value.currency }).format(value.amount / 10 ** digits);
  },
  firstInputId: (_def, id) => id,
  requiredKey: 'forms.error.enter',
  messageKeys: ['forms.error.enter', 'forms.money.format', 'forms.money.decimals', 'forms.money.min', 'forms.money.max', 'forms.view.optional', 'forms.view.errorPrefix'],
};
