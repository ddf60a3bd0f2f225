import { DEFAULT_LOCALE, isLocale, type Locale } from './catalog.js';

/** `zh`, `zh-Hans`, `zh-CN` → zh-CN; `en-GB` → en; anything else → undefined. */
export function matchLocale(tag: string): Locale | undefined {
  const lower = tag.trim().toLowerCase();
  if (lower.startsWith('zh')) return 'zh-CN';
  if (lower.startsWith('en')) return 'en';
  return undefined;
}

/** Picks by the `Accept-Language` header's q-values, the highest we speak. */
export function fromAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header.split(',').map((part, index) => {
    const [tag = '', ...rest] = part.split(';');
    const q = rest.map((p) => /^\s*q=([\d.]+)/.exec(p)?.[1]).find((v) => v !== undefined);
    return { tag, q: q === undefined ? 1 : Number(q), index };
  });
  ranked.sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag, q } of ranked) {
    if (q <= 0) continue;
    const locale = matchLocale(tag);
    if (locale) return locale;
  }
  return undefined;
}

/** The URL (`?lang=`) wins, then the switch (cookie), then the browser, then the default. */
export function negotiateLocale(input: { query?: string | undefined; cookie?: string | undefined; acceptLanguage?: string | undefined }): Locale {
  if (isLocale(input.query)) return input.query;
  if (isLocale(input.cookie)) return input.cookie;
  return fromAcceptLanguage(input.acceptLanguage) ?? DEFAULT_LOCALE;
}
