import { inChunks } from '../../kernel/db/index.js';
import { UUID } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { slaDueAt, type Holidays } from './calendar.js';
import { createDeadlines } from './deadlines.js';
import type { LocalizedText } from '../catalog/service.js';
import {
  actionsFor, deriveCase, initialState, rolesFor, SLA_BREACH, step, SUBMIT, transitionFor,
  type CaseActor, type DerivedCase, type HistoryEntry, type Refusal, type WorkflowDefinition, type WorkflowRole,
} from './derive.js';
import { WorkflowErrors } from './errors.js';
import { createCaseReads } from './reads.js';
import { createStatistics } from './statistics.js';
import { createWorkflowStore, type CaseRow, type Executor, type QueueSort } from './store.js';
import { historyMatches, stateName, toEvent, toInstance, toSummary, toView, workflowRolesAt, type CaseInstance, type CaseSummary, type CaseView } from './view.js';

export type { CaseInstance, CaseSummary, CaseView, Note } from './view.js';
export type { QueueSort } from './store.js';
export type { CaseActor, CaseEvent, DerivedCase, HistoryEntry, WorkflowDefinition, WorkflowRole } from './derive.js';
export { deriveCase, actionsFor, SUBMIT, SLA_BREACH, WORKFLOW_ROLES } from './derive.js';
export { addWorkingDays, countdown, currentHolidays, dueDay, holidaysFrom, isWorkingDay, slaDueAt, shanghaiDay, PRC_HOLIDAYS, type Countdown, type Holidays } from './calendar.js';
export type { CalendarWarning, CalendarYearInfo } from './calendar-years.js';
export type { CalendarStatus, RecomputeResult } from './deadlines.js';
export { actionName, caseAgencies, handlesCases, workflowRolesAt, stateName } from './view.js';
/** The built-in actions' message keys: with `actionName`, what an action is called (deadline.tsx `actionLabel`). */
export { ACTION_LABELS } from './messages.js';
export { WorkflowErrors } from './errors.js';
export type { Executor } from './store.js';
export type { StatisticsBucket, StatisticsQuery, StatusCount, Timeframe } from './statistics.js';

/** The job queue that checks a case's deadline; one job per case, keyed by the case id. */
export const SLA_QUEUE = 'workflow.sla';

/** A signed-in person as the workflow needs them: `request.principal` fits. */
export interface PrincipalLike {
  readonly accountId: string;
  readonly roles: readonly { readonly agency: string; readonly role: string }[];
}

export interface StartInput {
  /** The application's id: a case and its application share it. */
  readonly caseId: string;
  readonly reference?: string;
  readonly serviceId: string;
  readonly serviceVersion: number;
  readonly agency: string;
  readonly definition: WorkflowDefinition;
  readonly submittedAt: Date;
  /** The applicant, or the clerk who submitted at a counter. */
  readonly actor: { readonly accountId: string; readonly role: 'applicant' | 'clerk' };
  readonly requestId?: string;
}

export interface ActInput {
  readonly caseId: string;
  readonly action: string;
  readonly actor: PrincipalLike;
  readonly reason?: string | undefined;
  /** The application's applicant: only they may take applicant actions (answer_info, withdraw). */
  readonly applicantAccountId?: string | undefined;
  readonly requestId?: string | undefined;
  /** An Idempotency-Key recorded in the action's transaction (ADR 31). */
  readonly idempotency?: IdempotencyClaim | undefined;
}

export interface QueueQuery {
  readonly agency: string | readonly string[];
  /** `supervisor`: only cases needing a supervisor (escalated or overdue). */
  readonly role?: 'officer' | 'supervisor';
  readonly status?: string | undefined;
  readonly state?: 'open' | 'closed' | 'all' | undefined;
  readonly assignedTo?: string | undefined;
  /** Only this service's cases. */
  readonly serviceId?: string | undefined;
  readonly overdueOnly?: boolean | undefined;
  readonly sort?: QueueSort | undefined;
  readonly descending?: boolean | undefined;
  /** 1-based. */
  readonly page?: number | undefined;
  readonly pageSize?: number | undefined;
  /** The first case's 0-based index, for APIs that page by index (GovStack); instead of `page`. */
  readonly offset?: number | undefined;
}

