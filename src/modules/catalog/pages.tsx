import type { VNode } from 'preact';
import { listFormat, numberFormat, type Locale } from '../../kernel/i18n/index.js';
import { Button, InsetText, Layout, Select, SummaryList, TextInput, renderPage, type LayoutProps } from '../../ui/index.js';
import './messages.js';
import { categoryMessage, lifeEventMessage, type Agency, type Category, type LifeEvent, type LocalizedText, type MimeType, type ServiceSummary, type ServiceVersion } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

const text = (value: LocalizedText, locale: Locale) => value[locale];

/**
 * Guidance is plain text: blank lines separate paragraphs, and a paragraph whose lines all start
 * with "- " is a bulleted list. Nothing else is interpreted, so definition text cannot inject markup.
 */
export function Prose({ value }: { value: string }): VNode {
  const blocks = value.split(/\n\s*\n/).map((b) => b.trim()).filter(Boolean);
  return (
    <>
      {blocks.map((block, i) => {
        const lines = block.split('\n').map((l) => l.trim());
        if (lines.every((l) => l.startsWith('- '))) {
          return <ul key={i} class="tb-list tb-list--bullet">{lines.map((l, j) => <li key={j}>{l.slice(2)}</li>)}</ul>;
        }
        return <p key={i} class="tb-body">{lines.join('\n')}</p>;
      })}
    </>
  );
}

const MIME_NAMES: Record<MimeType, string> = { 'application/pdf': 'PDF', 'image/jpeg': 'JPEG', 'image/png': 'PNG' };

function fileSize(bytes: number, locale: Locale): string {
  const mb = bytes / (1024 * 1024);
  if (mb >= 1) return `${numberFormat(locale, { maximumFractionDigits: 1 }).format(mb)} MB`;
  return `${numberFormat(locale, { maximumFractionDigits: 0 }).format(bytes / 1024)} KB`;
}

export function formatFee(definition: ServiceVersion['definition'], context: Pick<PageContext, 't' | 'locale'>): string {
  const { fee } = definition;
  if (fee.type === 'none') return context.t('catalog.start.free');
  const money = numberFormat(context.locale, { style: 'currency', currency: fee.currency });
  if (fee.type === 'fixed') return money.format(fee.amount / 100);
  // A rule: every amount it can come to, since the answers are not known yet.
  const amounts = [...new Set([...fee.cases.map((c) => c.amount), fee.otherwise])].sort((a, b) => a - b);
  const named = amounts.map((a) => (a === 0 ? context.t('catalog.start.free') : money.format(a / 100)));
  return context.t('catalog.start.feeDepends', { amounts: listFormat(context.locale, { type: 'disjunction' }).format(named) });
}

