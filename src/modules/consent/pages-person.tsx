import type { VNode } from 'preact';
import { hasMessage, type Locale } from '../../kernel/i18n/index.js';
import {
  BackLink, Button, CSRF_FIELD, Details, InsetText, Layout, NotificationBanner, renderPage, SummaryList, Table, Tag, type LayoutProps, type TagColour,
} from '../../ui/index.js';
import './messages.js';
import type { ConsentEvent, ConsentState, DataAgreement, PersonAgreement } from './service.js';

export type PageContext = Pick<LayoutProps, 'locale' | 't' | 'currentPath' | 'user' | 'csrfToken'>;

export const PERSON_PATH = '/account/consent';
export const giveHref = (id: string) => `${PERSON_PATH}/${encodeURIComponent(id)}/give`;
export const withdrawHref = (id: string) => `${PERSON_PATH}/${encodeURIComponent(id)}/withdraw`;

const DAY: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'Asia/Shanghai' }),
};
const TIME: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeStyle: 'short', timeZone: 'Asia/Shanghai' }),
};
export const day = (locale: Locale, at: Date) => DAY[locale].format(at);
export const time = (locale: Locale, at: Date) => TIME[locale].format(at);

const STATE_COLOUR: Record<ConsentState, TagColour> = { given: 'green', none: 'grey', withdrawn: 'yellow', expired: 'yellow', outdated: 'yellow' };

/** A data item's plain name where one is written, else its technical name. */
export function itemName(t: PageContext['t'], item: string): string {
  const key = `consent.item.${item}`;
  return hasMessage(key) ? t(key) : item;
}

export interface AgencyNames { readonly [code: string]: { readonly 'zh-CN': string; readonly en: string } | undefined }

/** The facts of an agreement a person needs before deciding: who, what data, why, on what basis, how long. */
export function AgreementFacts({ ctx, agreement, agencies }: { ctx: PageContext; agreement: DataAgreement; agencies: AgencyNames }): VNode {
  const { t, locale } = ctx;
  const controller = agencies[agreement.controller]?.[locale] ?? agreement.controller;
  return (
    <SummaryList rows={[
      { key: t('consent.person.controller'), value: controller },
      { key: t('consent.person.items'), value: <ul class="tb-list">{agreement.items.map((i) => <li>{itemName(t, i)}</li>)}</ul> },
      { key: t('consent.person.legalBasis'), value: agreement.legalBasis[locale] },
      { key: t('consent.person.retention'), value: agreement.retention[locale] },
      ...(agreement.needsConsent ? [{ key: t('consent.person.lasts'), value: agreement.consentDays ? t('consent.person.lastsDays', { days: agreement.consentDays }) : t('consent.person.lastsUntilWithdrawn') }] : []),
    ]} />
  );
}

function History({ ctx, events }: { ctx: PageContext; events: readonly ConsentEvent[] }): VNode | null {
  const { t, locale } = ctx;
  if (events.length === 0) return null;
  return (
    <Details summary={t('consent.person.history')}>
      <Table caption={t('consent.person.history')} head={[t('consent.person.when'), t('consent.person.what'), t('consent.person.channel'), t('consent.person.version')]}
        rows={events.map((e) => [time(locale, e.at), t(`consent.event.${e.kind}`), t(`consent.channel.${e.channel}`), String(e.agreementVersion)])} />
    </Details>
  );
}

function ConsentCard({ ctx, line, agencies, history }: { ctx: PageContext; line: PersonAgreement; agencies: AgencyNames; history: readonly ConsentEvent[] }): VNode {
  const { t, locale } = ctx;
  const { agreement, state, latest } = line;
  const since = latest && state === 'given' ? t('consent.person.givenOn', { date: day(locale, latest.at) }) : undefined;
  const until = latest?.expiresAt && state === 'given' ? t('consent.person.expiresOn', { date: day(locale, latest.expiresAt) }) : undefined;
  return (
    <section class="tb-consent" id={`agreement-${agreement.id}`} aria-labelledby={`agreement-${agreement.id}-title`}>
      <h3 class="tb-heading-m" id={`agreement-${agreement.id}-title`}>{agreement.purpose[locale]}</h3>
      <p class="tb-body"><Tag colour={STATE_COLOUR[state]}>{t(`consent.state.${state}`)}</Tag> {[since, until].filter(Boolean).join(' ')}</p>
      {state === 'outdated' ? <InsetText>{t('consent.person.outdatedHint')}</InsetText> : null}
      <AgreementFacts ctx={ctx} agreement={agreement} agencies={agencies} />
      {state === 'given' ? (
        <Button href={withdrawHref(agreement.id)} variant="secondary">{t('consent.person.withdraw')}<span class="tb-visually-hidden">: {agreement.purpose[locale]}</span></Button>
      ) : agreement.active ? (
        <form method="post" action={giveHref(agreement.id)} novalidate>
          <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
          <Button>{t('consent.person.give')}<span class="tb-visually-hidden">: {agreement.purpose[locale]}</span></Button>
        </form>
      ) : <p class="tb-body">{t('consent.person.retired')}</p>}
      <History ctx={ctx} events={history} />
    </section>
  );
}

