import type { VNode } from 'preact';
import type { FieldProblem } from '../../kernel/http/index.js';
import { BackLink, Button, ErrorSummary, Layout, NotificationBanner, renderPage, Select, Table, Textarea, TextInput } from '../../ui/index.js';
import { CsrfField, formatWhen, When, whatText, whoText, whyText, itemsText, type PageContext } from './pages-shared.js';
import { ACTOR_KIND_FILTERS, type Access, type AccessFilters, type AccessPage } from './service.js';

export interface AccessesView {
  readonly page: AccessPage | undefined;
  readonly filters: AccessFilters;
  readonly errors: readonly FieldProblem[];
  readonly organisations: readonly { readonly code: string; readonly name: string }[];
  readonly emailOnUse: boolean;
  readonly banner?: 'notice-saved' | undefined;
}

const filterQuery = (filters: AccessFilters): string => {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) if (typeof value === 'string' && value !== '') params.set(name, value);
  return params.toString();
};

function errorFor(errors: readonly FieldProblem[], field: string, t: PageContext['t']): string | undefined {
  const found = errors.find((e) => e.pointer === `/${field}`);
  return found ? t(found.message) : undefined;
}

function Filters({ context, view }: { context: PageContext; view: AccessesView }): VNode {
  const { t } = context;
  const { filters, errors } = view;
  return (
    <form method="get" action="/my-data/accesses" class="tb-filter" noValidate>
      <h2 class="tb-heading-m">{t('privacy.filter.heading')}</h2>
      <TextInput name="from" label={t('privacy.filter.from')} hint={t('privacy.filter.dateHint')} value={filters.from ?? ''} error={errorFor(errors, 'from', t)} width={10} />
      <TextInput name="to" label={t('privacy.filter.to')} hint={t('privacy.filter.dateHint')} value={filters.to ?? ''} error={errorFor(errors, 'to', t)} width={10} />
      <Select name="organisation" label={t('privacy.filter.organisation')} value={filters.organisation ?? ''} error={errorFor(errors, 'organisation', t)}
        items={[{ value: '', text: t('privacy.filter.anyOrganisation') }, ...view.organisations.map((o) => ({ value: o.code, text: o.name }))]} />
      <Select name="kind" label={t('privacy.filter.kind')} value={filters.kind ?? ''} error={errorFor(errors, 'kind', t)}
        items={[{ value: '', text: t('privacy.filter.anyKind') }, ...ACTOR_KIND_FILTERS.map((k) => ({ value: k, text: t(`privacy.filter.kind.${k}`) }))]} />
      <div class="tb-button-group">
        <Button type="submit" variant="secondary">{t('privacy.filter.apply')}</Button>
        <a href="/my-data/accesses">{t('privacy.filter.clear')}</a>
      </div>
    </form>
  );
}

function accessRow(access: Access, context: PageContext): VNode[] {
  const { t, locale } = context;
  return [
    <When at={access.at} locale={locale} />,
    <>{whoText(access, t, locale)}</>,
    <>
      {whatText(access, t)}
      {access.items.length > 0 ? <span class="tb-body-s"><br />{t('privacy.accesses.items', { items: itemsText(access, t, locale) })}</span> : null}
    </>,
    <>{whyText(access, t, locale)}</>,
    <a href={`/my-data/accesses/${access.id}/question`}>{t('privacy.accesses.ask')}<span class="tb-visually-hidden"> {t('privacy.accesses.askHidden', { when: formatWhen(access.at, locale) })}</span></a>,
  ];
}

function Notice({ context, on }: { context: PageContext; on: boolean }): VNode {
  const { t } = context;
  return (
    <section aria-labelledby="notice-heading">
      <h2 class="tb-heading-m" id="notice-heading">{t('privacy.notice.heading')}</h2>
      <p class="tb-body">{t(on ? 'privacy.notice.on' : 'privacy.notice.off')}</p>
      <form method="post" action="/my-data/notice">
        <CsrfField token={context.csrfToken} />
        <input type="hidden" name="email" value={on ? 'off' : 'on'} />
        <Button type="submit" variant="secondary">{t(on ? 'privacy.notice.turnOff' : 'privacy.notice.turnOn')}</Button>
      </form>
    </section>
  );
}

