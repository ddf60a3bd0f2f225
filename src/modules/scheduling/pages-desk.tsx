import type { VNode } from 'preact';
import { Button, ErrorSummary, Layout, NotificationBanner, Panel, Radios, renderPage, Table, Tag, TextInput, type TagColour } from '../../ui/index.js';
import { formatTime } from './format.js';
import './messages.js';
import { CsrfField, type PageContext } from './pages-shared.js';
import type { Hall, Ticket } from './service.js';

export interface DeskState {
  readonly error?: { readonly field: 'reference' | 'counter'; readonly key: string } | undefined;
  readonly typed?: { readonly reference?: string | undefined; readonly idNumber?: string | undefined } | undefined;
  readonly issued?: { readonly label: string; readonly early: boolean } | undefined;
  /** `already`: the counter had called another number than the form said, so nothing was called. */
  readonly called?: { readonly label: string | undefined; readonly counter: number; readonly already?: boolean } | undefined;
  readonly counter?: string | undefined;
}

const COLOUR: Record<Ticket['status'], TagColour> = { waiting: 'blue', called: 'green', done: 'grey' };

const counterNumber = (hall: Hall, id: string | undefined): number | undefined => hall.counters.find((c) => c.id === id)?.number;

/** The number a counter is calling ('' for none): the latest call, as desk.callNext reads it. */
const callingAt = (tickets: readonly Ticket[], counterId: string): string =>
  tickets.filter((x) => x.status === 'called' && x.counterId === counterId)
    .sort((a, b) => (b.calledAt?.getTime() ?? 0) - (a.calledAt?.getTime() ?? 0) || b.number - a.number)[0]?.label ?? '';

/** `/halls`: the halls, with their desks (for staff who work there) and public screens. */
export function renderHallsPage(context: PageContext, halls: readonly { hall: Hall; desk: boolean }[]): string {
  const { t, locale } = context;
  const title = t('scheduling.halls.title');
  return renderPage(
    <Layout {...context} title={title}>
      <h1 class="tb-heading-l">{title}</h1>
      {halls.map(({ hall, desk }) => (
        <section key={hall.id} aria-labelledby={`hall-${hall.id}`}>
          <h2 class="tb-heading-m" id={`hall-${hall.id}`}>{hall.name[locale]}</h2>
          <p class="tb-body">{hall.address[locale]}</p>
          <ul class="tb-list">
            {desk ? <li><a href={`/halls/${hall.id}/desk`}>{t('scheduling.halls.desk', { hall: hall.name[locale] })}</a></li> : null}
            <li><a href={`/halls/${hall.id}/screen`}>{t('scheduling.halls.screen', { hall: hall.name[locale] })}</a></li>
          </ul>
        </section>
      ))}
    </Layout>,
  );
}

function Banner({ state, t }: { state: DeskState; t: PageContext['t'] }): VNode | null {
  if (state.issued) {
    return (
      <NotificationBanner type="success" title={t('scheduling.desk.issuedTitle')}>
        <p class="tb-notification-banner__heading">{t('scheduling.desk.issued', { ticket: state.issued.label })}</p>
        {state.issued.early ? <p class="tb-body">{t('scheduling.desk.early')}</p> : null}
      </NotificationBanner>
    );
  }
  if (state.called) {
    const { label, counter, already } = state.called;
    const text = already
      ? (label ? t('scheduling.desk.alreadyCalled', { ticket: label, counter }) : t('scheduling.desk.outdated', { counter }))
      : (label ? t('scheduling.desk.called', { ticket: label, counter }) : t('scheduling.desk.nobody', { counter }));
    return (
      <NotificationBanner type={already ? 'important' : 'success'} title={t('scheduling.desk.calledTitle')}>
        <p class="tb-notification-banner__heading">{text}</p>
      </NotificationBanner>
    );
  }
  return null;
}