export interface PersonPageData {
  readonly idNumberKnown: boolean;
  readonly lines: readonly PersonAgreement[];
  readonly history: readonly ConsentEvent[];
  readonly agencies: AgencyNames;
  readonly done?: 'given' | 'withdrawn' | undefined;
}

/** `/account/consent`: every agreement that touches the person, with their consent and its history. */
export function renderPersonPage(ctx: PageContext, data: PersonPageData): string {
  const { t, locale } = ctx;
  const title = t('consent.person.title');
  const needing = data.lines.filter((l) => l.agreement.needsConsent);
  const legal = data.lines.filter((l) => !l.agreement.needsConsent && l.agreement.active);
  return renderPage(
    <Layout {...ctx} title={title} beforeContent={<BackLink href="/account" text={t('consent.person.back')} />}>
      {data.done ? <NotificationBanner type="success">{t(`consent.person.done.${data.done}`)}</NotificationBanner> : null}
      <h1 class="tb-heading-xl">{title}</h1>
      <p class="tb-body">{t('consent.person.intro')}</p>
      {!data.idNumberKnown ? <InsetText>{t('consent.person.noIdNumber')}</InsetText> : (
        <>
          <h2 class="tb-heading-l">{t('consent.person.needConsent')}</h2>
          <p class="tb-body">{t('consent.person.needConsentIntro')}</p>
          {needing.length === 0 ? <p class="tb-body">{t('consent.person.none')}</p> : needing.map((line) => (
            <ConsentCard ctx={ctx} line={line} agencies={data.agencies} history={data.history.filter((e) => e.agreementId === line.agreement.id)} />
          ))}
          <h2 class="tb-heading-l">{t('consent.person.legal')}</h2>
          <p class="tb-body">{t('consent.person.legalIntro')}</p>
          {legal.length === 0 ? <p class="tb-body">{t('consent.person.none')}</p> : legal.map((line) => (
            <section class="tb-consent" aria-labelledby={`agreement-${line.agreement.id}-title`}>
              <h3 class="tb-heading-m" id={`agreement-${line.agreement.id}-title`}>{line.agreement.purpose[locale]}</h3>
              <p class="tb-body"><Tag colour="blue">{t('consent.state.legal')}</Tag></p>
              <AgreementFacts ctx={ctx} agreement={line.agreement} agencies={data.agencies} />
            </section>
          ))}
        </>
      )}
    </Layout>,
  );
}

/** The confirmation before a withdrawal: what stops, and that consent can be given again. */
export function renderWithdrawPage(ctx: PageContext, agreement: DataAgreement, agencies: AgencyNames): string {
  const { t, locale } = ctx;
  const title = t('consent.withdraw.title');
  return renderPage(
    <Layout {...ctx} title={title} beforeContent={<BackLink href={PERSON_PATH} text={t('consent.person.backToList')} />}>
      <h1 class="tb-heading-xl">{title}</h1>
      <p class="tb-body">{agreement.purpose[locale]}</p>
      <AgreementFacts ctx={ctx} agreement={agreement} agencies={agencies} />
      <p class="tb-body">{t('consent.withdraw.effect')}</p>
      <p class="tb-body">{t('consent.withdraw.again')}</p>
      <form method="post" action={withdrawHref(agreement.id)} novalidate>
        <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />
        <div class="tb-button-group">
          <Button variant="warning">{t('consent.withdraw.confirm')}</Button>
          <a href={`${PERSON_PATH}#agreement-${agreement.id}`}>{t('consent.withdraw.cancel')}</a>
        </div>
      </form>
    </Layout>,
  );
}
