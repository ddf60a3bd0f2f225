import type { VNode } from 'preact';
import { BackLink, Button, ErrorSummary, Layout, Panel, Radios, renderPage, SummaryList } from '../../ui/index.js';
import { dayInstant, formatDay, formatTime, formatWhen } from './format.js';
import './messages.js';
import { Carry, CsrfField, type PageContext } from './pages-shared.js';
import type { AppointmentSummary, BookingContext, DayAvailability, Hall, TimeAvailability } from './service.js';

/** An error on a step: the field it belongs to and the message key. */
export interface StepError { readonly field: 'hall' | 'day' | 'time'; readonly key: string }

const base = (context: BookingContext) => `/applications/${context.subject.applicationId}/appointment`;

function Step(props: { context: PageContext; booking: BookingContext; title: string; back: string; error?: StepError | undefined; children: VNode | VNode[] }): string {
  const { t, locale } = props.context;
  return renderPage(
    <Layout {...props.context} title={props.title} hasErrors={props.error !== undefined} beforeContent={<BackLink href={props.back} />}>
      <ErrorSummary errors={props.error ? [{ fieldId: props.error.field, text: t(props.error.key) }] : []} />
      <span class="tb-caption">{props.booking.serviceName[locale]} · {props.booking.subject.applicationReference ?? ''}</span>
      {props.booking.current ? <p class="tb-body">{t('scheduling.book.changing', { when: formatWhen(props.booking.current.startsAt, locale) })}</p> : null}
      {props.children}
    </Layout>,
  );
}

/** Step 1: which hall. */
export function renderHallPage(context: PageContext, booking: BookingContext, halls: readonly Hall[], options: { chosen?: string | undefined; error?: StepError | undefined } = {}): string {
  const { t, locale } = context;
  const title = t('scheduling.book.hallTitle');
  return Step({
    context, booking, title, back: `/applications/${booking.subject.applicationId}`, error: options.error,
    children: halls.length === 0 ? <><h1 class="tb-heading-l">{title}</h1><p class="tb-body">{t('scheduling.book.noHalls')}</p></> : (
      <form method="get" action={`${base(booking)}/day`} noValidate>
        <Radios name="hall" label={title} isPageHeading value={options.chosen} error={options.error ? t(options.error.key) : undefined}
          items={halls.map((h) => ({ value: h.id, text: h.name[locale], hint: h.address[locale] }))} />
        <Button type="submit">{t('scheduling.continue')}</Button>
      </form>
    ),
  });
}

/** Step 2: which day, among those with free places. */
export function renderDayPage(context: PageContext, booking: BookingContext, hall: Hall, days: readonly DayAvailability[], options: { chosen?: string | undefined; error?: StepError | undefined } = {}): string {
  const { t, locale } = context;
  const title = t('scheduling.book.dayTitle');
  return Step({
    context, booking, title, back: `${base(booking)}/hall?hall=${encodeURIComponent(hall.id)}`, error: options.error,
    children: days.length === 0 ? <><h1 class="tb-heading-l">{title}</h1><p class="tb-body">{t('scheduling.book.noDays')}</p></> : (
      <form method="get" action={`${base(booking)}/time`} noValidate>
        <Carry values={{ hall: hall.id }} />
        <Radios name="day" label={title} isPageHeading value={options.chosen} error={options.error ? t(options.error.key) : undefined}
          hint={t('scheduling.book.dayHint', { hall: hall.name[locale] })}
          items={days.map((d) => ({ value: d.day, text: formatDay(dayInstant(d.day), locale), hint: t('scheduling.book.places', { count: d.free }) }))} />
        <Button type="submit">{t('scheduling.continue')}</Button>
      </form>
    ),
  });
}

/** Step 3: which time that day. */
export function renderTimePage(context: PageContext, booking: BookingContext, hall: Hall, day: string, times: readonly TimeAvailability[], options: { chosen?: string | undefined; error?: StepError | undefined; status?: number } = {}): string {
  const { t, locale } = context;
  const title = t('scheduling.book.timeTitle');
  return Step({
    context, booking, title, back: `${base(booking)}/day?hall=${encodeURIComponent(hall.id)}&day=${day}`, error: options.error,
    children: times.length === 0 ? <><h1 class="tb-heading-l">{title}</h1><p class="tb-body">{t('scheduling.book.noTimes')}</p></> : (
      <form method="get" action={`${base(booking)}/confirm`} noValidate>
        <Carry values={{ hall: hall.id, day }} />
        <Radios name="time" label={title} isPageHeading value={options.chosen} error={options.error ? t(options.error.key) : undefined}
          hint={formatDay(dayInstant(day), locale)}
          items={times.map((s) => ({ value: s.time, text: formatTime(s.startsAt, locale), hint: t('scheduling.book.places', { count: s.free }) }))} />
        <Button type="submit">{t('scheduling.continue')}</Button>
      </form>
    ),
  });
}

