import type { CompiledForm, FieldError, FormContext, RawValue } from '../../forms/index.js';
import { Button, Layout, NotificationBanner, renderPage, TextInput } from '../../ui/index.js';
import { categoryMessage, lifeEventMessage, type Category, type LifeEvent } from '../catalog/service.js';
import { CsrfField, FieldErrorSummary, type PageContext } from './pages-shared.js';
import { COUNTER_PAGE } from './service.js';
import type { StaffLink } from './staff-links.js';

export interface HomeView {
  readonly categories: readonly { id: string; count: number }[];
  readonly lifeEvents: readonly { id: string; count: number }[];
  readonly signedIn: boolean;
  /** The back-office pages this person's staff roles open; empty for everyone else. */
  readonly work: readonly StaffLink[];
}

/** `/`: search, browse by category or life event, and the person's own links. Light: no images. */
export function renderHomePage(context: PageContext, view: HomeView): string {
  const { t } = context;
  const title = t('applications.home.title');
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-xl">{title}</h1>
      <p class="tb-body">{t('applications.home.lead')}</p>
      <form method="get" action="/services" role="search">
        <TextInput name="q" type="search" label={t('applications.home.searchLabel')} hint={t('applications.home.searchHint')} spellcheck={false} />
        <Button type="submit">{t('applications.home.search')}</Button>
      </form>
      {view.signedIn ? (
        <nav aria-labelledby="home-yours">
          <h2 class="tb-heading-m" id="home-yours">{t('applications.home.yours')}</h2>
          <ul class="tb-list">
            <li><a href="/applications">{t('applications.home.myApplications')}</a></li>
            <li><a href="/messages">{t('applications.home.messages')}</a></li>
            <li><a href="/documents">{t('applications.home.documents')}</a></li>
            <li><a href="/my-data/accesses">{t('applications.home.myData')}</a></li>
          </ul>
        </nav>
      ) : (
        <p class="tb-body"><a href="/auth/signin?returnTo=%2F">{t('applications.home.signIn')}</a> {t('applications.home.signInWhy')}</p>
      )}
      {view.work.length > 0 ? (
        <nav aria-labelledby="home-work">
          <h2 class="tb-heading-m" id="home-work">{t('applications.home.work')}</h2>
          <ul class="tb-list">
            {view.work.map((link) => <li key={link.href}><a href={link.href}>{t(link.label)}</a></li>)}
          </ul>
        </nav>
      ) : null}
        <nav aria-labelledby="home-categories">
          <h2 class="tb-heading-m" id="home-categories">{t('applications.home.categories')}</h2>
          <ul class="tb-list">
            {view.categories.map((c) => (
              <li key={c.id}><a href={`/services?category=${encodeURIComponent(c.id)}`}>{t(categoryMessage(c.id as Category))}</a></li>
            ))}
          </ul>
        </nav>
        <nav aria-labelledby="home-life-events">
          <h2 class="tb-heading-m" id="home-life-events">{t('applications.home.lifeEvents')}</h2>
          <ul class="tb-list">
            {view.lifeEvents.map((e) => (
              <li key={e.id}><a href={`/services?lifeEvent=${encodeURIComponent(e.id)}`}>{t(lifeEventMessage(e.id as LifeEvent))}</a></li>
            ))}
          </ul>
        </nav>
      <p class="tb-body"><a href="/services">{t('applications.home.all')}</a></p>
    </Layout>,
  );
}

/** `/counter`: the clerk names the person and the service; the pages that follow are the online ones. */
export function renderCounterPage(context: PageContext, view: { form: CompiledForm; errors: readonly FieldError[]; raw: Readonly<Record<string, RawValue>>; ctx: FormContext; saved?: boolean }): string {
  const { t, locale } = context;
  const title = t('applications.counter.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={view.errors.length > 0}>
      <FieldErrorSummary errors={view.errors} text={(e) => view.form.errorText(e, locale)} />
      {view.saved ? <NotificationBanner type="success"><p class="tb-body">{t('applications.counter.saved')}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('applications.counter.intro')}</p>
      <form method="post" action="/counter" noValidate>
        <CsrfField token={context.csrfToken} />
        {view.form.renderPage(COUNTER_PAGE, { values: {}, raw: view.raw, errors: view.errors, locale, t, ctx: view.ctx })}
        <Button type="submit">{t('applications.counter.start')}</Button>
      </form>
    </Layout>,
  );
}
