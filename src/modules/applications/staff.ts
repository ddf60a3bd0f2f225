import type { SummaryRow } from '../../forms/index.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import { readerActor } from '../../kernel/auth/machine/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { LocalizedText, ServiceVersion } from '../catalog/service.js';
import { formContext, formOf } from './journey.js';
import { documentInfos, notFound, toApplication, toTask, type Application, type DocumentInfo, type Task } from './model.js';
import type { CaseView } from '../workflow/service.js';
import type { CasePanel, PanelRegistry } from './panels.js';
import type { ApplicationRow, ApplicationsStore, Executor } from './store.js';

/** What the back office shows of an application: the answers and documents, read with a purpose. */
export interface StaffView {
  readonly application: Application;
  readonly serviceName: LocalizedText;
  /** The person's resident ID number, as given (the counter) or from their account (online). */
  readonly applicantIdNumber: string | null;
  readonly rows: readonly SummaryRow[];
  readonly documents: readonly DocumentInfo[];
  readonly tasks: readonly Task[];
  /** Sections other modules add for staff (payment recorded, certificate issued): see panels.ts. */
  readonly panels: readonly CasePanel[];
}

/** Staff roles that may read an application of their own agency. */
const READERS = ['clerk', 'officer', 'supervisor'] as const;

interface StaffDeps {
  readonly kernel: Kernel;
  readonly store: ApplicationsStore;
  readonly service: (row: ApplicationRow) => Promise<ServiceVersion>;
  readonly find: (id: string, executor?: Executor) => Promise<ApplicationRow | undefined>;
  readonly panels: PanelRegistry;
  readonly getCase: (id: string) => Promise<CaseView>;
  /** Whose data the application is, for the audit record's subject (see `auditSubjectOf`). */
  readonly subjectOf: (row: ApplicationRow) => Promise<string | undefined>;
}

export function createStaffAccess({ kernel, store, service, find, panels, getCase, subjectOf }: StaffDeps) {
  /**
   * Lets a clerk, officer or supervisor of the application's agency read it, and writes the audit
   * record the person sees on "who used my data" (subject = the applicant, found by ID number for a
   * counter or API application not yet linked to their account) before anything is shown.
   */
  async function authorise(row: ApplicationRow, viewer: Principal, purpose: string, options: { requestId?: string; details?: Record<string, unknown> } = {}): Promise<void> {
    mayRead(row, viewer);
    await recordRead(row, viewer, purpose, options);
  }

  /** Throws unless the viewer is staff (or the system) of the application's agency and it is submitted. */
  function mayRead(row: ApplicationRow, viewer: Principal): void {
    // Someone else's draft: only its author may see it.
    if (row.status !== 'submitted') throw notFound(row.submitted_by === viewer.accountId ? undefined : 'not-owner');
    if (!hasRole(viewer, READERS, row.agency_code)) throw new TongbanError('TB_KERNEL_FORBIDDEN', { detail: `You have no role at ${row.agency_code} that may read this application` });
  }

  /** The audit record of a read `mayRead` allowed, written before anything is shown. */
  async function recordRead(row: ApplicationRow, viewer: Principal, purpose: string, options: { requestId?: string; details?: Record<string, unknown> } = {}): Promise<void> {
    const subject = await subjectOf(row);
    await kernel.audit.append(kernel.db, {
      // A system acting as the agency's case system is recorded as the system (a client), not as staff.
      actor: readerActor(viewer, row.agency_code), action: 'application.view',
      ...(subject ? { subject } : {}),
      resource: { type: 'application', id: row.id }, purpose,
      ...(options.requestId ? { requestId: options.requestId } : {}),
      details: { reference: row.reference, ...options.details },
    });
  }

  return {
    authorise,
    mayRead,
    recordRead,

    /**
     * A submitted application's facts (service, agency, applicant's account, reference; no answers
     * or documents) for staff or a system of its agency, for a step of another module that audits
     * what it does itself (a booking). Not an `application.view`: nothing of the application is
     * shown. Throws TB_APPLICATIONS_NOT_FOUND, or TB_KERNEL_FORBIDDEN for another agency.
     */
    summaryForStaff: async (id: string, viewer: Principal): Promise<Application> => {
      const row = await find(id);
      if (!row || row.status !== 'submitted') throw notFound(row && row.submitted_by !== viewer.accountId ? 'not-owner' : undefined);
      if (!hasRole(viewer, READERS, row.agency_code)) throw new TongbanError('TB_KERNEL_FORBIDDEN', { detail: `You have no role at ${row.agency_code} that may read this application` });
      return toApplication(row);
    },

    /**
     * The application behind a case, for the back office. Throws TB_APPLICATIONS_NOT_FOUND, or
     * TB_KERNEL_FORBIDDEN for staff of another agency; every successful read is audited.
     */
    viewForStaff: async (caseId: string, viewer: Principal, purpose: string, options: { locale: Locale; requestId?: string }): Promise<StaffView> => {
      const row = await find(caseId);
      if (!row) throw notFound();
      await authorise(row, viewer, purpose, options.requestId ? { requestId: options.requestId } : {});
      const version = await service(row);
      const [files, tasks, kase] = await Promise.all([store.listFiles(kernel.db, row.id), store.listTasks(kernel.db, row.id), getCase(row.id)]);
      const application = toApplication(row);
      return {
        application, panels: await panels.panelsFor('staff', { application, definition: version.definition, case: kase, viewer, locale: options.locale }), serviceName: version.definition.name, applicantIdNumber: row.applicant_id_number,
        rows: formOf(version).summary(row.answers, options.locale, formContext(kernel.now())),
        documents: documentInfos(version, files, row.documents), tasks: tasks.map(toTask),
      };
    },
  };
}
