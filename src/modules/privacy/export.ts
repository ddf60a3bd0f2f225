import { csvDocument } from '../../kernel/csv.js';
import { hasMessage, type Locale } from '../../kernel/i18n/index.js';
import type { Translate } from '../../ui/index.js';
import { itemsText, whatText, whoText, whyText } from './pages-shared.js';
import type { Access, PersonalDataCopy } from './service.js';

const COLUMNS = ['time', 'organisation', 'organisationName', 'actorKind', 'actor', 'who', 'action', 'what', 'why', 'items'] as const;

/**
 * The uses as CSV (RFC 4180, CRLF, with a BOM so spreadsheet programs read the Chinese right), for
 * the person to read: headings, kinds, purposes (ADR 60) and data items in the reader's language.
 * The codes stay beside them for reference; the JSON download is the machine-readable one.
 */
export function accessesCsv(accesses: readonly Access[], t: Translate, locale: Locale): string {
  const kind = (k: string) => (hasMessage(`privacy.filter.kind.${k}`) ? t(`privacy.filter.kind.${k}`) : k);
  return csvDocument(COLUMNS.map((c) => t(`privacy.csv.${c}`)), accesses.map((a) => [
    a.at.toISOString(), a.organisation?.code ?? '', a.organisation?.name?.[locale] ?? '', kind(a.actor.kind), a.actor.id,
    whoText(a, t, locale), a.action, whatText(a, t), a.purpose === undefined ? '' : whyText(a, t, locale), itemsText(a, t, locale),
  ]));
}

/** The uses as JSON: the same facts, with machine-readable names (`purpose` as recorded, `why` in the reader's language). */
export function accessesJson(accesses: readonly Access[], t: Translate, locale: Locale): unknown {
  return {
    accesses: accesses.map((a) => ({
      id: a.id, at: a.at.toISOString(), organisation: a.organisation ? { code: a.organisation.code, name: a.organisation.name ?? null } : null,
      actor: { kind: a.actor.kind, id: a.actor.id, name: a.actor.name ?? null }, who: whoText(a, t, locale),
      action: a.action, what: whatText(a, t), purpose: a.purpose ?? null, why: a.purpose === undefined ? null : whyText(a, t, locale), resource: a.resource ?? null, items: a.items,
    })),
  };
}

/** A format name and version, so that a program importing the copy knows what it reads. */
export const COPY_FORMAT = 'https://tongban.dev/formats/personal-data-copy/v1';

/** The person's copy of their data as a file: each section titled and explained in the reader's language. */
export function copyJson(copy: PersonalDataCopy, t: Translate, locale: Locale): unknown {
  return {
    format: COPY_FORMAT, generatedAt: copy.generatedAt.toISOString(), language: locale, title: t('privacy.copy.title'), about: t('privacy.copy.fileAbout'),
    sections: copy.sections.map((s) => ({ id: s.id, title: t(`privacy.copy.section.${s.id}`), about: t(`privacy.copy.section.${s.id}.about`), count: s.items.length, items: s.items })),
  };
}