export interface QueuePage {
  readonly items: readonly CaseSummary[];
  readonly total: number;
  readonly page: number;
  readonly pageSize: number;
  readonly pages: number;
}


export interface TransitionEvent {
  readonly case: CaseView;
  readonly entry: HistoryEntry;
  readonly applicantAccountId: string | undefined;
}

/**
 * Runs inside the transaction that records a transition (after `start`, every `act` and every
 * deadline escalation): enqueue a notification, open an applicant task. It must not wait on the
 * network (PGlite runs one transaction at a time); throwing rolls the transition back.
 */
export type TransitionListener = (executor: Executor, event: TransitionEvent) => Promise<void>;

/**
 * The account that applied for a case (null when none is known yet: a counter application of a
 * person without an account), read through `executor`. The applications module answers it.
 */
export type ApplicantLookup = (executor: Executor, caseId: string) => Promise<string | null | undefined>;

/** A reason is stored, shown and mailed to the applicant (the template takes at most 4,000). */
export const REASON_MAX = 2000;
const PAGE_MAX = 100;

const refusalError = (refusal: Refusal, detail: string) => new TongbanError(
  refusal === 'reason_required' ? WorkflowErrors.TB_WORKFLOW_REASON_REQUIRED
    : refusal === 'forbidden' ? WorkflowErrors.TB_WORKFLOW_FORBIDDEN : WorkflowErrors.TB_WORKFLOW_ACTION_NOT_ALLOWED,
  { detail, ...(refusal === 'reason_required' ? { fields: [{ pointer: '/reason', message: 'workflow.error.reasonRequired', detail: 'Give a reason' }] } : {}) },
);

const notFound = (caseId: string) => new TongbanError(WorkflowErrors.TB_WORKFLOW_NOT_FOUND, { detail: `No case ${caseId}` });

function auditActor(actor: CaseActor, agency: string): Actor {
  if (actor.kind === 'staff') return { kind: 'staff', id: actor.id, organisation: agency };
  return { kind: actor.kind, id: actor.id };
}

