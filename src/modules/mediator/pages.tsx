import type { Locale } from '../../kernel/i18n/index.js';
import { Layout, renderPage, Table, Tag, type LayoutProps } from '../../ui/index.js';
import './messages.js';
import type { LogRow, TrafficRow } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

const TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'medium', timeZone: 'Asia/Shanghai' }),
};

export interface TrafficPageData {
  readonly hours: number;
  readonly traffic: readonly TrafficRow[];
  readonly recent: readonly LogRow[];
}

/** `/admin/mediator`: calls per service and the latest exchanges, from the message log. */
export function renderTrafficPage(context: PageContext, data: TrafficPageData): string {
  const { t, locale } = context;
  const title = t('mediator.traffic.title');
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('mediator.traffic.intro', { hours: data.hours })}</p>
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
          <Table
            caption={t('mediator.traffic.recentCaption')}
            head={[t('mediator.traffic.at'), t('mediator.traffic.client'), t('mediator.traffic.request'), t('mediator.traffic.status')]}
            rows={data.recent.map((row) => [
              <time dateTime={row.at.toISOString()}>{TIME[locale].format(row.at)}</time>,
              <code>{row.client ?? t('mediator.traffic.unknown')}</code>,
              <code>{`${row.method} ${row.service ?? ''}${row.path}`}</code>,
              <Tag colour={row.outcome === 'ok' ? (row.status < 400 ? 'green' : 'yellow') : row.status >= 500 ? 'red' : 'grey'}>{`${row.status} ${row.outcome}`}</Tag>,
            ])}
          />
        </>
      )}
    </Layout>,
  );
}
