import type { Locale } from '../../kernel/i18n/index.js';

/** A register's name inside an English sentence ("from the population register"); Chinese has no case. */
export function inSentence(name: Readonly<Record<Locale, string>>, locale: Locale): string {
  const text = name[locale];
  return locale === 'en' ? text.charAt(0).toLowerCase() + text.slice(1) : text;
}
