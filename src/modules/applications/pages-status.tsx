import type { VNode } from 'preact';
import { BackLink, Button, ErrorSummary, Layout, NotificationBanner, renderPage, SummaryList, Table, Tag, Textarea } from '../../ui/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import { dueDay } from '../workflow/service.js';
import { chinaDayText, CsrfField, Lines, Panels, When, type PageContext } from './pages-shared.js';
import { DRAFT_RETENTION_DAYS, draftKeptUntil, extensionOf, type ApplicantView, type DocumentInfo, type ListItem } from './service.js';
import { REASONS_SHOWN } from './applicant.js';

const DAY_FORMATS: Record<Locale, Intl.DateTimeFormat> = {
  'zh-CN': new Intl.DateTimeFormat('zh-CN', { dateStyle: 'medium', timeZone: 'UTC' }),
  en: new Intl.DateTimeFormat('en', { dateStyle: 'medium', timeZone: 'UTC' }),
};

/**
 * The last day of the case's deadline (a Shanghai day, workflow's `dueDay`), written as the
 * officer's back office writes it: the applicant and the officer see the same day.
 */
export function formatDueDay(dueAt: Date, locale: Locale): string {
  return DAY_FORMATS[locale].format(new Date(`${dueDay(dueAt)}T00:00:00Z`));
}

/** "My applications": drafts to continue and submitted cases with their status. */
export function renderListPage(context: PageContext, items: readonly ListItem[], options: { saved?: boolean } = {}): string {
  const { t, locale } = context;
  const title = t('applications.list.title');
  const drafts = items.filter((i) => i.application.status === 'draft');
  const submitted = items.filter((i) => i.application.status === 'submitted');
  return renderPage(
    <Layout {...context} title={title}>
      {options.saved ? <NotificationBanner type="success"><p class="tb-body">{t('applications.list.saved')}</p></NotificationBanner> : null}
      <h1 class="tb-heading-l">{title}</h1>
      {items.length === 0 ? (
        <p class="tb-body">{t('applications.list.none')} <a href="/services">{t('applications.list.find')}</a></p>
      ) : null}
      {drafts.length > 0 ? (
        <>
          <Table caption={t('applications.list.drafts')} captionSize="m"
            head={[t('applications.list.service'), t('applications.list.lastSaved'), t('applications.list.keptUntil'), '']}
            rows={drafts.map((i) => [
              i.serviceName[locale],
              <When at={i.application.updatedAt} locale={locale} />,
              chinaDayText(draftKeptUntil(i.application.updatedAt), locale),
              <a href={`/applications/${i.application.id}`}>{t('applications.list.continue')}<span class="tb-visually-hidden"> {i.serviceName[locale]}</span></a>,
            ])} />
          <p class="tb-body" id="draft-retention">{t('applications.list.retention', { days: DRAFT_RETENTION_DAYS })}</p>
        </>
      ) : null}
      {submitted.length > 0 ? (
        <Table caption={t('applications.list.submitted')} captionSize="m"
          head={[t('applications.list.reference'), t('applications.list.service'), t('applications.list.submittedOn'), t('applications.list.status')]}
          rows={submitted.map((i) => [
            <a href={`/applications/${i.application.id}`}>{i.application.reference}</a>,
            i.serviceName[locale],
            i.application.submittedAt ? <When at={i.application.submittedAt} locale={locale} /> : '',
            <Tag colour={i.final ? 'grey' : 'blue'}>{i.statusName?.[locale] ?? ''}</Tag>,
          ])} />
      ) : null}
    </Layout>,
  );
}

function Documents({ id, documents, context }: { id: string; documents: readonly DocumentInfo[]; context: PageContext }): VNode {
  const { t, locale } = context;
  if (documents.length === 0) return <p class="tb-body">{t('applications.status.noDocuments')}</p>;
  return (
    <SummaryList rows={documents.map((d) => ({
      key: d.label[locale],
      value: <a href={`/applications/${id}/files/${d.id}`} download={`${d.slot}.${extensionOf(d.type)}`}>{d.name}</a>,
    }))} />
  );
}

export interface StatusPageOptions {
  readonly answerError?: string | undefined;
  readonly answerTyped?: string | undefined;
  readonly banner?: 'answered' | 'withdrawn' | undefined;
}

