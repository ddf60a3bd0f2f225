import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { todayIn } from '../../forms/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { Fee } from '../catalog/service.js';

export type FeeDue = 'before_decision' | 'after_decision';

/** What an application owes, from its service's fee and its answers; null when nothing. */
export interface FeeAmount { readonly amount: number; readonly currency: 'CNY'; readonly when: FeeDue }

// One Ajv for every rule: definitions are few and versions immutable, so the cache stays small.
const ajv = new Ajv({ strict: false, allErrors: false, $data: true });
formats.default(ajv, { keywords: true });
const compiled = new WeakMap<object, ValidateFunction>();

function holds(condition: Readonly<Record<string, unknown>> | boolean, answers: Readonly<Record<string, unknown>>, now: Date): boolean {
  if (typeof condition === 'boolean') return condition;
  let validate = compiled.get(condition);
  if (!validate) {
    validate = ajv.compile(condition);
    compiled.set(condition, validate);
  }
  // The same data the form engine's conditions see (STYLE 11), without the person: `$now` is
  // today in Shanghai, as for the form (between midnight and 08:00 the UTC date is yesterday).
  return validate({ $form: answers, $user: {}, $now: todayIn(now) });
}

/**
 * The fee for these answers: a fixed fee, or the first case of a rule whose condition holds
 * (else `otherwise`). Zero means nothing to pay.
 */
export function feeFor(fee: Fee, answers: Readonly<Record<string, unknown>>, now: Date): FeeAmount | null {
  if (fee.type === 'none') return null;
  const when = fee.when ?? 'before_decision';
  const amount = fee.type === 'fixed' ? fee.amount : (fee.cases.find((c) => holds(c.when, answers, now))?.amount ?? fee.otherwise);
  return amount > 0 ? { amount, currency: fee.currency, when } : null;
}

const FORMATS: Record<Locale, Intl.NumberFormat> = {
  'zh-CN': new Intl.NumberFormat('zh-CN', { style: 'currency', currency: 'CNY' }),
  en: new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'CNY' }),
};

/** Fen as money in the reader's language: `¥10.00` / `CN¥10.00`. */
export function formatMoney(fen: number, locale: Locale): string {
  return FORMATS[locale].format(fen / 100);
}

/** Yuan typed by a person (`12`, `12.5`, `12.50`) as fen; undefined when it is not an amount. */
export function parseYuan(text: string): number | undefined {
  const match = /^\s*(\d{1,9})(?:\.(\d{1,2}))?\s*$/.exec(text);
  if (!match) return undefined;
  return Number(match[1]) * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}
