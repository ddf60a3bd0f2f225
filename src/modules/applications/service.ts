import { purposeText } from '../../kernel/audit/index.js';
import type { Answers } from '../../forms/index.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { inChunks } from '../../kernel/db/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { CatalogService, ServiceVersion } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import type { MessagingService } from '../messaging/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { ApplicationsErrors } from './errors.js';
import { formContext } from './journey.js';
import { notFound, toApplication, type Application } from './model.js';
import { createApplicationsStore, type ApplicationRow, type Channel, type Executor } from './store.js';
import { createPanelRegistry } from './panels.js';
import { createStaffAccess } from './staff.js';
import { createClosingStep } from './closing.js';
import { createCounter } from './counter.js';
import { notifyApplicantOnTransitions, notifySupervisorsOnEscalation } from './notifications.js';
import { createApiChannel } from './api.js';
import { createKeptUploads } from './uploads.js';
import { registerDraftRetention } from './retention.js';
import { createPrefill } from './prefill.js';
import type { PrefillPort } from './prefill-port.js';
import { createPrefillSteps } from './prefill-steps.js';
import { createDrafts } from './drafts.js';
import { accountFacts } from './prefill-account.js';
import { createSubmission } from './submission.js';
import { createApplicantAccess } from './applicant.js';
import { createVisits } from './visits.js';
import { UUID } from '../../kernel/ids.js';
import './messages.js';

export { DOCUMENTS_PAGE, type Step, type Upload } from './journey.js';
export { REFERENCE_PATTERN, extensionOf } from './files.js';
export { ApplicationsErrors } from './errors.js';
export type { Channel } from './store.js';
export type { Application, DocumentInfo, Task } from './model.js';
export type { StaffView } from './staff.js';
export type { CasePanel, PanelAudience, PanelInput, PanelSource } from './panels.js';
export { COUNTER_PAGE, type CounterStart } from './counter.js';
export { agentPrincipal, postedPage, type ApiAgent, type JsonAnswers, type JsonResult, type SubmittedView } from './api.js';
export type { PrefillAgreement, PrefillConsentCheck, PrefillPort, PrefillRegistryInfo } from './prefill-port.js';
export type { PrefillItem, PrefillMarks, PrefillPlan, PrefillResult, PrefillStanding } from './prefill.js';
export { DRAFT_RETENTION_DAYS, draftKeptUntil } from './retention.js';
export { UPLOAD_LIFETIME_MS, type KeepResult, type KeptUpload, type UploadOwner } from './uploads.js';
export type { Draft, PagePost, PageResult } from './drafts.js';
export type { SubmitInput } from './submission.js';
export type { ApplicantView, ApplicationCopy, ListItem } from './applicant.js';
export type { CounterAction, CounterCase, VisitCase, VisitFind, VisitRecord } from './visits.js';

export interface Deps {
  readonly catalog: Pick<CatalogService, 'getCurrentService' | 'getServiceVersion' | 'searchServices' | 'listCategories' | 'listLifeEvents' | 'listAgencies'>;
  readonly workflow: Pick<WorkflowService, 'start' | 'act' | 'getCase' | 'onTransition' | 'setApplicantLookup' | 'queue' | 'availableActions' | 'isOwnApplication'>;
  readonly messaging: Pick<MessagingService, 'notify'>;
  /** Without `accountsWithRole` no supervisor is mailed of a missed deadline (the insights' history replay never escalates). */
  /** Without `auditSubjectByIdNumber` a counter application's reads are the person's only once linked to their account. */
  readonly identity: Pick<IdentityService, 'account'> & Partial<Pick<IdentityService, 'accountsWithRole' | 'auditSubjectByIdNumber'>>;
  /** Registries and consent, for the once-only prefill; without it no service prefills. */
  readonly prefill?: PrefillPort;
}


/**
 * Applications: drafts filled in page by page (online or at a counter: drafts.ts, counter.ts),
 * their documents, the one submission transaction (submission.ts), the applicant's view of the
 * case (applicant.ts), and the staff view (staff.ts). This file composes them and is the module's
 * only public face. See docs/adr/0013-applications.md.
 */