/** Step 4: check and confirm (the only POST of the journey). */
export function renderConfirmPage(context: PageContext, booking: BookingContext, hall: Hall, choice: { day: string; time: string; startsAt: Date }): string {
  const { t, locale } = context;
  const title = t(booking.current ? 'scheduling.confirm.titleChange' : 'scheduling.confirm.title');
  const back = `${base(booking)}/time?hall=${encodeURIComponent(hall.id)}&day=${choice.day}&time=${choice.time}`;
  return renderPage(
    <Layout {...context} title={title} beforeContent={<BackLink href={back} />}>
      <span class="tb-caption">{booking.serviceName[locale]} · {booking.subject.applicationReference ?? ''}</span>
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('scheduling.field.hall'), value: hall.name[locale], change: { href: `${base(booking)}/hall?hall=${encodeURIComponent(hall.id)}`, visuallyHiddenText: t('scheduling.field.hall') } },
        { key: t('scheduling.field.address'), value: hall.address[locale] },
        { key: t('scheduling.field.day'), value: formatDay(choice.startsAt, locale), change: { href: `${base(booking)}/day?hall=${encodeURIComponent(hall.id)}&day=${choice.day}`, visuallyHiddenText: t('scheduling.field.day') } },
        { key: t('scheduling.field.time'), value: formatTime(choice.startsAt, locale), change: { href: back, visuallyHiddenText: t('scheduling.field.time') } },
      ]} />
      <p class="tb-body">{t('scheduling.confirm.bring')}</p>
      <form method="post" action={base(booking)}>
        <CsrfField token={context.csrfToken} />
        <Carry values={{ hall: hall.id, day: choice.day, time: choice.time }} />
        <Button type="submit">{t(booking.current ? 'scheduling.confirm.submitChange' : 'scheduling.confirm.submit')}</Button>
      </form>
    </Layout>,
  );
}

function AppointmentRows({ context, appointment }: { context: PageContext; appointment: AppointmentSummary }): VNode {
  const { t, locale } = context;
  return (
    <SummaryList rows={[
      { key: t('scheduling.field.when'), value: <time dateTime={appointment.startsAt.toISOString()}>{formatWhen(appointment.startsAt, locale)}</time> },
      { key: t('scheduling.field.hall'), value: appointment.hallName[locale] },
      { key: t('scheduling.field.address'), value: appointment.hallAddress[locale] },
      { key: t('scheduling.field.counter'), value: t('scheduling.counterNumber', { number: appointment.counterNumber }) },
    ]} />
  );
}

/** After booking or changing: the reference to give at the hall. */
export function renderDonePage(context: PageContext, booking: BookingContext, appointment: AppointmentSummary, changed: boolean): string {
  const { t } = context;
  const title = t(changed ? 'scheduling.done.titleChanged' : 'scheduling.done.title');
  return renderPage(
    <Layout {...context} title={title}>
      <Panel title={title}>{t('scheduling.done.reference')}<br /><strong>{appointment.reference}</strong></Panel>
      <AppointmentRows context={context} appointment={appointment} />
      <h2 class="tb-heading-m">{t('scheduling.done.nextTitle')}</h2>
      <p class="tb-body">{t('scheduling.done.next')}</p>
      <p class="tb-body"><a href={`/applications/${booking.subject.applicationId}`}>{t('scheduling.done.back')}</a></p>
    </Layout>,
  );
}

/** "Are you sure?" before cancelling. */
export function renderCancelPage(context: PageContext, booking: BookingContext, appointment: AppointmentSummary): string {
  const { t, locale } = context;
  const title = t('scheduling.cancel.title');
  const back = `/applications/${booking.subject.applicationId}`;
  return renderPage(
    <Layout {...context} title={title} beforeContent={<BackLink href={back} />}>
      <span class="tb-caption">{booking.serviceName[locale]} · {booking.subject.applicationReference ?? ''}</span>
      <h1 class="tb-heading-l">{title}</h1>
      <AppointmentRows context={context} appointment={appointment} />
      <p class="tb-body">{t('scheduling.cancel.warning')}</p>
      <form method="post" action={`${base(booking)}/cancel`}>
        <CsrfField token={context.csrfToken} />
        <div class="tb-button-group">
          <Button type="submit" variant="warning">{t('scheduling.cancel.confirm')}</Button>
          <a href={back}>{t('scheduling.cancel.keep')}</a>
        </div>
      </form>
    </Layout>,
  );
}

export function renderCancelledPage(context: PageContext, booking: BookingContext): string {
  const { t } = context;
  const title = t('scheduling.cancelled.title');
  return renderPage(
    <Layout {...context} title={title}>
      <Panel title={title} />
      <p class="tb-body">{t('scheduling.cancelled.body')}</p>
      <p class="tb-body"><a href={`/applications/${booking.subject.applicationId}`}>{t('scheduling.done.back')}</a></p>
    </Layout>,
  );
}
