export { LOCALES, DEFAULT_LOCALE, isLocale, defineMessages, translate, allMessageKeys, hasMessage, type Locale, type Messages, type Params } from './catalog.js';
export { negotiateLocale, fromAcceptLanguage, matchLocale } from './negotiate.js';
export { numberFormat, listFormat, dateTimeFormat } from './intl.js';
