import { purposeText } from '../../kernel/audit/index.js';
import { residentIdBirthDate, residentIdCheckCharacter } from '../../forms/index.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { translate } from '../../kernel/i18n/index.js';
import type { CatalogService, LocalizedText, ServiceVersion } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import { ACTION_LABELS, actionName, type CaseView, type WorkflowService } from '../workflow/service.js';
import { REFERENCE_PATTERN } from './files.js';
import { notFound } from './model.js';
import type { ApplicationRow, ApplicationsStore, Executor } from './store.js';

/** A step the clerk may take on a case now: a `by: clerk` transition of the case's workflow, named. */
export interface CounterAction { readonly id: string; readonly label: LocalizedText }

/** A case waiting at the counter, as the list shows it: no names. */
export interface CounterCase {
  readonly id: string;
  readonly reference: string | null;
  readonly serviceName: LocalizedText;
  readonly statusName: LocalizedText;
  readonly submittedAt: Date;
}

/** One of the person's cases with the steps the clerk may record now, and who applied. */
export interface VisitCase extends CounterCase {
  /** The applicant's name from their account; null for a counter case of a person without one. */
  readonly applicantName: string | null;
  readonly actions: readonly CounterAction[];
}

export type VisitFind =
  | { readonly ok: false; readonly error: 'empty' | 'invalid' }
  | { readonly ok: true; readonly by: 'idNumber' | 'reference'; readonly cases: readonly VisitCase[] };

export type VisitRecord =
  | { readonly ok: true }
  | { readonly ok: false; readonly refusal: 'already' | 'own' | 'not_allowed'; readonly view: VisitCase };

interface VisitDeps {
  readonly kernel: Kernel;
  readonly store: ApplicationsStore;
  readonly find: (id: string, executor?: Executor) => Promise<ApplicationRow | undefined>;
  readonly catalog: Pick<CatalogService, 'getCurrentService' | 'getServiceVersion' | 'searchServices'>;
  readonly workflow: Pick<WorkflowService, 'act' | 'getCase' | 'queue' | 'availableActions' | 'isOwnApplication'>;
  readonly identity: Pick<IdentityService, 'account'>;
  /** The staff read of an application: checks the agency and writes `application.view` (staff.ts). */
  readonly authorise: (row: ApplicationRow, viewer: Principal, purpose: string, options: { requestId?: string; details?: Record<string, unknown> }) => Promise<void>;
}

const RESIDENT_ID = /^[1-9]\d{16}[\dX]$/;
/** The list of cases waiting shows this many; the count is of them all. */
const LIST_MAX = 50;

const forbidden = () => new TongbanError('TB_KERNEL_FORBIDDEN', { detail: 'Only a clerk records a step at the counter' });

/** The clerk as the workflow should see them here: their clerk roles only, so only clerk steps are offered and recorded. */
const asClerk = (clerk: Principal) => ({ accountId: clerk.accountId, roles: clerk.roles.filter((r) => r.role === 'clerk') });
const clerkAgencies = (clerk: Principal): string[] => [...new Set(asClerk(clerk).roles.map((r) => r.agency))].sort();

/** What an action is called (as deadline.tsx `actionLabel`): the standard label of a built-in one, else its transition's. */
function actionText(view: CaseView, action: string): LocalizedText {
  const key = ACTION_LABELS[action];
  if (key) return { en: translate('en', key), 'zh-CN': translate('zh-CN', key) };
  return actionName(view.definition, action) ?? { en: action, 'zh-CN': action };
}

/** A resident ID number the form engine would accept (GB 11643: format, check character, a birth date in the past). */
function residentId(value: string, today: string): boolean {
  if (!RESIDENT_ID.test(value) || residentIdCheckCharacter(value.slice(0, 17)) !== value[17]) return false;
  const born = residentIdBirthDate(value);
  return born !== undefined && born < today;
}

/**
 * The counter's steps on cases (docs: README, "Visits at the counter"): a clerk finds the cases of
 * the person at the counter, at the clerk's agencies, on which a `by: clerk` transition may be
 * taken now (the residence permit's `record_visit`), and records it through the workflow, which
 * checks the agency, the state and the clerk's own applications again.
 */
