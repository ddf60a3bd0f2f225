import { Button, ErrorSummary, Layout, renderPage, Table, TextInput, type LayoutProps } from '../../ui/index.js';
import './messages.js';
import { ExchangeList, TRAFFIC_PATH } from './pages-exchanges.js';
import { PUBSUB_PATH } from './pages-pubsub.js';
import { SEARCH_PATH } from './pages-search.js';
import type { LogRow, TrafficRow } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

export interface TrafficPageData {
  readonly hours: number;
  readonly traffic: readonly TrafficRow[];
  readonly recent: readonly LogRow[];
  /** The lookup form's message id as typed, and why it was not found. */
  readonly lookup?: { readonly value: string; readonly error: string } | undefined;
}

/** `/admin/mediator`: calls per service and the latest exchanges, from the message log, and a lookup by message id. */
export function renderTrafficPage(context: PageContext, data: TrafficPageData): string {
  const { t } = context;
  const title = t('mediator.traffic.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={data.lookup !== undefined}>
      <ErrorSummary errors={data.lookup ? [{ fieldId: 'message', text: data.lookup.error }] : []} />
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('mediator.traffic.intro', { hours: data.hours })}</p>
      <ul class="tb-list">
        <li><a href={SEARCH_PATH}>{t('mediator.traffic.searchLink')}</a></li>
        <li><a href={PUBSUB_PATH}>{t('mediator.traffic.pubsubLink')}</a></li>
      </ul>
      <form method="get" action={TRAFFIC_PATH} novalidate>
        <TextInput name="message" label={t('mediator.traffic.find')} hint={t('mediator.traffic.findHint')} value={data.lookup?.value} error={data.lookup?.error} spellcheck={false} width={30} />
        <Button variant="secondary">{t('mediator.traffic.findButton')}</Button>
      </form>
      {data.traffic.length === 0 ? <p class="tb-body">{t('mediator.traffic.none')}</p> : (
        <Table
          caption={t('mediator.traffic.caption')}
          firstCellIsHeader
          head={[t('mediator.traffic.service'), { text: t('mediator.traffic.calls'), numeric: true }, { text: t('mediator.traffic.refused'), numeric: true },
            { text: t('mediator.traffic.failed'), numeric: true }, { text: t('mediator.traffic.averageMs'), numeric: true }, { text: t('mediator.traffic.slowestMs'), numeric: true }]}
          rows={data.traffic.map((row) => [
            <code>{row.service ?? t('mediator.traffic.unknown')}</code>, { text: row.calls, numeric: true }, { text: row.refused, numeric: true },
            { text: row.failed, numeric: true }, { text: row.average_ms, numeric: true }, { text: row.slowest_ms, numeric: true },
          ])}
        />
      )}
      {data.recent.length === 0 ? null : (
        <>
          <h2 class="tb-heading-m">{t('mediator.traffic.recent')}</h2>
          <p class="tb-body">{t('mediator.traffic.masked')}</p>
          <ExchangeList ctx={context} caption={t('mediator.traffic.recentCaption')} rows={data.recent} />
        </>
      )}
    </Layout>,
  );
}