/** `/halls/:id/desk`: check people in, call the next number at a counter, today's queue. */
export function renderDeskPage(context: PageContext, hall: Hall, tickets: readonly Ticket[], state: DeskState = {}): string {
  const { t, locale } = context;
  const title = t('scheduling.desk.title', { hall: hall.name[locale] });
  const error = state.error ? t(state.error.key) : undefined;
  return renderPage(
    <Layout {...context} title={title} hasErrors={state.error !== undefined}>
      <ErrorSummary errors={state.error ? [{ fieldId: state.error.field, text: t(state.error.key) }] : []} />
      <Banner state={state} t={t} />
      <h1 class="tb-heading-l">{title}</h1>
      <h2 class="tb-heading-m">{t('scheduling.desk.checkInTitle')}</h2>
      <form method="post" action={`/halls/${hall.id}/desk/check-in`} noValidate>
        <CsrfField token={context.csrfToken} />
        <TextInput name="reference" label={t('scheduling.desk.reference')} hint={t('scheduling.desk.referenceHint')} width={20} spellcheck={false}
          value={state.typed?.reference} error={state.error?.field === 'reference' ? error : undefined} />
        <TextInput name="idNumber" label={t('scheduling.desk.idNumber')} width={20} spellcheck={false} value={state.typed?.idNumber} />
        <Button type="submit">{t('scheduling.desk.checkIn')}</Button>
      </form>
      <h2 class="tb-heading-m">{t('scheduling.desk.callTitle')}</h2>
      <form method="post" action={`/halls/${hall.id}/desk/call`} noValidate>
        <CsrfField token={context.csrfToken} />
        {/* Per counter, the number it is calling: a repeated post must not finish it unseen (routes-desk.ts). */}
        {hall.counters.map((c) => <input key={c.id} type="hidden" name={`after-${c.id}`} value={callingAt(tickets, c.id)} />)}
        <Radios name="counter" label={t('scheduling.desk.counter')} value={state.counter} error={state.error?.field === 'counter' ? error : undefined}
          items={hall.counters.map((c) => ({ value: c.id, text: `${t('scheduling.counterNumber', { number: c.number })} · ${c.name[locale]}` }))} />
        <Button type="submit" variant="secondary">{t('scheduling.desk.call')}</Button>
      </form>
      <h2 class="tb-heading-m">{t('scheduling.desk.queueTitle')}</h2>
      {tickets.length === 0 ? <p class="tb-body">{t('scheduling.desk.queueEmpty')}</p> : (
        <Table caption={t('scheduling.desk.queueCaption')} head={[t('scheduling.field.ticket'), t('scheduling.field.status'), t('scheduling.field.counter'), t('scheduling.field.issued')]}
          rows={tickets.map((ticket) => [
            { text: ticket.label },
            { text: <Tag colour={COLOUR[ticket.status]}>{t(`scheduling.ticket.${ticket.status}`)}</Tag> },
            { text: ticket.counterId ? t('scheduling.counterNumber', { number: counterNumber(hall, ticket.counterId) ?? 0 }) : '' },
            { text: formatTime(ticket.issuedAt, locale) },
          ])} />
      )}
      <p class="tb-body"><a href={`/halls/${hall.id}/screen`}>{t('scheduling.halls.screen', { hall: hall.name[locale] })}</a></p>
    </Layout>,
  );
}

/**
 * `/halls/:id/screen`: the numbers called, for the hall's display and for anyone waiting. Updated
 * by the `Refresh` header (no JavaScript), which the page lets a reader turn off.
 */
export function renderScreenPage(context: PageContext, hall: Hall, tickets: readonly Ticket[], refresh: boolean): string {
  const { t, locale } = context;
  const title = t('scheduling.screen.title', { hall: hall.name[locale] });
  const called = tickets.filter((x) => x.calledAt !== undefined).sort((a, b) => (b.calledAt?.getTime() ?? 0) - (a.calledAt?.getTime() ?? 0));
  const latest = called[0];
  const waiting = tickets.filter((x) => x.status === 'waiting').length;
  return renderPage(
    <Layout {...context} title={title} showAccount={false}>
      <h1 class="tb-heading-l">{title}</h1>
      {latest ? (
        <Panel title={latest.label} headingLevel={2}>{t('scheduling.screen.goTo', { counter: counterNumber(hall, latest.counterId) ?? 0 })}</Panel>
      ) : <p class="tb-heading-m">{t('scheduling.screen.none')}</p>}
      <p class="tb-heading-m">{t('scheduling.screen.waiting', { count: waiting })}</p>
      {called.length > 0 ? (
        <Table caption={t('scheduling.screen.recent')} head={[t('scheduling.field.ticket'), t('scheduling.field.counter')]}
          rows={called.slice(0, 10).map((ticket) => [
            { text: <span class="tb-heading-xl">{ticket.label}</span> },
            { text: <span class="tb-heading-xl">{t('scheduling.counterNumber', { number: counterNumber(hall, ticket.counterId) ?? 0 })}</span> },
          ])} />
      ) : null}
      <p class="tb-body">
        {refresh ? t('scheduling.screen.updating') : t('scheduling.screen.paused')}{' '}
        <a href={`/halls/${hall.id}/screen${refresh ? '?refresh=off' : ''}`}>{t(refresh ? 'scheduling.screen.stop' : 'scheduling.screen.start')}</a>
      </p>
    </Layout>,
  );
}
