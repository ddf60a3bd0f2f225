import { purposeText } from '../../kernel/audit/index.js';
import type { FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { principalOf } from '../../kernel/auth/index.js';
import { SummaryList } from '../../ui/index.js';
import { Lines, Panels, When } from './pages-shared.js';
import { extensionOf, type ApplicationsService, type StaffView } from './service.js';
import './messages.js';

/** Why the back office reads an application; shown to the person on "who used my data". */
export const CASE_HANDLING_PURPOSE = purposeText('applications.purpose.backOffice');

/** How each channel is named to staff; a new channel fails to compile until it has a name. */
const CHANNEL_MESSAGES: Readonly<Record<StaffView['application']['channel'], string>> = {
  online: 'applications.staff.online', counter: 'applications.staff.counter', api: 'applications.staff.api',
};

/** The application's part of a back-office case page: answers, documents, answered requests. */
export function StaffApplication({ view, request }: { view: StaffView; request: Pick<FastifyRequest, 't' | 'locale'> }): VNode {
  const { t, locale } = request;
  const app = view.application;
  return (
    <section aria-labelledby="application-heading">
      <h2 class="tb-heading-m" id="application-heading">{t('applications.staff.title')}</h2>
      <SummaryList rows={[
        { key: t('applications.staff.reference'), value: app.reference ?? '' },
        { key: t('applications.staff.service'), value: view.serviceName[locale] },
        { key: t('applications.staff.channel'), value: t(CHANNEL_MESSAGES[app.channel]) },
        { key: t('applications.staff.idNumber'), value: view.applicantIdNumber ?? t('applications.staff.unknown') },
        ...(app.submittedAt ? [{ key: t('applications.staff.submitted'), value: <When at={app.submittedAt} locale={locale} /> }] : []),
      ]} />
      <Panels panels={view.panels} level={3} />
      <h3 class="tb-heading-s">{t('applications.staff.answers')}</h3>
      <SummaryList rows={view.rows.map((row) => ({ key: row.label, value: <Lines value={row.value} /> }))} />
      <h3 class="tb-heading-s">{t('applications.staff.documents')}</h3>
      {view.documents.length === 0 ? <p class="tb-body">{t('applications.status.noDocuments')}</p> : (
        <SummaryList rows={view.documents.map((d) => ({
          key: d.label[locale],
          value: <a href={`/applications/${app.id}/files/${d.id}`} download={`${app.reference ?? app.id}-${d.slot}.${extensionOf(d.type)}`}>{d.name}</a>,
        }))} />
      )}
      {view.tasks.length > 0 ? (
        <>
          <h3 class="tb-heading-s">{t('applications.status.requests')}</h3>
          <SummaryList rows={view.tasks.map((task) => ({ key: task.question, value: task.answer === null ? t('applications.staff.notAnswered') : <Lines value={task.answer} /> }))} />
        </>
      ) : null}
    </section>
  );
}

/**
 * What the workflow's case page calls to show the application: reads it for the signed-in member
 * of staff (audited as `application.view` with the case-handling purpose) and renders it.
 */
export function createStaffRenderer(applications: Pick<ApplicationsService, 'viewForStaff'>) {
  return async function renderApplicationForStaff(caseId: string, request: FastifyRequest): Promise<VNode> {
    const view = await applications.viewForStaff(caseId, principalOf(request), CASE_HANDLING_PURPOSE, { locale: request.locale, requestId: request.id });
    return <StaffApplication view={view} request={request} />;
  };
}