/** `/my-data/accesses`: every use of the person's data by someone else, with filters and downloads. */
export function renderAccessesPage(context: PageContext, view: AccessesView): string {
  const { t } = context;
  const title = t('privacy.accesses.title');
  const query = filterQuery(view.filters);
  const filtered = query !== '';
  const page = view.page;
  const errors = view.errors.map((e) => ({ fieldId: e.pointer.slice(1), text: t(e.message) }));
  return renderPage(
    <Layout {...context} title={title} hasErrors={errors.length > 0}>
      {view.banner ? <NotificationBanner type="success"><p class="tb-body">{t('privacy.notice.saved')}</p></NotificationBanner> : null}
      {errors.length > 0 ? <ErrorSummary errors={errors} /> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('privacy.accesses.lead')}</p>
      <ul class="tb-list">
        <li><a href="/my-data/questions">{t('privacy.accesses.questionsLink')}</a></li>
        <li><a href="/my-data/copy">{t('privacy.copy.title')}</a></li>
      </ul>
      <Filters context={context} view={view} />
      {page && page.items.length > 0 ? (
        <>
          <Table caption={t('privacy.accesses.caption')} captionSize="m"
            head={[t('privacy.accesses.when'), t('privacy.accesses.who'), t('privacy.accesses.what'), t('privacy.accesses.why'), '']}
            rows={page.items.map((a) => accessRow(a, context))} />
          {page.older ? <p class="tb-body"><a href={`/my-data/accesses?${filterQuery(view.filters)}${filtered ? '&' : ''}older=${encodeURIComponent(page.older)}`}>{t('privacy.accesses.older')}</a></p> : null}
          <h2 class="tb-heading-m">{t('privacy.accesses.download')}</h2>
          <ul class="tb-list">
            <li><a href={`/my-data/accesses.csv${query ? `?${query}` : ''}`} download="who-used-my-data.csv">{t('privacy.accesses.downloadCsv')}</a></li>
            <li><a href={`/my-data/accesses.json${query ? `?${query}` : ''}`} download="who-used-my-data.json">{t('privacy.accesses.downloadJson')}</a></li>
          </ul>
        </>
      ) : page ? <p class="tb-body">{t(filtered ? 'privacy.accesses.noneFiltered' : 'privacy.accesses.none')}</p> : null}
      <Notice context={context} on={view.emailOnUse} />
    </Layout>,
  );
}

/** `/my-data/accesses/:id/question`: ask the organisation about one use. */
export function renderAskPage(context: PageContext, access: Access, options: { error?: string | undefined; typed?: string | undefined } = {}): string {
  const { t, locale } = context;
  const title = t('privacy.ask.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={Boolean(options.error)} beforeContent={<BackLink href="/my-data/accesses" text={t('privacy.questions.back')} />}>
      {options.error ? <ErrorSummary errors={[{ fieldId: 'question', text: options.error }]} /> : null}
      <h1 class="tb-heading-l">{title}</h1>
      <Table caption={t('privacy.accesses.caption')} firstCellIsHeader
        head={[t('privacy.accesses.when'), t('privacy.accesses.who'), t('privacy.accesses.what'), t('privacy.accesses.why')]}
        rows={[[<When at={access.at} locale={locale} />, whoText(access, t, locale), whatText(access, t), whyText(access, t, locale)]]} />
      <p class="tb-body">{t('privacy.ask.lead')}</p>
      <form method="post" action={`/my-data/accesses/${access.id}/question`} noValidate>
        <CsrfField token={context.csrfToken} />
        <Textarea label={t('privacy.ask.label')} hint={t('privacy.ask.hint')} error={options.error} value={options.typed ?? ''} name="question" />
        <Button type="submit">{t('privacy.ask.send')}</Button>
      </form>
    </Layout>,
  );
}
