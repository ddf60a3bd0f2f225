import type { VNode } from 'preact';
import type { Locale } from '../../kernel/i18n/index.js';
import { CSRF_FIELD, type LayoutProps, type Translate } from '../../ui/index.js';
import { actionKey } from './actions.js';
import './messages.js';
import type { Access } from './service.js';

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
        : actor.kind === 'person' ? t('privacy.who.person') : t('privacy.who.anonymous');
  const organisation = access.organisation ? (access.organisation.name?.[locale] ?? access.organisation.code) : undefined;
  return organisation ? `${who}, ${organisation}` : who;
}

export const whatText = (access: Access, t: Translate): string => t(actionKey(access.action));