export function createVisits({ kernel, find, store, catalog, workflow, identity, authorise }: VisitDeps) {
  const requireClerk = (clerk: Principal) => { if (!hasRole(clerk, 'clerk')) throw forbidden(); };

  const serviceOf = async (row: ApplicationRow): Promise<ServiceVersion | undefined> => catalog.getServiceVersion(row.service_id, row.service_version);

  /** The case of a submitted application at one of the clerk's agencies, with the steps they may take; else 404. */
  async function visitCase(clerk: Principal, row: ApplicationRow | undefined): Promise<VisitCase> {
    if (!row || row.status !== 'submitted') throw notFound();
    if (!hasRole(clerk, 'clerk', row.agency_code)) throw notFound('other-agency');
    const [view, own, version, account] = await Promise.all([
      workflow.getCase(row.id), workflow.isOwnApplication(row.id, clerk), serviceOf(row),
      row.applicant_account_id ? identity.account(row.applicant_account_id) : Promise.resolve(undefined),
    ]);
    // Their own application: nothing is offered (the workflow refuses it too).
    const actions = own ? [] : workflow.availableActions(view, asClerk(clerk)).map((id) => ({ id, label: actionText(view, id) }));
    return {
      id: row.id, reference: row.reference, serviceName: version?.definition.name ?? { en: row.service_id, 'zh-CN': row.service_id },
      statusName: view.statusName, submittedAt: view.submittedAt, applicantName: account?.name ?? null, actions,
    };
  }

  return {
    /**
     * How many cases of the clerk's agencies wait for a clerk's step, and the oldest of them
     * (reference, service, date; no names): the states each current service's workflow leaves a
     * `by: clerk` transition from, asked of the workflow's queue.
     */
    async waitingAtCounter(clerk: Principal): Promise<{ total: number; items: CounterCase[] }> {
      requireClerk(clerk);
      const agencies = clerkAgencies(clerk);
      const services = (await catalog.searchServices({ includeUnlisted: true })).filter((s) => agencies.includes(s.agencyCode));
      const items: CounterCase[] = [];
      let total = 0;
      for (const summary of services) {
        const version = await catalog.getCurrentService(summary.id);
        if (!version) continue;
        const states = new Set(version.definition.workflow.transitions.filter((t) => t.by === 'clerk').flatMap((t) => t.from));
        for (const status of states) {
          const page = await workflow.queue({ agency: agencies, serviceId: summary.id, status, state: 'open', sort: 'submitted', pageSize: LIST_MAX });
          total += page.total;
          items.push(...page.items.map((c) => ({ id: c.id, reference: c.reference, serviceName: version.definition.name, statusName: c.statusName, submittedAt: c.submittedAt })));
        }
      }
      items.sort((a, b) => a.submittedAt.getTime() - b.submittedAt.getTime() || a.id.localeCompare(b.id));
      return { total, items: items.slice(0, LIST_MAX) };
    },

    /**
     * The cases of the person at the counter (by resident ID number, or one case by its
     * reference) at the clerk's agencies on which the clerk may take a step now. Each one shown is
     * a read of the person's data: `application.view` with the purpose "Person at the counter".
     */
    async findAtCounter(clerk: Principal, typed: string, options: { requestId?: string } = {}): Promise<VisitFind> {
      requireClerk(clerk);
      const value = typed.replace(/[\s\u3000]+/g, '').toUpperCase();
      if (value === '') return { ok: false, error: 'empty' };
      const by = REFERENCE_PATTERN.test(value) ? 'reference' as const : 'idNumber' as const;
      if (by === 'idNumber' && !residentId(value, kernel.now().toISOString().slice(0, 10))) return { ok: false, error: 'invalid' };
      const agencies = clerkAgencies(clerk);
      const rows = by === 'reference'
        ? [await store.getByReference(kernel.db, value)].filter((r): r is ApplicationRow => r !== undefined && r.status === 'submitted' && agencies.includes(r.agency_code))
        : await store.submittedForIdNumber(kernel.db, value, agencies);
      const cases: VisitCase[] = [];
      for (const row of rows) {
        const found = await visitCase(clerk, row);
        if (found.actions.length === 0) continue;
        await authorise(row, clerk, purposeText('applications.purpose.counterVisit'), { ...options, details: { reference: row.reference, foundBy: by } });
        cases.push(found);
      }
      return { ok: true, by, cases };
    },

    /** One case at the counter (the list links to it): what it is and the steps the clerk may take; 404 at another agency. */
    async caseAtCounter(clerk: Principal, caseId: string): Promise<Omit<VisitCase, 'applicantName'>> {
      requireClerk(clerk);
      const { applicantName: _name, ...rest } = await visitCase(clerk, await find(caseId));
      return rest;
    },

    /**
     * Records a clerk's step through the workflow as the clerk (their clerk roles only). A refusal
     * comes back with the case as it is now: the step already recorded (a second click, or a
     * colleague), the clerk's own application, or a step that is not theirs or not due.
     */
    async recordAtCounter(clerk: Principal, caseId: string, action: string, options: { requestId?: string } = {}): Promise<VisitRecord> {
      requireClerk(clerk);
      const row = await find(caseId);
      await visitCase(clerk, row);
      const id = row?.id ?? caseId;
      try {
        await workflow.act(undefined, {
          caseId: id, action, actor: asClerk(clerk), requestId: options.requestId,
          ...(row?.applicant_account_id ? { applicantAccountId: row.applicant_account_id } : {}),
        });
        return { ok: true };
      } catch (error) {
        if (!(error instanceof TongbanError) || !['TB_WORKFLOW_OWN_APPLICATION', 'TB_WORKFLOW_ACTION_NOT_ALLOWED', 'TB_WORKFLOW_FORBIDDEN', 'TB_WORKFLOW_REASON_REQUIRED'].includes(error.code)) throw error;
        const view = await visitCase(clerk, row);
        if (error.code === 'TB_WORKFLOW_OWN_APPLICATION') return { ok: false, refusal: 'own', view };
        const now = await workflow.getCase(id);
        const recorded = now.history.some((h) => h.action === action && h.actor.kind === 'staff');
        const clerkStep = now.definition.transitions.some((t) => t.action === action && t.by === 'clerk');
        return { ok: false, refusal: recorded && clerkStep ? 'already' : 'not_allowed', view };
      }
    },

    /** The banner after a step: the case's reference and the step's name, when the case has seen that step (the query is anyone's). */
    async recordedAtCounter(clerk: Principal, caseId: string, action: string): Promise<{ reference: string | null; label: LocalizedText } | undefined> {
      requireClerk(clerk);
      const row = await find(caseId);
      if (!row || row.status !== 'submitted' || !hasRole(clerk, 'clerk', row.agency_code)) return undefined;
      const view = await workflow.getCase(row.id);
      return view.history.some((h) => h.action === action) ? { reference: row.reference, label: actionText(view, action) } : undefined;
    },
  };
}
