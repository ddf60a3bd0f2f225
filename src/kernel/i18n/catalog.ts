/** The languages Tongban speaks from day one. The first is the default. */
export const LOCALES = ['zh-CN', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
export const DEFAULT_LOCALE: Locale = 'zh-CN';

export function isLocale(value: unknown): value is Locale {
  return (LOCALES as readonly unknown[]).includes(value);
}

/** One area's messages: the same keys in every language, enforced by the type. */
export type Messages<K extends string> = { readonly [L in Locale]: Readonly<Record<K, string>> };

const catalog = new Map<string, Readonly<Record<Locale, string>>>();
const owners = new Map<string, string>();

/**
 * Adds an area's messages to the one catalog. Keys are global and prefixed by area
 * (`kernel.`, `ui.`, `catalog.`): registering a key twice from two areas is a bug.
 */
export function defineMessages<const K extends string>(area: string, messages: Messages<K>): Messages<K> {
  for (const key of Object.keys(messages.en) as K[]) {
    const owner = owners.get(key);
    if (owner !== undefined && owner !== area) throw new Error(`Message key ${key} is defined by ${owner} and ${area}`);
    owners.set(key, area);
    catalog.set(key, { en: messages.en[key], 'zh-CN': messages['zh-CN'][key] });
  }
  return messages;
}

export function allMessageKeys(): { key: string; area: string; texts: Readonly<Record<Locale, string>> }[] {
  return [...catalog.entries()].map(([key, texts]) => ({ key, area: owners.get(key) ?? '', texts }));
}

export function hasMessage(key: string): boolean {
  return catalog.has(key);
}

export type Params = Readonly<Record<string, string | number>>;

const pluralRules = new Map<Locale, Intl.PluralRules>(LOCALES.map((l) => [l, new Intl.PluralRules(l)]));

/**
 * Formats a message: `{name}` inserts a parameter (numbers formatted for the locale),
 * `{count, plural, one {# day} other {# days}}` picks by the locale's plural rules.
 * An unknown key renders as the key itself so a gap shows, and the i18n test fails on it.
 */
export function translate(locale: Locale, key: string, params: Params = {}): string {
  const template = catalog.get(key)?.[locale];
  if (template === undefined) return key;
  return format(locale, template, params);
}

function format(locale: Locale, template: string, params: Params): string {
  return template.replace(/\{(\w+)(?:,\s*plural,((?:[^{}]|\{[^{}]*\})*))?\}/g, (whole, name: string, plural?: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    if (plural === undefined) return typeof value === 'number' ? value.toLocaleString(locale) : value;
    const n = Number(value);
    const forms = new Map([...plural.matchAll(/(=\d+|\w+)\s*\{([^{}]*)\}/g)].map((m) => [m[1], m[2] ?? '']));
    const chosen = forms.get(`=${n}`) ?? forms.get(pluralRules.get(locale)?.select(n) ?? 'other') ?? forms.get('other') ?? '';
    return chosen.replaceAll('#', n.toLocaleString(locale));
  });
}
