import { Button, ErrorSummary, Layout, renderPage, Table, TextInput, type LayoutProps } from '../../ui/index.js';
import './messages.js';
import { exchangeHref, StatusTag, timeOf, TRAFFIC_PATH } from './pages-exchanges.js';
import { PUBSUB_PATH } from './pages-pubsub.js';
import { maskedPath, type LogRow, type TrafficRow } from './service.js';

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
  const { t, locale } = context;
  const title = t('mediator.traffic.title');
  return renderPage(
    <Layout {...context} title={title} hasErrors={data.lookup !== undefined}>
      <ErrorSummary errors={data.lookup ? [{ fieldId: 'message', text: data.lookup.error }] : []} />
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('mediator.traffic.intro', { hours: data.hours })}</p>
      <p class="tb-body"><a href={PUBSUB_PATH}>{t('mediator.traffic.pubsubLink')}</a></p>
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
          <Table
            caption={t('mediator.traffic.recentCaption')}
            head={[t('mediator.traffic.at'), t('mediator.traffic.client'), t('mediator.traffic.request'), t('mediator.traffic.status'), t('mediator.traffic.details')]}
            rows={data.recent.map((row) => {
              const at = timeOf(locale, row.at);
              return [
                <time dateTime={row.at.toISOString()}>{at}</time>,
                <code>{row.client ?? t('mediator.traffic.unknown')}</code>,
                <code class="tb-break">{`${row.method} ${row.service ?? ''}${maskedPath(row.path)}`}</code>,
                <StatusTag status={row.status} outcome={row.outcome} />,
                <a href={exchangeHref(row.message_id)}>{t('mediator.traffic.details')}<span class="tb-visually-hidden"> {t('mediator.traffic.detailsOf', { at })}</span></a>,
              ];
            })}
          />
        </>
      )}
    </Layout>,
  );
}