export function createApplicationsService(kernel: Kernel, deps: Deps) {
  const store = createApplicationsStore();
  const db: Executor = kernel.db;
  const ctx = () => formContext(kernel.now());
  // A person's online draft starts with what their own account says (docs/adr/0070).
  const accountFactsOf = async (accountId: string) => accountFacts(await deps.identity.account(accountId));
  const prefill = createPrefill({ kernel, port: deps.prefill, catalog: deps.catalog, accountFacts: accountFactsOf });

  const service = async (row: ApplicationRow): Promise<ServiceVersion> => {
    const found = await deps.catalog.getServiceVersion(row.service_id, row.service_version);
    if (!found) throw new Error(`Application ${row.id} refers to a service version that does not exist`);
    return found;
  };

  const find = async (id: string, executor: Executor = db): Promise<ApplicationRow | undefined> =>
    (UUID.test(id) ? store.get(executor, id.toLowerCase()) : undefined);

  const drafts = createDrafts({ kernel, store, prefill, find, service, ctx, accountFacts: accountFactsOf });
  // Drafts past their time are deleted with their files by a daily job (docs/adr/0065).
  registerDraftRetention({ kernel, store, messaging: deps.messaging, catalog: deps.catalog });
  const submission = createSubmission({ kernel, store, drafts: drafts.internal, workflow: deps.workflow, messaging: deps.messaging, ctx });
  const panels = createPanelRegistry();
  // Registers the request_info listener (the applicant's tasks) before the notifications' one.
  const applicant = createApplicantAccess({ kernel, store, identity: deps.identity, workflow: deps.workflow, panels, find, service, ctx });

  notifyApplicantOnTransitions({ workflow: deps.workflow, messaging: deps.messaging, catalog: deps.catalog, find });
  const staffWithRole = deps.identity.accountsWithRole?.bind(deps.identity);
  if (staffWithRole) notifySupervisorsOnEscalation({ kernel, workflow: deps.workflow, messaging: deps.messaging, catalog: deps.catalog, identity: { accountsWithRole: staffWithRole }, find });
  // Staff are refused every action on a case they applied for (workflow `decide`).
  deps.workflow.setApplicantLookup(async (tx, caseId) => (await find(caseId, tx))?.applicant_account_id);

  panels.addPanel('staff', prefill.staffPanel);
  /**
   * Whose data an application is, for the `subject` of an audit record: its applicant's account, or,
   * for a counter or API application not yet linked (that happens when the person opens "My
   * applications"), the account with its ID number, so that reads made before are theirs too.
   */
  const subjectOf = async (row: ApplicationRow): Promise<string | undefined> => row.applicant_account_id
    ?? (row.applicant_id_number && deps.identity.auditSubjectByIdNumber ? (await deps.identity.auditSubjectByIdNumber(row.applicant_id_number))?.id : undefined);
  const staff = createStaffAccess({ kernel, store, service, find, panels, getCase: (id) => deps.workflow.getCase(id), subjectOf });
  const counter = createCounter({ kernel, catalog: deps.catalog, createDraft: drafts.internal.createDraft });
  const prefillSteps = createPrefillSteps({ prefill, find, service, ctx });
  const visits = createVisits({ kernel, store, find, catalog: deps.catalog, workflow: deps.workflow, identity: deps.identity, authorise: staff.authorise });

  const self = {
    /** Starts (or resumes) the signed-in person's online draft for a service. */
    async startOnline(slug: string, person: Principal, locale: Locale): Promise<Application> {
      const version = await deps.catalog.getCurrentService(slug);
      if (!version || version.slug !== slug) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_SERVICE_UNAVAILABLE);
      const account = await deps.identity.account(person.accountId);
      return drafts.internal.createDraft({ service: version, editor: person, channel: 'online', applicantAccountId: person.accountId, idNumber: account?.idNumber ?? null, locale });
    },

    ...counter,
    ...visits,
    ...prefillSteps,
    ...drafts.pages,
    ...submission,
    ...applicant,
    formContext: ctx,

    /**
     * A document's bytes, for the applicant, the person filling in the draft, or staff of the agency
     * (audited). Once submitted, the clerk who submitted a counter application is staff like any
     * other: their later reads are checked against the agency and audited.
     */
    async file(id: string, fileId: string, viewer: Principal, options: { requestId?: string } = {}): Promise<{ content: Uint8Array; type: string; name: string }> {
      const row = await find(id);
      if (!row || !UUID.test(fileId)) throw notFound();
      const own = row.status === 'submitted'
        ? row.applicant_account_id === viewer.accountId || (row.channel === 'online' && row.submitted_by === viewer.accountId)
        : row.submitted_by === viewer.accountId;
      if (!own) staff.mayRead(row, viewer);
      const file = await store.getFile(db, row.id, fileId.toLowerCase());
      if (!file) throw notFound();
      // Recorded once the file is there: a download answering 404 read nothing of the person's.
      if (!own) await staff.recordRead(row, viewer, purposeText('applications.purpose.document'), { ...options, details: { fileId } });
      return { content: file.content, type: file.content_type, name: `${row.reference ?? row.id}-${file.slot.split(':')[1] ?? 'file'}` };
    },

    viewForStaff: staff.viewForStaff,
    summaryForStaff: staff.summaryForStaff,

    /** Lets another module add a section to the applicant's or the back office's page of an application. */
    addPanel: panels.addPanel,

    /** What closing the person's account does here: identity runs it (ADR 68; wired in src/modules/index.ts). */
    closingStep: createClosingStep({ kernel, store, listForPerson: (person) => applicant.listForPerson(person) }),

    /**
     * A submitted application with its answers and the service version it was made under, read
     * through the caller's executor (a transition listener's transaction: the documents module
     * fills a certificate from it). Undefined for a draft or an unknown id.
     */
    async submittedWithAnswers(id: string, executor: Executor = db): Promise<{ application: Application; answers: Answers; locale: string; service: ServiceVersion } | undefined> {
      const row = await find(id, executor);
      if (!row || row.status !== 'submitted') return undefined;
      const version = await deps.catalog.getServiceVersion(row.service_id, row.service_version, executor);
      if (!version) return undefined;
      return { application: toApplication(row), answers: row.answers, locale: row.locale, service: version };
    },

    /** The public home page's browse links. */
    async browse(): Promise<{ categories: { id: string; count: number }[]; lifeEvents: { id: string; count: number }[] }> {
      const [categories, lifeEvents] = await Promise.all([deps.catalog.listCategories(), deps.catalog.listLifeEvents()]);
      return { categories, lifeEvents };
    },

    /**
     * Whose data a submitted application is, for the `subject` of another module's audit record (a
     * bill looked at): the applicant's account, found by ID number before the application is linked.
     */
    async auditSubjectOf(id: string): Promise<string | undefined> {
      const row = await find(id);
      return row?.status === 'submitted' ? subjectOf(row) : undefined;
    },

    /** A submitted application by id or reference, without its answers: who applied, for what, how (for ratings). */
    async submittedSummary(idOrReference: string): Promise<Application | undefined> {
      const row = UUID.test(idOrReference) ? await find(idOrReference) : await store.getByReference(db, idOrReference.trim().toUpperCase());
      return row?.status === 'submitted' ? toApplication(row) : undefined;
    },

    /**
     * Which of these application ids are submitted applications: a set of ids, no personal data.
     * A report over many (the payments' reconciliation) asks once, a statement per thousand ids, not
     * a `submittedSummary` each; malformed ids are simply not submitted.
     */
    async submittedAmong(ids: readonly string[]): Promise<ReadonlySet<string>> {
      const wanted = [...new Set(ids.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
      const found = new Set<string>();
      for (const chunk of inChunks(wanted)) {
        for (const id of await store.submittedAmong(db, chunk)) found.add(id);
      }
      return found;
    },

    /** Every application's service, agency, channel, state and dates (no personal data): performance figures. */
    async facts(): Promise<{ id: string; serviceId: string; agencyCode: string; channel: Channel; status: 'draft' | 'submitted'; createdAt: Date; submittedAt: Date | null }[]> {
      return (await store.facts(db)).map((r) => ({
        id: r.id, serviceId: r.service_id, agencyCode: r.agency_code, channel: r.channel, status: r.status, createdAt: r.created_at, submittedAt: r.submitted_at,
      }));
    },
  };
  const api = createApiChannel({ kernel, catalog: deps.catalog, workflow: deps.workflow, store, find, service, createDraft: drafts.internal.createDraft, submitPages: submission.submitPages });
  return { ...self, ...api, ...createKeptUploads({ kernel, store }) };
}

export type ApplicationsService = ReturnType<typeof createApplicationsService>;
