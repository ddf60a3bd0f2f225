import { allMessageKeys, translate, type Locale, type Params } from '../i18n/index.js';

/**
 * Purposes the platform states itself (ADR 60). A module declares each as a message
 * `<area>.purpose.<name>` in both languages and writes its English text into the audit record: the
 * trail stays one readable text for auditors, exports and the GovStack usage answer, and "who used
 * my data" shows the person the text in their language. A purpose typed by staff or given by a
 * system (X-Road-Issue) is shown as it was written.
 */
export const purposeText = (key: string, params: Params = {}): string => translate('en', key, params);

interface Declared { readonly key: string; readonly pattern: RegExp; readonly names: readonly string[] }

let declared: readonly Declared[] = [];
let seen = -1;

/** The `*.purpose.*` messages as patterns over their English text (`{operation}` matches any text). */
function declaredPurposes(): readonly Declared[] {
  const entries = allMessageKeys().filter((entry) => entry.key.includes('.purpose.'));
  if (entries.length === seen) return declared;
  declared = entries.map(({ key, texts }) => {
    const names: string[] = [];
    const source = texts.en.split(/\{(\w+)\}/).map((part, i) => {
      if (i % 2 === 0) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(part);
      return '(.+?)';
    }).join('');
    return { key, pattern: new RegExp(`^${source}$`, 's'), names };
  });
  seen = entries.length;
  return declared;
}

/** A stored purpose in the reader's language when the platform declared it; otherwise as stored. */
export function purposeIn(stored: string, locale: Locale): string {
  for (const { key, pattern, names } of declaredPurposes()) {
    const match = pattern.exec(stored);
    if (!match) continue;
    return translate(locale, key, Object.fromEntries(names.map((name, i) => [name, match[i + 1] ?? ''])));
  }
  return stored;
}
