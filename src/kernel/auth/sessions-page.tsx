import type { VNode } from 'preact';
import { BackLink } from '../../ui/components/back-link.js';
import { Button } from '../../ui/components/button.js';
import { CSRF_FIELD } from '../../ui/components/header.js';
import { InsetText } from '../../ui/components/inset-text.js';
import { NotificationBanner } from '../../ui/components/notification-banner.js';
import { Table } from '../../ui/components/table.js';
import { Tag } from '../../ui/components/tag.js';
import { Layout, pageContext, type LayoutProps } from '../../ui/layout.js';
import { renderPage } from '../../ui/render.js';
import { dateTimeFormat } from '../i18n/intl.js';
import './messages.js';
import { reauthenticateHref } from './guards.js';
import type { SessionSummary } from './sessions.js';

export const SESSIONS_PATH = '/account/sessions';
export const END_SESSION_PATH = `${SESSIONS_PATH}/end`;
export const END_OTHER_SESSIONS_PATH = `${SESSIONS_PATH}/end-others`;

export type SessionsPageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

/** The page's context from the request (its language and address), the person's name and a CSRF token. */
export const sessionsPageContext = (request: Parameters<typeof pageContext>[0], name: string, csrfToken: string): SessionsPageContext =>
  ({ ...pageContext(request), user: { name }, csrfToken });
export type SessionsDone = { readonly ended: 'one' } | { readonly ended: 'others'; readonly count: number };

export interface SessionsPageData {
  readonly sessions: readonly SessionSummary[];
  /** The person proved who they are recently enough to end other sessions. */
  readonly mayEnd: boolean;
  readonly timeouts: { readonly idleMinutes: number; readonly absoluteHours: number };
  readonly done?: SessionsDone | undefined;
}

/**
 * Where the person is signed in (ASVS 5.0 7.5.2): every live session of their account, with the
 * one of this browser marked, and signing out any or all of the others, after signing in again.
 * Works without JavaScript: each sign-out is a small form.
 */
export function renderSessionsPage(ctx: SessionsPageContext, data: SessionsPageData): string {
  const { t } = ctx;
  const at = (d: Date) => dateTimeFormat(ctx.locale === 'zh-CN' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Asia/Shanghai' }).format(d);
  const others = data.sessions.filter((s) => !s.current);
  const endForm = (s: SessionSummary): VNode => (
    <form method="post" action={END_SESSION_PATH}>
      <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
      <input type="hidden" name="session" value={s.handle} />
      <Button variant="secondary">{t('auth.sessions.end')}<span class="tb-visually-hidden"> {t('auth.sessions.endWhich', { signedIn: at(s.createdAt) })}</span></Button>
    </form>
  );
  return renderPage(
    <Layout {...ctx} title={t('auth.sessions.title')} beforeContent={<BackLink href="/account" text={t('auth.sessions.back')} />}>
      {data.done ? (
        <NotificationBanner type="success">
          {data.done.ended === 'one' ? t('auth.sessions.done.one') : t('auth.sessions.done.others', { count: data.done.count })}
        </NotificationBanner>
      ) : null}
      <h1 class="tb-heading-xl">{t('auth.sessions.title')}</h1>
      <p class="tb-body">{t('auth.sessions.intro', data.timeouts)}</p>
      <Table caption={t('auth.sessions.caption', { count: data.sessions.length })} captionSize="m" firstCellIsHeader
        head={[t('auth.sessions.signedIn'), t('auth.sessions.lastActive'), t('auth.sessions.endsAt'), t('auth.sessions.action')]}
        rows={data.sessions.map((s) => [
          at(s.createdAt), at(s.lastSeenAt), at(s.endsAt),
          s.current ? <Tag>{t('auth.sessions.thisBrowser')}</Tag> : data.mayEnd ? endForm(s) : '',
        ])} />
      {others.length === 0 ? <p class="tb-body">{t('auth.sessions.onlyHere')}</p> : data.mayEnd ? (
        <form method="post" action={END_OTHER_SESSIONS_PATH}>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
          <Button variant="warning">{t('auth.sessions.endOthers')}</Button>
        </form>
      ) : (
        <>
          <InsetText>{t('auth.sessions.reauthenticate')}</InsetText>
          <Button href={reauthenticateHref(SESSIONS_PATH)}>{t('auth.sessions.signInAgain')}</Button>
        </>
      )}
    </Layout>,
  );
}
