import { translate, type Locale } from '../kernel/i18n/index.js';
import type { FieldError, FormDefinition, Translate } from './types.js';

/** "Date of birth" → "date of birth" mid-sentence; "ID number" keeps its capitals. */
export function lowerFirst(value: string): string {
  return /^[A-Z][a-z]/.test(value) ? value.charAt(0).toLowerCase() + value.slice(1) : value;
}

export function upperFirst(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

/**
 * The text of an error in a language: the catalog's message (or the form's own, for its rules)
 * with `{name}` and `{Name}` naming the field.
 */
export function errorText(definition: FormDefinition, error: FieldError, locale: Locale, t?: Translate): string {
  const subject = error.subject[locale];
  const params: Record<string, string | number> = { ...error.params, name: locale === 'en' ? lowerFirst(subject) : subject, Name: upperFirst(subject) };
  const own = definition.messages?.[error.messageKey];
  if (own) return own[locale].replace(/\{(\w+)\}/g, (whole, key: string) => String(params[key] ?? whole));
  return t ? t(error.messageKey, params) : translate(locale, error.messageKey, params);
}

const dayFormats = new Map<string, Intl.DateTimeFormat>();

/** Today's date in a time zone, `YYYY-MM-DD`: what `$now` and "in the past" compare against. */
export function todayIn(now: Date, timeZone = 'Asia/Shanghai'): string {
  // Building an Intl.DateTimeFormat costs far more than using one (it was 7 % of a submission's CPU).
  let format = dayFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dayFormats.set(timeZone, format);
  }
  const parts = format.formatToParts(now);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${part('year')}-${part('month')}-${part('day')}`;
}