/** The public start page of a service, GOV.UK style: what it is, who can use it, then "Start now". */
export function renderStartPage(context: PageContext, service: ServiceVersion, agency: Agency | undefined): string {
  const { t, locale } = context;
  const d = service.definition;
  const name = text(d.name, locale);
  const list = listFormat(locale, { type: 'disjunction' });
  const section = (heading: string, value: LocalizedText | undefined) => value && (
    <>
      <h2 class="tb-heading-m">{heading}</h2>
      <Prose value={text(value, locale)} />
    </>
  );
  const glance = [
    { key: t('catalog.start.fee'), value: formatFee(d, context) },
    { key: t('catalog.start.howLongItTakes'), value: t('catalog.start.deadline', { days: d.workflow.sla.workingDays }) },
    ...(agency ? [{ key: t('catalog.start.agency'), value: text(agency.name, locale) }] : []),
  ];
  return renderPage(
    <Layout {...context} title={name}>
      {agency ? <span class="tb-caption">{text(agency.name, locale)}</span> : null}
      <h1 class="tb-heading-xl">{name}</h1>
      <Prose value={text(d.summary, locale)} />
      <h2 class="tb-visually-hidden">{t('catalog.start.summaryLabel')}</h2>
      <SummaryList rows={glance} />
      {d.inPerson.required && d.inPerson.description ? (
        <InsetText>
          <strong>{t('catalog.start.inPerson')}</strong>
          <Prose value={text(d.inPerson.description, locale)} />
        </InsetText>
      ) : null}
      <Button href={`/services/${encodeURIComponent(service.slug)}/apply`} start>{t('catalog.start.startNow')}</Button>
      {section(t('catalog.start.whoCanApply'), d.guidance.whoCanApply)}
      {section(t('catalog.start.whatYouNeed'), d.guidance.whatYouNeed)}
      {d.documents.length > 0 ? (
        <>
          <h3 class="tb-heading-s">{t('catalog.start.documents')}</h3>
          <ul class="tb-list tb-list--bullet">
            {d.documents.map((doc) => (
              <li key={doc.id}>
                {text(doc.name, locale)}{doc.required ? '' : ` ${t('catalog.start.optional')}`}
                <br />
                <span class="tb-body-s">{t('catalog.start.documentTypes', { types: list.format(doc.acceptedTypes.map((m) => MIME_NAMES[m])), size: fileSize(doc.maxSizeBytes, locale) })}</span>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {section(t('catalog.start.fees'), d.guidance.fees)}
      {section(t('catalog.start.howLongItTakes'), d.guidance.howLongItTakes)}
      {section(t('catalog.start.afterYouApply'), d.guidance.afterYouApply)}
      {agency ? (
        <>
          <h2 class="tb-heading-m">{t('catalog.start.agency')}</h2>
          <p class="tb-body">
            {text(agency.name, locale)}<br />
            {text(agency.contact.address, locale)}<br />
            {t('catalog.start.contact', { phone: agency.contact.phone })}
            {agency.contact.hours ? <><br />{text(agency.contact.hours, locale)}</> : null}
          </p>
        </>
      ) : null}
    </Layout>,
  );
}

export interface BrowseView {
  readonly query: { readonly q: string; readonly category: Category | undefined; readonly lifeEvent: LifeEvent | undefined };
  readonly results: readonly ServiceSummary[];
  readonly categories: readonly { id: Category; count: number }[];
  readonly lifeEvents: readonly { id: LifeEvent; count: number }[];
  readonly agencies: ReadonlyMap<string, Agency>;
}

/** Search and browse: one GET form, so it works without JavaScript and results can be linked. */
export function renderBrowsePage(context: PageContext, view: BrowseView): string {
  const { t, locale } = context;
  const title = t('catalog.browse.title');
  const any = { value: '', text: t('catalog.browse.any') };
  const filtered = Boolean(view.query.q || view.query.category || view.query.lifeEvent);
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      <form method="get" action="/services" role="search">
        <TextInput name="q" type="search" label={t('catalog.browse.searchLabel')} hint={t('catalog.browse.searchHint')} value={view.query.q} spellcheck={false} />
        <Select name="category" label={t('catalog.browse.category')} value={view.query.category ?? ''}
          items={[any, ...view.categories.map((c) => ({ value: c.id, text: `${t(categoryMessage(c.id))} (${c.count})` }))]} />
        <Select name="lifeEvent" label={t('catalog.browse.lifeEvent')} value={view.query.lifeEvent ?? ''}
          items={[any, ...view.lifeEvents.map((e) => ({ value: e.id, text: `${t(lifeEventMessage(e.id))} (${e.count})` }))]} />
        <div class="tb-button-group">
          <Button type="submit">{t('catalog.browse.search')}</Button>
          {filtered ? <a class="tb-body" href="/services">{t('catalog.browse.clear')}</a> : null}
        </div>
      </form>
      <h2 class="tb-heading-m">{t('catalog.browse.results', { count: view.results.length })}</h2>
      {view.results.length === 0 ? <NoResults context={context} view={view} /> : (
        <ul class="tb-list">
          {view.results.map((s) => {
            const agency = view.agencies.get(s.agencyCode);
            return (
              <li key={s.id}>
                <h3 class="tb-heading-s"><a href={`/services/${encodeURIComponent(s.slug)}`}>{text(s.name, locale)}</a></h3>
                <p class="tb-body">{text(s.summary, locale)}</p>
                {agency ? <p class="tb-body-s">{t('catalog.browse.agency', { agency: text(agency.name, locale) })}</p> : null}
              </li>
            );
          })}
        </ul>
      )}
    </Layout>,
  );
}

/**
 * Nothing matched (GOV.UK search pattern): say so, suggest what to change, offer browsing by
 * topic and life event, and a way to ask for help.
 */
function NoResults({ context, view }: { context: PageContext; view: BrowseView }): VNode {
  const { t } = context;
  const filtered = Boolean(view.query.category || view.query.lifeEvent);
  const browse = [
    ...view.categories.map((c) => ({ href: `/services?category=${encodeURIComponent(c.id)}`, text: t(categoryMessage(c.id)) })),
    ...view.lifeEvents.map((e) => ({ href: `/services?lifeEvent=${encodeURIComponent(e.id)}`, text: t(lifeEventMessage(e.id)) })),
  ];
  return (
    <>
      <p class="tb-body">{t(view.query.q ? 'catalog.browse.noResults' : 'catalog.browse.noResultsFiltered')}</p>
      {view.query.q || filtered ? (
        <>
          <p class="tb-body">{t('catalog.browse.improve')}</p>
          <ul class="tb-list tb-list--bullet">
            {view.query.q ? <li>{t('catalog.browse.improveSpelling')}</li> : null}
            {view.query.q ? <li>{t('catalog.browse.improveWords')}</li> : null}
            {filtered ? <li><a href={view.query.q ? `/services?q=${encodeURIComponent(view.query.q)}` : '/services'}>{t('catalog.browse.improveFilters')}</a></li> : null}
          </ul>
        </>
      ) : null}
      {browse.length > 0 ? (
        <>
          <h3 class="tb-heading-s">{t('catalog.browse.browseInstead')}</h3>
          <ul class="tb-list">{browse.map((b) => <li key={b.href}><a href={b.href}>{b.text}</a></li>)}</ul>
        </>
      ) : null}
      <p class="tb-body"><a href="/contact">{t('catalog.browse.contact')}</a></p>
    </>
  );
}
