import type { VNode } from 'preact';
import { BackLink, Button, ErrorSummary, InsetText, Layout, NotificationBanner, renderPage, SummaryList, Table, TextInput } from '../../ui/index.js';
import type { LocalizedText } from '../catalog/service.js';
import { CsrfField, When, type PageContext } from './pages-shared.js';
import type { CounterAction, CounterCase, VisitCase } from './service.js';

/** The one field of the find form; its error links here. */
export const PERSON_FIELD = 'person';
/** Where a refused step's error links: the case's steps. */
const ACTIONS_ID = 'visit-actions';

export interface VisitsPageView {
  readonly waiting: { readonly total: number; readonly items: readonly CounterCase[] };
  readonly typed?: string | undefined;
  /** The find form's error, already translated. */
  readonly error?: string | undefined;
  /** The person's cases, after a find. */
  readonly found?: readonly VisitCase[] | undefined;
  readonly recorded?: { readonly reference: string | null; readonly label: LocalizedText } | undefined;
}

/** One form per case: a button per step the clerk may take, posted to the case's address. */
function Steps({ context, id, actions }: { context: PageContext; id: string; actions: readonly CounterAction[] }): VNode {
  const { t, locale } = context;
  if (actions.length === 0) return <InsetText>{t('applications.visits.noStep')}</InsetText>;
  return (
    <form method="post" action={`/counter/visits/${id}`} noValidate>
      <CsrfField token={context.csrfToken} />
      {actions.map((a) => <Button key={a.id} name="action" value={a.id}>{a.label[locale]}</Button>)}
    </form>
  );
}

/** `/counter/visits`: find the person's cases by ID number (POST: never in an address) and record their steps; the cases waiting. */
export function renderVisitsPage(context: PageContext, view: VisitsPageView): string {
  const { t, locale } = context;
  const title = t('applications.visits.title');
  const { waiting } = view;
  return renderPage(
    <Layout {...context} title={title} hasErrors={view.error !== undefined}>
      <ErrorSummary errors={view.error ? [{ fieldId: PERSON_FIELD, text: view.error }] : []} />
      {view.recorded ? (
        <NotificationBanner type="success">
          <p class="tb-body">{t('applications.visits.recorded', { action: view.recorded.label[locale], reference: view.recorded.reference ?? '' })}</p>
        </NotificationBanner>
      ) : null}
      <h1 class="tb-heading-l">{title}</h1>
      <p class="tb-body">{t('applications.visits.intro')}</p>
      <form method="post" action="/counter/visits" noValidate>
        <CsrfField token={context.csrfToken} />
        <TextInput name={PERSON_FIELD} label={t('applications.visits.person')} hint={t('applications.visits.personHint')} value={view.typed ?? ''}
          error={view.error} width={20} autocomplete="off" spellcheck={false} />
        <Button>{t('applications.visits.find')}</Button>
      </form>
      {view.found ? (
        <section aria-labelledby="visits-found">
          <h2 class="tb-heading-m" id="visits-found">{t('applications.visits.found')}</h2>
          {view.found.length === 0 ? <InsetText>{t('applications.visits.none')}</InsetText> : view.found.map((c) => (
            <div key={c.id}>
              <h3 class="tb-heading-s">{t('applications.visits.caseHeading', { reference: c.reference ?? c.id })}</h3>
              <SummaryList rows={[
                { key: t('applications.visits.applicant'), value: c.applicantName ?? t('applications.visits.noName') },
                { key: t('applications.visits.service'), value: c.serviceName[locale] },
                { key: t('applications.visits.submitted'), value: <When at={c.submittedAt} locale={locale} /> },
                { key: t('applications.visits.status'), value: c.statusName[locale] },
              ]} />
              <Steps context={context} id={c.id} actions={c.actions} />
            </div>
          ))}
        </section>
      ) : null}
      <section aria-labelledby="visits-waiting">
        <h2 class="tb-heading-m" id="visits-waiting">{t('applications.visits.waiting')}</h2>
        <p class="tb-body">{t('applications.visits.waitingCount', { count: waiting.total })}
          {waiting.items.length < waiting.total ? <> {t('applications.visits.waitingShown', { count: waiting.items.length })}</> : null}</p>
        {waiting.items.length > 0 ? (
          <Table caption={t('applications.visits.waiting')} head={[t('applications.visits.reference'), t('applications.visits.service'), t('applications.visits.submitted'), t('applications.visits.status')]}
            rows={waiting.items.map((c) => [
              <a href={`/counter/visits/${c.id}`}>{c.reference ?? c.id}</a>, c.serviceName[locale], <When at={c.submittedAt} locale={locale} />, c.statusName[locale],
            ])} />
        ) : null}
      </section>
    </Layout>,
  );
}

/** `/counter/visits/:id`: one case waiting at the counter (no names), its steps, and why a step was refused. */
export function renderVisitCasePage(context: PageContext, view: { case: Omit<VisitCase, 'applicantName'>; refusal?: 'already' | 'own' | 'not_allowed' | undefined }): string {
  const { t, locale } = context;
  const c = view.case;
  const title = t('applications.visits.caseHeading', { reference: c.reference ?? c.id });
  const refusal = view.refusal ? t(view.refusal === 'already' ? 'applications.visits.already' : view.refusal === 'own' ? 'applications.visits.own' : 'applications.visits.notAllowed') : undefined;
  return renderPage(
    <Layout {...context} title={title} hasErrors={refusal !== undefined}>
      <BackLink href="/counter/visits" text={t('applications.visits.back')} />
      <ErrorSummary errors={refusal ? [{ fieldId: ACTIONS_ID, text: refusal }] : []} />
      <h1 class="tb-heading-l">{title}</h1>
      <SummaryList rows={[
        { key: t('applications.visits.service'), value: c.serviceName[locale] },
        { key: t('applications.visits.submitted'), value: <When at={c.submittedAt} locale={locale} /> },
        { key: t('applications.visits.status'), value: c.statusName[locale] },
      ]} />
      <div id={ACTIONS_ID} tabIndex={-1}>
        <Steps context={context} id={c.id} actions={c.actions} />
      </div>
    </Layout>,
  );
}
