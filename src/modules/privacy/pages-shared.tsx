import type { VNode } from 'preact';
import { purposeIn } from '../../kernel/audit/index.js';
import { hasMessage, listFormat, type Locale } from '../../kernel/i18n/index.js';
import { CSRF_FIELD, type LayoutProps, type Translate } from '../../ui/index.js';
import { actionKey } from './actions.js';
import './messages.js';
import { PLATFORM_ORGANISATION, type Access } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

const DATE_TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
};

export const formatWhen = (at: Date, locale: Locale): string => DATE_TIME[locale].format(at);

export function When({ at, locale }: { at: Date; locale: Locale }): VNode {
  return <time dateTime={at.toISOString()}>{formatWhen(at, locale)}</time>;
}

export function CsrfField({ token }: { token: string | undefined }): VNode {
  return <input type="hidden" name={CSRF_FIELD} value={token ?? ''} />;
}

/** "Staff member 王芳, 北京市民政局": who acted, and for which organisation, in plain words. */
export function whoText(access: Access, t: Translate, locale: Locale): string {
  const actor = access.actor;
  const who = actor.kind === 'staff' ? (actor.name ? t('privacy.who.staffNamed', { name: actor.name }) : t('privacy.who.staff'))
    : actor.kind === 'client' ? t('privacy.who.client', { id: actor.id })
      : actor.kind === 'system' ? t('privacy.who.system')
        // "Acting for you" only where the record says so; else another person (one who checked a certificate of yours).
        : actor.kind === 'person' ? t(access.onBehalf ? 'privacy.who.person' : 'privacy.who.otherPerson') : t('privacy.who.anonymous');
  const organisation = !access.organisation ? undefined
    : access.organisation.code === PLATFORM_ORGANISATION ? t('privacy.who.platform') : (access.organisation.name?.[locale] ?? access.organisation.code);
  return organisation ? `${who}, ${organisation}` : who;
}

export const whatText = (access: Access, t: Translate): string => t(actionKey(access.action));

/** Why, in the reader's language when the platform stated it (ADR 60); as written when staff or a system typed it. */
export const whyText = (access: Access, t: Translate, locale: Locale): string =>
  access.purpose === undefined ? t('privacy.accesses.noPurpose') : purposeIn(access.purpose, locale);

/** The data items used, by their names where the platform has them ("Name and Household address"), else as recorded. */
export const itemsText = (access: Access, t: Translate, locale: Locale): string =>
  listFormat(locale, { type: 'conjunction' }).format(access.items.map((item) => (hasMessage(`consent.item.${item}`) ? t(`consent.item.${item}`) : item)));