/** The application's own page: status, timeline, open request, answers, documents, withdraw. */
export function renderStatusPage(context: PageContext, view: ApplicantView, options: StatusPageOptions = {}): string {
  const { t, locale } = context;
  const { application: app, case: kase } = view;
  const title = view.serviceName[locale];
  const open = view.tasks.find((task) => task.answeredAt === null);
  const canAnswer = open && kase.allowedActions.applicant.includes('answer_info');
  const canWithdraw = kase.allowedActions.applicant.includes('withdraw');
  const stateName = (id: string | null) => kase.definition.states.find((s) => s.id === id)?.name[locale] ?? id ?? '';
  return renderPage(
    <Layout {...context} title={title} hasErrors={Boolean(options.answerError)} beforeContent={<BackLink href="/applications" text={t('applications.status.back')} />}>
      {options.answerError ? <ErrorSummary errors={[{ fieldId: 'answer', text: options.answerError }]} /> : null}
      {options.banner ? <NotificationBanner type="success"><p class="tb-body">{t(options.banner === 'answered' ? 'applications.status.answered' : 'applications.status.withdrawn')}</p></NotificationBanner> : null}
      <span class="tb-caption">{t('applications.status.reference', { reference: app.reference ?? '' })}</span>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('applications.status.current')} <Tag colour={kase.final ? 'grey' : 'blue'}>{kase.statusName[locale]}</Tag></p>
      {kase.final ? null : <p class="tb-body">{t('applications.status.dueBy', { day: formatDueDay(kase.dueAt, locale) })}</p>}
      <Panels panels={view.panels} />
      {canAnswer && open ? (
        <section aria-labelledby="request-heading">
          <h2 class="tb-heading-m" id="request-heading">{t('applications.status.requestTitle')}</h2>
          <p class="tb-body"><Lines value={open.question} /></p>
          <form method="post" action={`/applications/${app.id}/answer`} noValidate>
            <CsrfField token={context.csrfToken} />
            <input type="hidden" name="task" value={open.id} />
            <Textarea name="answer" label={t('applications.answer.label')} hint={t('applications.answer.hint')} error={options.answerError} value={options.answerTyped ?? ''} />
            <Button type="submit">{t('applications.answer.send')}</Button>
          </form>
        </section>
      ) : null}
      <h2 class="tb-heading-m">{t('applications.status.timeline')}</h2>
      <ol class="tb-list">
        {kase.history.map((entry) => (
          <li key={entry.seq}>
            <p class="tb-body"><strong>{stateName(entry.to)}</strong> · <When at={entry.at} locale={locale} /></p>
            {entry.reason && REASONS_SHOWN.has(entry.action) ? <p class="tb-body-s"><Lines value={entry.reason} /></p> : null}
          </li>
        ))}
      </ol>
      <h2 class="tb-heading-m">{t('applications.status.answers')}</h2>
      <SummaryList rows={view.rows.map((row) => ({ key: row.label, value: <Lines value={row.value} /> }))} />
      <h2 class="tb-heading-m">{t('applications.status.documents')}</h2>
      <Documents id={app.id} documents={view.documents} context={context} />
      {view.tasks.some((task) => task.answeredAt !== null) ? (
        <>
          <h2 class="tb-heading-m">{t('applications.status.requests')}</h2>
          <SummaryList rows={view.tasks.filter((task) => task.answer !== null).map((task) => ({ key: task.question, value: <Lines value={task.answer ?? ''} /> }))} />
        </>
      ) : null}
      {canWithdraw ? <p class="tb-body"><a href={`/applications/${app.id}/withdraw`}>{t('applications.withdraw.link')}</a></p> : null}
    </Layout>,
  );
}

/** "Are you sure?": withdrawing cannot be undone. */
export function renderWithdrawPage(context: PageContext, view: ApplicantView): string {
  const { t, locale } = context;
  const title = t('applications.withdraw.title');
  const id = view.application.id;
  return renderPage(
    <Layout {...context} title={title} beforeContent={<BackLink href={`/applications/${id}`} />}>
      <span class="tb-caption">{view.serviceName[locale]} · {view.application.reference}</span>
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('applications.withdraw.warning')}</p>
      <form method="post" action={`/applications/${id}/withdraw`}>
        <CsrfField token={context.csrfToken} />
        <div class="tb-button-group">
          <Button type="submit" variant="warning">{t('applications.withdraw.confirm')}</Button>
          <a href={`/applications/${id}`}>{t('applications.withdraw.cancel')}</a>
        </div>
      </form>
    </Layout>,
  );
}