export function createWorkflowService(kernel: Kernel, options: { holidays?: Holidays } = {}) {
  const store = createWorkflowStore();
  // The calendar in force: built-in years, replaced by imported ones at boot (`calendar.load()`).
  const calendar = createDeadlines(kernel, store, SLA_QUEUE, options.holidays);
  const listeners: TransitionListener[] = [];
  let applicantOf: ApplicantLookup | undefined;

  /** The caller's transaction, or one of our own. */
  const inTransaction = <T>(executor: Executor | undefined, work: (tx: Executor) => Promise<T>): Promise<T> =>
    executor?.isTransaction ? work(executor) : (executor ?? kernel.db).transaction().execute(work);

  async function load(executor: Executor, caseId: string, forUpdate = false): Promise<{ row: CaseRow; state: DerivedCase }> {
    const row = UUID.test(caseId) ? await store.getCase(executor, caseId.toLowerCase(), { forUpdate }) : undefined;
    if (!row) throw notFound(caseId);
    const actions = await store.listActions(executor, row.id);
    const state = deriveCase(row.definition, actions.map(toEvent));
    if (!historyMatches(actions, state.history)) {
      throw new TongbanError(WorkflowErrors.TB_WORKFLOW_CORRUPT_HISTORY, { detail: `The stored history of case ${row.id} disagrees with its derivation` });
    }
    return { row, state };
  }

  /**
   * Appends the entry, projects the state, audits, and tells the listeners; all in `tx`. `subject`
   * is the case's applicant as far as known, so that staff actions are on their "who used my data"
   * page; `applicantAccountId` is given only when the applicant acts (the listeners see it).
   */
  async function record(tx: Executor, row: CaseRow, state: DerivedCase, extra: { subject: string | null; applicantAccountId?: string | undefined; requestId?: string | undefined }): Promise<CaseView> {
    const entry = state.history[state.history.length - 1]!;
    await store.appendAction(tx, row.id, entry);
    await store.project(tx, row.id, {
      status: state.status, final: state.final, assignee: state.assignee, escalated: state.escalated, closedAt: state.closedAt, lastSeq: entry.seq,
    }, kernel.now());
    await kernel.audit.append(tx, {
      actor: auditActor(entry.actor, row.agency), action: `workflow.${entry.action}`, resource: { type: 'case', id: row.id },
      ...(extra.subject ? { subject: extra.subject } : {}),
      ...(extra.requestId ? { requestId: extra.requestId } : {}),
      details: { from: entry.from, to: entry.to, seq: entry.seq, role: entry.actor.role },
    });
    const view = toView(row, state, kernel.now());
    for (const listener of listeners) await listener(tx, { case: view, entry, applicantAccountId: extra.applicantAccountId });
    return view;
  }

  /** The case's applicant: the one the caller names, else the one the applications module knows. */
  async function applicantAccount(executor: Executor, caseId: string, given: string | undefined): Promise<string | null> {
    return given ?? (applicantOf ? (await applicantOf(executor, caseId)) ?? null : null);
  }

  /**
   * Tries the actor's roles in turn; the first that `step` accepts is the one recorded. Staff never
   * act on their own application (a conflict of interest): not even a claim, and not as supervisor.
   */
  function decide(row: CaseRow, state: DerivedCase, input: ActInput, applicant: string | null): DerivedCase {
    const { actor, action } = input;
    const staffRoles = workflowRolesAt(actor, row.agency);
    const isApplicant = input.applicantAccountId !== undefined && input.applicantAccountId === actor.accountId;
    if (!isApplicant && staffRoles.length === 0) {
      throw new TongbanError(WorkflowErrors.TB_WORKFLOW_FORBIDDEN, { detail: `You have no role at ${row.agency} and are not the applicant` });
    }
    const transition = transitionFor(row.definition, state.status, action);
    if (!transition || state.final || action === SLA_BREACH) throw refusalError('not_allowed', `${action} is not allowed in state ${state.status}`);
    const candidates: { kind: CaseActor['kind']; role: WorkflowRole }[] = transition.by === 'applicant'
      ? (isApplicant ? [{ kind: 'person', role: 'applicant' }] : [])
      : rolesFor(transition.by).filter((r) => staffRoles.includes(r)).map((role) => ({ kind: 'staff' as const, role }));
    if (candidates.length === 0) throw refusalError('forbidden', `${action} needs the role ${transition.by}`);
    if (transition.by !== 'applicant' && applicant === actor.accountId) {
      throw new TongbanError(WorkflowErrors.TB_WORKFLOW_OWN_APPLICATION, { detail: `Case ${row.id} is your own application: another member of staff must take ${action}` });
    }
    let refusal: Refusal = 'forbidden';
    const reason = input.reason?.trim() ? input.reason.trim() : null;
    if (reason !== null && reason.length > REASON_MAX) {
      throw new TongbanError(WorkflowErrors.TB_WORKFLOW_REASON_TOO_LONG, { fields: [{ pointer: '/reason', message: 'workflow.error.reasonTooLong', detail: `Write a reason of at most ${REASON_MAX} characters` }] });
    }
    for (const c of candidates) {
      const result = step(row.definition, state, { action, actor: { kind: c.kind, id: actor.accountId, role: c.role }, reason, at: kernel.now() });
      if (result.ok) return result.state;
      refusal = result.refusal;
    }
    throw refusalError(refusal, refusal === 'reason_required' ? `${action} needs a reason` : `${action} is not yours to take on this case`);
  }

  async function escalateIfDue(caseId: string): Promise<void> {
    await kernel.db.transaction().execute(async (tx) => {
      const row = await store.getCase(tx, caseId, { forUpdate: true });
      if (!row || row.final || row.escalated || kernel.now().getTime() < row.due_at.getTime()) return;
      const { state } = await load(tx, caseId);
      const system: CaseActor = { kind: 'system', id: SLA_QUEUE, role: 'system' };
      const escalate = transitionFor(row.definition, state.status, 'escalate');
      const action = escalate?.by === 'system' ? 'escalate' : SLA_BREACH;
      const result = step(row.definition, state, { action, actor: system, reason: null, at: kernel.now() });
      if (!result.ok) throw new Error(`Case ${caseId} could not be escalated: ${result.refusal}`);
      // A deadline passing reads nothing of the person's: not on their "who used my data" page.
      await record(tx, row, result.state, { subject: null });
    });
  }

  kernel.jobs.register<{ caseId: string }>(SLA_QUEUE, ({ caseId }) => escalateIfDue(caseId));

  const service = {
    ...createCaseReads({ kernel, store, load, applicantAccount, inTransaction, notFound }),

    /**
     * The working-day calendar: `load()` at boot, `importYear(json, actor)` (`tongban calendar
     * import`), `status()` (coverage and warnings), `recompute(actor)` (`tongban workflow
     * recompute-deadlines`, also run by the import). docs/adr/0011, docs/operations.md.
     */
    calendar,

    /**
     * Opens the case of a submitted application in the caller's transaction: its first history
     * entry, its deadline, and a job at the deadline. Listeners are not called: the caller is
     * the one reacting to the submission.
     */
    async start(executor: Executor, input: StartInput): Promise<CaseView> {
      return inTransaction(executor, async (tx) => {
        const actor: CaseActor = { kind: input.actor.role === 'clerk' ? 'staff' : 'person', id: input.actor.accountId, role: input.actor.role };
        const first = initialState(input.definition, { action: SUBMIT, actor, reason: null, at: input.submittedAt });
        if (!first.ok) throw new Error('unreachable: a submission always starts a case');
        const state = first.state;
        const dueAt = slaDueAt(input.submittedAt, input.definition.sla.workingDays, calendar.holidays());
        const row: CaseRow = {
          id: input.caseId.toLowerCase(), reference: input.reference ?? null, service_id: input.serviceId, service_version: input.serviceVersion,
          agency: input.agency, definition: input.definition, status: state.status, final: false, assignee: null, escalated: false,
          submitted_at: input.submittedAt, due_at: dueAt, closed_at: null, last_seq: 1, updated_at: kernel.now(),
        };
        if (!(await store.insertCase(tx, row))) throw new TongbanError(WorkflowErrors.TB_WORKFLOW_ALREADY_STARTED, { detail: `Case ${row.id} exists` });
        await store.appendAction(tx, row.id, state.history[0]!);
        await kernel.jobs.enqueue(tx, SLA_QUEUE, { caseId: row.id }, { runAt: dueAt, key: row.id });
        await kernel.audit.append(tx, {
          actor: auditActor(actor, row.agency), action: 'workflow.start', resource: { type: 'case', id: row.id },
          ...(input.requestId ? { requestId: input.requestId } : {}),
          details: { serviceId: row.service_id, serviceVersion: row.service_version, dueAt: dueAt.toISOString() },
        });
        return toView(row, state, kernel.now());
      });
    },

    /**
     * Takes one action on a case, holding its row locked so that concurrent actions queue up and
     * the second sees the first's outcome (two officers claiming: one wins, one gets 409).
     */
    async act(executor: Executor | undefined, input: ActInput): Promise<CaseView> {
      return inTransaction(executor, (tx) => withIdempotency(tx, input.idempotency, async () => {
        const { row, state } = await load(tx, input.caseId, true);
        const applicant = await applicantAccount(tx, row.id, input.applicantAccountId);
        const next = decide(row, state, input, applicant);
        return record(tx, row, next, { subject: applicant, applicantAccountId: input.applicantAccountId, requestId: input.requestId });
      }));
    },

    async getCase(caseId: string, executor: Executor = kernel.db): Promise<CaseView> {
      const { row, state } = await load(executor, caseId);
      return toView(row, state, kernel.now());
    },

    async queue(query: QueueQuery): Promise<QueuePage> {
      const pageSize = Math.min(Math.max(1, Math.trunc(query.pageSize ?? 20)), PAGE_MAX);
      const page = Math.max(1, Math.trunc(query.page ?? 1));
      const now = kernel.now();
      const { rows, total } = await store.queue(kernel.db, {
        agencies: typeof query.agency === 'string' ? [query.agency] : query.agency,
        status: query.status, state: query.state, assignedTo: query.assignedTo, serviceId: query.serviceId,
        overdueAt: query.overdueOnly ? now : undefined,
        attentionAt: query.role === 'supervisor' ? now : undefined,
        sort: query.sort ?? 'due', descending: query.descending, limit: pageSize, offset: query.offset ?? (page - 1) * pageSize,
      });
      return { items: rows.map((r) => toSummary(r, now)), total, page, pageSize, pages: Math.max(1, Math.ceil(total / pageSize)) };
    },

    /** The actions this member of staff may take on the case now, in the roles they hold at its agency. */
    availableActions(view: CaseView, actor: PrincipalLike): string[] {
      return actionsFor(view.definition, view, { id: actor.accountId, roles: workflowRolesAt(actor, view.agency) });
    },

    /** Whether an action needs a reason (or, for request_info, a question) in the case's current state. */
    needsReason(view: CaseView, action: string): boolean {
      return transitionFor(view.definition, view.status, action)?.needsReason ?? false;
    },

    /** The statuses the agencies' cases are in, named: the queue's status filter. */
    async statuses(agencies: readonly string[]): Promise<{ id: string; name: LocalizedText }[]> {
      return (await store.statuses(kernel.db, agencies)).map((r) => ({ id: r.status, name: stateName(r.definition, r.status) }));
    },

    /**
     * Which of these cases ended without a decision (final and never approved: rejected,
     * withdrawn), with their status, its name and when they closed; a case not listed is open,
     * decided or unknown. From the projection, a statement per thousand ids: a report over many cases
     * (the payments' reconciliation) asks once, not a `getCase` each. In `executor`'s transaction
     * when given (the payments' check when paying starts).
     */
    async endedWithoutDecision(caseIds: readonly string[], executor: Executor = kernel.db): Promise<Map<string, { status: string; statusName: LocalizedText; closedAt: Date | null }>> {
      const ids = [...new Set(caseIds.filter((id) => UUID.test(id)).map((id) => id.toLowerCase()))];
      const out = new Map<string, { status: string; statusName: LocalizedText; closedAt: Date | null }>();
      for (const chunk of inChunks(ids)) {
        for (const r of await store.endedUnapproved(executor, chunk)) {
          out.set(r.id, { status: r.status, statusName: stateName(r.definition, r.status), closedAt: r.closed_at });
        }
      }
      return out;
    },

    /** Every case's service, agency, state and dates (no applicant, no history): performance figures. */
    async caseFacts(): Promise<{ id: string; serviceId: string; agency: string; status: string; final: boolean; submittedAt: Date; dueAt: Date; closedAt: Date | null }[]> {
      return (await store.caseFacts(kernel.db)).map((r) => ({
        id: r.id, serviceId: r.service_id, agency: r.agency, status: r.status, final: r.final, submittedAt: r.submitted_at, dueAt: r.due_at, closedAt: r.closed_at,
      }));
    },

    /**
     * The agencies' cases as GovStack process instances, newest first, at most 100 at a time
     * (docs/adr/0062); `serviceVersion` only with `serviceId`.
     */
    async instances(query: { agencies: readonly string[]; serviceId?: string | undefined; serviceVersion?: number | undefined; offset?: number | undefined; limit?: number | undefined }): Promise<CaseInstance[]> {
      const now = kernel.now();
      const rows = await store.instances(kernel.db, {
        agencies: query.agencies, serviceId: query.serviceId?.toLowerCase(), serviceVersion: query.serviceId === undefined ? undefined : query.serviceVersion,
        limit: Math.min(Math.max(1, Math.trunc(query.limit ?? PAGE_MAX)), PAGE_MAX), offset: Math.max(0, Math.trunc(query.offset ?? 0)),
      });
      return rows.map((r) => toInstance(r, now));
    },

    /** One case by its id or its number (anything else is not found): `TB_WORKFLOW_NOT_FOUND`. */
    async instance(idOrNumber: string): Promise<CaseInstance> {
      // A number beyond 15 digits is not one we gave, and would not fit a bigint: not found rather than a database error.
      const key = UUID.test(idOrNumber) ? { id: idOrNumber.toLowerCase() } : /^[1-9][0-9]{0,14}$/.test(idOrNumber) ? { number: idOrNumber } : undefined;
      const row = key && (await store.numberedCase(kernel.db, key));
      if (!row) throw notFound(idOrNumber);
      return toInstance(row, kernel.now());
    },

    /** The applicant account of each case (null when none is known: a counter applicant without an account). */
    async applicantsOf(caseIds: readonly string[]): Promise<Map<string, string | null>> {
      const out = new Map<string, string | null>();
      for (const id of new Set(caseIds)) out.set(id, await applicantAccount(kernel.db, id, undefined));
      return out;
    },

    /** Names who applied for a case, so that staff are refused on their own (the applications module sets it). */
    setApplicantLookup(lookup: ApplicantLookup): void {
      applicantOf = lookup;
    },

    /** Whether the case is this member of staff's own application: they may take no action on it. */
    async isOwnApplication(caseId: string, actor: PrincipalLike): Promise<boolean> {
      if (!UUID.test(caseId)) return false;
      return (await applicantAccount(kernel.db, caseId.toLowerCase(), undefined)) === actor.accountId;
    },

    /** Adds a listener run inside every transition's transaction (see TransitionListener). */
    onTransition(listener: TransitionListener): void {
      listeners.push(listener);
    },

    /** Counts of operators' actions by period, state reached, service and operator or role (statistics.ts). */
    statistics: createStatistics(kernel, store),

    /** Runs the deadline check of one case now; the `workflow.sla` job does this at the deadline. */
    escalateIfDue,
  };
  return {
    ...service,
    /**
     * A note, an action, or both in one transaction (the GovStack `PUT /applications/{fileId}`):
     * with an Idempotency-Key (ADR 31) a retry writes neither twice, and a failed action keeps no note.
     */
    async update(input: { caseId: string; actor: PrincipalLike; note?: string | undefined; action?: { action: string; reason?: string | undefined } | undefined; requestId?: string; idempotency?: IdempotencyClaim | undefined }): Promise<{ id: string }> {
      return kernel.db.transaction().execute((tx) => withIdempotency(tx, input.idempotency, async () => {
        if (input.note !== undefined) await service.addNote(input.caseId, input.actor, input.note, { executor: tx, ...(input.requestId ? { requestId: input.requestId } : {}) });
        if (input.action) await service.act(tx, { caseId: input.caseId, action: input.action.action, actor: input.actor, reason: input.action.reason, requestId: input.requestId });
        return { id: input.caseId.toLowerCase() };
      }));
    },
  };
}

export type WorkflowService = ReturnType<typeof createWorkflowService>;
