import type { VNode } from 'preact';
import { Layout, renderPage } from '../../ui/index.js';
import { DistributionChart, TrendChart } from './charts.js';
import type { Dashboard } from './dashboard.js';
import { formatMonth, formatNumber, formatShare } from './format.js';
import './messages.js';
import { WideTable, type PageContext } from './pages-shared.js';

/** The dashboard's address for a scope: `/performance`, `/performance/agencies/…`, `/performance/services/…`. */
export function scopePath(d: Pick<Dashboard, 'scope'>): string {
  if (d.scope.kind === 'national') return '/performance';
  return `/performance/${d.scope.kind === 'agency' ? 'agencies' : 'services'}/${encodeURIComponent(d.scope.key)}`;
}

/** A public performance page: headline figures, the trend and satisfaction as charts and tables, downloads, links. */
export function renderDashboardPage(context: PageContext, d: Dashboard): string {
  const { t, locale } = context;
  const f = d.figures;
  const dash = '—';
  const num = (v: number | null, digits = 0) => (v === null ? dash : formatNumber(locale, v, digits));
  const pct = (v: number | null) => (v === null ? dash : formatShare(locale, v));
  const days = (v: number | null) => (v === null ? dash : t('insights.dash.days', { days: formatNumber(locale, v, 1) }));
  const title = d.scope.kind === 'national' ? t('insights.dash.nationalTitle') : t('insights.dash.scopeTitle', { name: d.scope.name?.[locale] ?? d.scope.key });
  const path = scopePath(d);
  const period = t('insights.dash.period', { from: formatMonth(locale, f.from), to: formatMonth(locale, f.to) });
  const services = d.scope.kind === 'agency' ? d.services.filter((s) => s.agencyCode === d.scope.key) : d.services;
  return renderPage(
    <Layout {...context} title={title}>
      {d.scope.kind !== 'national' ? <p class="tb-body"><a href="/performance">{t('insights.dash.backToNational')}</a></p> : null}
      <h1 class="tb-heading-l">{title}</h1>
      {d.scope.agency ? <p class="tb-body">{t('insights.dash.providedBy')} <a href={`/performance/agencies/${d.scope.agency.code}`}>{d.scope.agency.name[locale]}</a></p> : null}
      <p class="tb-body">{t('insights.dash.intro')} {period}</p>
      <WideTable caption={t('insights.dash.keyFigures')} captionSize="m" firstCellIsHeader
        head={[t('insights.dash.figure'), { text: t('insights.dash.value'), numeric: true }]}
        rows={[
          [t('insights.dash.received'), { text: num(f.received), numeric: true }],
          [t('insights.dash.decided'), { text: num(f.decided), numeric: true }],
          [t('insights.dash.medianDays'), { text: days(f.medianDays), numeric: true }],
          [t('insights.dash.p90Days'), { text: days(f.p90Days), numeric: true }],
          [t('insights.dash.withinDeadline'), { text: pct(f.withinDeadlineShare), numeric: true }],
          [t('insights.dash.online'), { text: pct(f.onlineShare), numeric: true }],
          [t('insights.dash.counter'), { text: pct(f.counterShare), numeric: true }],
          [t('insights.dash.completion'), { text: f.completionRate === null ? dash : t('insights.dash.completionValue', { share: pct(f.completionRate), completed: num(f.completed), started: num(f.started) }), numeric: true }],
          [t('insights.dash.satisfaction'), { text: f.averageRating === null ? dash : t('insights.dash.satisfactionValue', { average: num(f.averageRating, 2), count: num(f.ratings) }), numeric: true }],
        ]} />
      <h2 class="tb-heading-m" id="trend">{t('insights.dash.trendHeading')}</h2>
      <TrendChart months={f.months} locale={locale} t={t} text={{ id: 'trend-chart', title: t('insights.dash.trendChartTitle'), desc: t('insights.dash.trendChartDesc', { period }) }} />
      <WideTable caption={t('insights.dash.trendTable')}
        head={[t('insights.dash.month'), { text: t('insights.dash.received'), numeric: true }, { text: t('insights.dash.decided'), numeric: true },
          { text: t('insights.dash.medianDays'), numeric: true }, { text: t('insights.dash.withinDeadline'), numeric: true }, { text: t('insights.dash.averageRating'), numeric: true }]}
        firstCellIsHeader
        rows={f.months.map((m) => [formatMonth(locale, m.month), { text: num(m.received), numeric: true }, { text: num(m.decided), numeric: true },
          { text: days(m.medianDays), numeric: true }, { text: pct(m.withinDeadlineShare), numeric: true }, { text: num(m.averageRating, 2), numeric: true }])} />
      <h2 class="tb-heading-m" id="satisfaction">{t('insights.dash.satisfactionHeading')}</h2>
      <DistributionChart distribution={f.distribution} locale={locale} t={t} text={{ id: 'rating-chart', title: t('insights.dash.ratingChartTitle'), desc: t('insights.dash.ratingChartDesc', { count: f.ratings }) }} />
      <WideTable caption={t('insights.dash.ratingTable')} firstCellIsHeader head={[t('insights.dash.score'), { text: t('insights.dash.ratings'), numeric: true }, { text: t('insights.dash.shareOfRatings'), numeric: true }]}
        rows={[5, 4, 3, 2, 1].map((s) => {
          const count = f.distribution[s - 1] ?? 0;
          return [t(`insights.score.${s}`), { text: num(count), numeric: true }, { text: pct(f.ratings === 0 ? null : count / f.ratings), numeric: true }];
        })} />
      <h2 class="tb-heading-m">{t('insights.dash.downloadHeading')}</h2>
      <p class="tb-body">{t('insights.dash.downloadIntro')}</p>
      <ul class="tb-list">
        <li><a href={`${path}/data.csv`} download>{t('insights.dash.csv')}</a></li>
        <li><a href={`${path}/data.json`} download>{t('insights.dash.json')}</a></li>
      </ul>
      <h2 class="tb-heading-m">{t('insights.dash.howHeading')}</h2>
      <p class="tb-body">{t('insights.dash.how')}</p>
      {d.scope.kind === 'national' ? <Links title={t('insights.dash.agencies')} items={d.agencies.map((a) => ({ href: `/performance/agencies/${a.code}`, text: a.name[locale] }))} /> : null}
      {d.scope.kind !== 'service' ? <Links title={t('insights.dash.services')} items={services.map((s) => ({ href: `/performance/services/${s.slug}`, text: s.name[locale] }))} /> : null}
    </Layout>,
  );
}

function Links({ title, items }: { title: string; items: readonly { href: string; text: string }[] }): VNode {
  return (
    <>
      <h2 class="tb-heading-m">{title}</h2>
      <ul class="tb-list">{items.map((i) => <li key={i.href}><a href={i.href}>{i.text}</a></li>)}</ul>
    </>
  );
}
