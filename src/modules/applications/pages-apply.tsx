import type { FieldError, FormContext, RawValue, SummaryRow } from '../../forms/index.js';
import { BackLink, Button, Checkboxes, ErrorSummary, InsetText, Layout, Panel, renderPage, SummaryList, Tag } from '../../ui/index.js';
import { inSentence, PrefillNotice } from './pages-prefill.js';
import { chinaDayText, CsrfField, FieldErrorSummary, Lines, stepHref, type PageContext } from './pages-shared.js';
import { formatDueDay } from './pages-status.js';
import { DOCUMENTS_PAGE, draftKeptUntil, type DocumentInfo, type Draft, type Step } from './service.js';

export interface FormPageView {
  readonly draft: Draft;
  readonly pageId: string;
  readonly errors: readonly FieldError[];
  readonly raw?: Readonly<Record<string, RawValue>> | undefined;
  readonly back: Step | undefined;
  /** Came from "check your answers": go back there after this page. */
  readonly returnToCheck: boolean;
  /** Today, for the form's conditions. */
  readonly ctx: FormContext;
  /** After "save and come back later": the errors are answers that were not saved; say so. */
  readonly notSaved?: boolean;
}

/** One page of the application (a form page, or the documents page), with its own chrome. */
export function renderFormPage(context: PageContext, view: FormPageView): string {
  const { t, locale } = context;
  const { draft, pageId } = view;
  const documents = pageId === DOCUMENTS_PAGE;
  const form = documents ? draft.documentsForm : draft.form;
  if (!form) throw new Error('no documents step for this service');
  const page = form.pages.find((p) => p.id === pageId);
  if (!page) throw new Error(`no page ${pageId}`);
  const title = documents ? t('applications.documents.title') : page.title[locale];
  const values = documents ? draft.documents : draft.answers;
  const hasFile = page.fields.some((f) => f.type === 'file');
  const id = draft.application.id;
  const action = documents ? `/applications/${id}/documents` : `/applications/${id}/pages/${encodeURIComponent(pageId)}`;
  const back = view.returnToCheck ? `/applications/${id}/check` : view.back ? stepHref(id, view.back) : undefined;
  return renderPage(
    <Layout {...context} title={title} hasErrors={view.errors.length > 0} beforeContent={back ? <BackLink href={back} /> : undefined}>
      <FieldErrorSummary errors={view.errors} text={(e) => form.errorText(e, locale)} />
      <span class="tb-caption">
        {draft.service.definition.name[locale]}
        {draft.application.channel === 'counter' ? ` · ${t('applications.counter.caption')}` : ''}
      </span>
      <h1 class="tb-heading-l">{title}</h1>
      {view.notSaved ? <p class="tb-body" id="not-saved">{t('applications.page.notSaved')}</p> : null}
      {documents ? <p class="tb-body">{t('applications.documents.intro')}</p> : null}
      {!documents && draft.prefill && page.fields.some((f) => draft.prefill?.fields.has(f.id))
        ? <PrefillNotice marks={draft.prefill} t={t} locale={locale} href={`/applications/${id}/prefill/report?back=${encodeURIComponent(action)}`} />
        : null}
      <form method="post" action={action} noValidate {...(hasFile ? { enctype: 'multipart/form-data' } : {})}>
        <CsrfField token={context.csrfToken} />
        {view.returnToCheck ? <input type="hidden" name="_return" value="check" /> : null}
        {form.renderPage(pageId, { values, raw: view.raw ?? {}, errors: view.errors, locale, t, ctx: view.ctx })}
        <div class="tb-button-group">
          <Button type="submit" name="_save" value="continue">{t('applications.page.continue')}</Button>
          <Button type="submit" name="_save" value="later" variant="secondary" formNoValidate>{t('applications.page.saveLater')}</Button>
        </div>
      </form>
    </Layout>,
  );
}

export interface CheckView {
  readonly draft: Draft;
  readonly rows: readonly SummaryRow[];
  readonly documents: readonly DocumentInfo[];
  readonly resume: Step;
  readonly declarationError?: string | undefined;
  /** Check-your-answers rows of prefilled fields, by change link (prefill.ts markedRowTargets). */
  readonly prefillRows?: ReadonlyMap<string, { readonly field: string; readonly changed: boolean }> | undefined;
}

