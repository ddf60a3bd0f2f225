import { BackLink, Button, Checkboxes, CSRF_FIELD, ErrorSummary, Layout, renderPage, type LayoutProps } from '../../ui/index.js';
import './messages.js';
import type { ClosingBlocker } from './service.js';

type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath'> & { readonly csrfToken: string; readonly user: { readonly name: string } };

export const CLOSE_PATH = '/account/close';
export const CLOSED_PATH = '/account/closed';

/**
 * `/account/close`: what closing does and keeps, then the form; while an application is in
 * progress, that list instead of the form (the account cannot be closed yet).
 */
export function renderClosePage(context: PageContext, blockers: readonly ClosingBlocker[], options: { error?: boolean } = {}): string {
  const { t, locale } = context;
  const title = t('identity.close.title');
  const error = options.error ? t('identity.close.confirmRequired') : undefined;
  return renderPage(
    <Layout {...context} title={title} hasErrors={error !== undefined} beforeContent={<BackLink href="/account" />}>
      {error ? <ErrorSummary errors={[{ fieldId: 'confirm', text: error }]} /> : null}
      <h1 class="tb-heading-l">{title}</h1>
      {blockers.length > 0 ? (
        <>
          <p class="tb-body">{t('identity.close.blocked')}</p>
          <ul class="tb-list">
            {blockers.map((b) => <li key={b.href}><a href={b.href}>{b.title[locale]} ({b.reference})</a></li>)}
          </ul>
        </>
      ) : (
        <>
          <h2 class="tb-heading-m">{t('identity.close.happens')}</h2>
          <ul class="tb-list tb-list--bullet">
            <li>{t('identity.close.happens.signOut')}</li>
            <li>{t('identity.close.happens.drafts')}</li>
            <li>{t('identity.close.happens.emails')}</li>
          </ul>
          <h2 class="tb-heading-m">{t('identity.close.kept')}</h2>
          <p class="tb-body">{t('identity.close.kept.text')}</p>
          <p class="tb-body">{t('identity.close.copyFirst')} <a href="/my-data/copy">{t('identity.account.copy')}</a>.</p>
          <p class="tb-body">{t('identity.close.reopen')}</p>
          <form method="post" action={CLOSE_PATH} noValidate>
            <input type="hidden" name={CSRF_FIELD} value={context.csrfToken} />
            <Checkboxes name="confirm" label={t('identity.close.confirmLegend')} error={error}
              items={[{ value: 'yes', text: t('identity.close.confirm') }]} />
            <Button variant="warning">{t('identity.close.submit')}</Button>
          </form>
        </>
      )}
    </Layout>,
  );
}

/** `/account/closed`: shown once, signed out, after closing. */
export function renderClosedPage(context: Omit<PageContext, 'user'>): string {
  const { t } = context;
  const title = t('identity.closed.title');
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('identity.closed.text')}</p>
      <p class="tb-body">{t('identity.close.reopen')}</p>
    </Layout>,
  );
}
