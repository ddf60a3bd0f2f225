import { BackLink, Button, ErrorSummary, Layout, Pagination, Radios, renderPage, TextInput } from '../../ui/index.js';
import './messages.js';
import './search-messages.js';
import type { PageContext } from './pages.js';
import { ExchangeList, TRAFFIC_PATH } from './pages-exchanges.js';
import { OUTCOMES, type LogPage, type LogRow, type LogSearchField, type LogSearchInput } from './service.js';

export const SEARCH_PATH = `${TRAFFIC_PATH}/search`;
export const SEARCH_EXPORT_PATH = `${SEARCH_PATH}/export`;

export interface SearchPageData {
  readonly input: LogSearchInput;
  /** Each field's error text, in the form's order. */
  readonly errors: readonly { readonly field: LogSearchField; readonly text: string }[];
  /** Undefined until a search was made (and when it had errors). */
  readonly found?: LogPage<LogRow> | undefined;
  readonly limit: number;
  /** At most this many exchanges in the download. */
  readonly exportLimit: number;
}

/**
 * `/admin/mediator/search`: the message log by calling system, service, days and outcome. A GET
 * form, so a search is a link that can be kept and shared; identity numbers masked, as on the
 * traffic page, each exchange linking to its (audited) record.
 */
/** The same search, from its newest results or from `older` on. */
export function searchHref(input: LogSearchInput, older?: string, path = SEARCH_PATH): string {
  const query = new URLSearchParams();
  for (const field of ['client', 'service', 'from', 'to', 'outcome'] as const) {
    const value = input[field];
    if (value !== undefined && value !== '') query.set(field, value);
  }
  if (older !== undefined) query.set('older', older);
  return `${path}?${query.toString()}`;
}

export function renderSearchPage(ctx: PageContext, data: SearchPageData): string {
  const { t } = ctx;
  const title = t('mediator.search.title');
  const error = (field: LogSearchField) => data.errors.find((e) => e.field === field)?.text;
  return renderPage(
    <Layout {...ctx} title={title} hasErrors={data.errors.length > 0} beforeContent={<BackLink href={TRAFFIC_PATH} text={t('mediator.exchange.back')} />}>
      {/* A bad link to older results has no field of its own: its error leads to the form's first field, to search again. */}
      <ErrorSummary errors={data.errors.map((e) => ({ fieldId: e.field === 'older' ? 'client' : e.field, text: e.text }))} />
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('mediator.search.intro')}</p>
      <form method="get" action={SEARCH_PATH} novalidate>
        <TextInput name="client" label={t('mediator.search.client')} hint={t('mediator.search.clientHint')} value={data.input.client} error={error('client')} spellcheck={false} width={30} />
        <TextInput name="service" label={t('mediator.search.service')} hint={t('mediator.search.serviceHint')} value={data.input.service} error={error('service')} spellcheck={false} width={30} />
        <TextInput name="from" label={t('mediator.search.from')} hint={t('mediator.search.dateHint')} value={data.input.from} error={error('from')} spellcheck={false} width={10} />
        <TextInput name="to" label={t('mediator.search.to')} hint={t('mediator.search.dateHint')} value={data.input.to} error={error('to')} spellcheck={false} width={10} />
        <Radios name="outcome" label={t('mediator.search.outcome')} value={data.input.outcome ?? 'all'} error={error('outcome')} items={OUTCOMES.map((value) => ({ value, text: t(`mediator.search.outcome.${value}`) }))} />
        <Button>{t('mediator.search.button')}</Button>
      </form>
      {data.found === undefined ? null : data.found.rows.length === 0 ? <p class="tb-body">{t('mediator.search.none')}</p> : (
        <>
          <h2 class="tb-heading-m">{t(data.input.older ? 'mediator.search.olderResults' : 'mediator.search.results')}</h2>
          <p class="tb-body">
            {data.found.older !== undefined ? t('mediator.search.more', { limit: data.limit }) : t('mediator.search.count', { count: data.found.rows.length })} {t('mediator.traffic.masked')}
          </p>
          <ExchangeList ctx={ctx} caption={t('mediator.search.caption')} rows={data.found.rows} />
          {data.found.older === undefined ? null : <Pagination nextHref={searchHref(data.input, data.found.older)} />}
          {data.input.older ? <p class="tb-body"><a class="tb-link" href={searchHref(data.input)}>{t('mediator.search.newest')}</a></p> : null}
          <p class="tb-body"><a class="tb-link" href={searchHref(data.input, undefined, SEARCH_EXPORT_PATH)} download>{t('mediator.search.download', { limit: data.exportLimit.toLocaleString(ctx.locale) })}</a></p>
        </>
      )}
    </Layout>,
  );
}