/** "Check your answers", the declaration and the submit button. */
export function renderCheckPage(context: PageContext, view: CheckView): string {
  const { t, locale } = context;
  const { draft } = view;
  const id = draft.application.id;
  const title = t('applications.check.title');
  const complete = view.resume.kind === 'check';
  const counter = draft.application.channel === 'counter';
  const docs = draft.service.definition.documents;
  const marks = draft.prefill;
  // A row is marked by the field its change link points at (the form engine's `page#input`).
  const marked = (href: string) => (marks ? view.prefillRows?.get(href) : undefined);
  return renderPage(
    <Layout {...context} title={title} hasErrors={Boolean(view.declarationError)}>
      {view.declarationError ? <ErrorSummary errors={[{ fieldId: 'declaration', text: view.declarationError }]} /> : null}
      <span class="tb-caption">{draft.service.definition.name[locale]}</span>
      <h1 class="tb-heading-l">{title}</h1>
      <h2 class="tb-heading-m">{t('applications.check.answers')}</h2>
      {marks ? <PrefillNotice marks={marks} t={t} locale={locale} check href={`/applications/${id}/prefill/report?back=${encodeURIComponent(`/applications/${id}/check`)}`} /> : null}
      <SummaryList rows={view.rows.map((row) => ({
        key: row.label,
        value: <><Lines value={row.value} />{marks && marked(row.changeHref) ? (
          <><br /><Tag colour={marked(row.changeHref)?.changed ? 'yellow' : 'grey'}>
            {marked(row.changeHref)?.changed ? t('applications.prefill.tagChanged') : t('applications.prefill.tag', { registry: inSentence(marks.registryName, locale) })}
          </Tag></>
        ) : null}</>,
        change: { href: `/applications/${id}/pages/${row.changeHref.replace('#', '?return=check#')}`, visuallyHiddenText: row.label },
      }))} />
      {docs.length > 0 ? (
        <>
          <h2 class="tb-heading-m">{t('applications.check.documents')}</h2>
          <SummaryList rows={docs.map((d) => {
            const file = view.documents.find((f) => f.slot === d.id);
            return {
              key: d.name[locale],
              value: file ? file.name : t('applications.check.notUploaded'),
              change: { href: `/applications/${id}/documents?return=check#${d.id}`, visuallyHiddenText: d.name[locale] },
            };
          })} />
        </>
      ) : null}
      <p class="tb-body" id="draft-retention">{t('applications.retention.until', { date: chinaDayText(draftKeptUntil(draft.application.updatedAt), locale) })}</p>
      {complete ? (
        <form method="post" action={`/applications/${id}/submit`} noValidate>
          <CsrfField token={context.csrfToken} />
          <h2 class="tb-heading-m">{t('applications.declaration.title')}</h2>
          <Checkboxes name="declaration" label={t('applications.declaration.legend')} error={view.declarationError}
            items={[{ value: 'yes', text: t(counter ? 'applications.declaration.counter' : 'applications.declaration.online') }]} />
          <Button type="submit">{t('applications.check.submit')}</Button>
        </form>
      ) : (
        <InsetText>
          <p class="tb-body">{t('applications.check.incomplete')}</p>
          <a href={stepHref(id, view.resume)}>{t('applications.check.continue')}</a>
        </InsetText>
      )}
    </Layout>,
  );
}

/** After submitting: the reference in a panel, and what happens next. */
export function renderConfirmationPage(context: PageContext, view: { reference: string; serviceName: string; counter: boolean; id: string; dueAt: Date }): string {
  const { t } = context;
  const title = t('applications.confirmation.title');
  return renderPage(
    <Layout {...context} title={title}>
      <Panel title={title} headingLevel={1}>
        {t('applications.confirmation.reference')}<br /><strong>{view.reference}</strong>
      </Panel>
      <p class="tb-body">{t('applications.confirmation.service', { service: view.serviceName })}</p>
      <h2 class="tb-heading-m">{t('applications.confirmation.next')}</h2>
      <p class="tb-body">{t('applications.status.dueBy', { day: formatDueDay(view.dueAt, context.locale) })}</p>
      {view.counter ? (
        <>
          <p class="tb-body">{t('applications.confirmation.counterNext')}</p>
          <p class="tb-body"><a href="/counter">{t('applications.confirmation.counterAnother')}</a></p>
        </>
      ) : (
        <>
          <p class="tb-body">{t('applications.confirmation.onlineNext')}</p>
          <p class="tb-body"><a href={`/applications/${view.id}`}>{t('applications.confirmation.track')}</a></p>
        </>
      )}
    </Layout>,
  );
}
