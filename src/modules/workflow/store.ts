import { sql, type Kysely, type Selectable } from 'kysely';
import type { HistoryEntry, WorkflowDefinition, WorkflowRole } from './derive.js';

export type WorkflowTables = {
  workflow_cases: {
    id: string;
    reference: string | null;
    service_id: string;
    service_version: number;
    agency: string;
    definition: WorkflowDefinition;
    status: string;
    final: boolean;
    assignee: string | null;
    escalated: boolean;
    submitted_at: Date;
    due_at: Date;
    closed_at: Date | null;
    last_seq: number;
    updated_at: Date;
  };
  workflow_actions: {
    case_id: string;
    seq: number;
    action: string;
    actor_kind: 'person' | 'staff' | 'system';
    actor_id: string;
    actor_role: WorkflowRole;
    from_status: string | null;
    to_status: string;
    reason: string | null;
    at: Date;
  };
  workflow_notes: { id: string; case_id: string; author_id: string; text: string; at: Date };
  workflow_calendar_years: { year: number; source: string; provisional: boolean; days_off: string[]; make_up_workdays: string[]; imported_at: Date };
};

export type CaseRow = Selectable<WorkflowTables['workflow_cases']>;
export type ActionRow = Selectable<WorkflowTables['workflow_actions']>;
export type NoteRow = Selectable<WorkflowTables['workflow_notes']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;
const q = (executor: Executor): Kysely<WorkflowTables> => executor.withTables<WorkflowTables>();

const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

/** The projection of a derived case onto its row. */
export interface Projection {
  status: string;
  final: boolean;
  assignee: string | null;
  escalated: boolean;
  closedAt: Date | null;
  lastSeq: number;
}

export interface QueueFilter {
  readonly agencies: readonly string[];
  readonly status?: string | undefined;
  /** `open` (the default): not final; `closed`: final; `all`. Ignored when `status` is given. */
  readonly state?: 'open' | 'closed' | 'all' | undefined;
  readonly assignedTo?: string | undefined;
  readonly serviceId?: string | undefined;
  /** Cases whose deadline passed by `now`. */
  readonly overdueAt?: Date | undefined;
  /** The supervisor's queue: escalated, or overdue by `now`. */
  readonly attentionAt?: Date | undefined;
  readonly sort: QueueSort;
  readonly descending?: boolean | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** Orders of a queue: by deadline, by submission, by case id, by assignee, by reference or by status. */
export type QueueSort = 'due' | 'submitted' | 'id' | 'assignee' | 'reference' | 'status';

export interface StatisticsFilter {
  readonly agencies: readonly string[];
  /** Instants: from inclusive, to exclusive. */
  readonly from?: Date | undefined;
  readonly to?: Date | undefined;
  readonly serviceIds?: readonly string[] | undefined;
  readonly actorId?: string | undefined;
  readonly roles: readonly WorkflowRole[];
  /** Group by the Asia/Shanghai day, week (from Monday), month or year the action was taken in. */
  readonly unit?: 'day' | 'week' | 'month' | 'year' | undefined;
}

/** A case as the GovStack Workflow API lists it: its number (migration 0003) as text, a bigint. */
export type NumberedCaseRow = CaseRow & { number: string };

export interface InstanceFilter {
  readonly agencies: readonly string[];
  readonly serviceId?: string | undefined;
  readonly serviceVersion?: number | undefined;
  readonly limit: number;
  readonly offset: number;
}

/** One bucket's counts: cases acted on, and actions by the state they led to. */
export interface StatisticsRow { bucket: string | null; status: string | null; final: boolean | null; actions: number; cases: number }

export function createWorkflowStore() {
  return {
    async insertCase(executor: Executor, row: WorkflowTables['workflow_cases']): Promise<boolean> {
      const result = await q(executor).insertInto('workflow_cases').values({ ...row, definition: jsonb(row.definition) })
        .onConflict((oc) => oc.column('id').doNothing()).executeTakeFirst();
      return Number(result.numInsertedOrUpdatedRows ?? 0) === 1;
    },

    /** `forUpdate` holds the row until the transaction ends: concurrent actions on a case queue up. */
    /** Every case's projection without its definition or history: the performance figures' input. */
    caseFacts(executor: Executor): Promise<Pick<CaseRow, 'id' | 'service_id' | 'agency' | 'status' | 'final' | 'submitted_at' | 'due_at' | 'closed_at'>[]> {
      return q(executor).selectFrom('workflow_cases').select(['id', 'service_id', 'agency', 'status', 'final', 'submitted_at', 'due_at', 'closed_at']).execute();
    },

    /**
     * The final cases among `ids` that were never approved, with what naming their status needs:
     * how many cases ended without a decision, asked at once (two statements whatever the count).
     */
    async endedUnapproved(executor: Executor, ids: readonly string[]): Promise<Pick<CaseRow, 'id' | 'status' | 'definition' | 'closed_at'>[]> {
      if (ids.length === 0) return [];
      const ended = await q(executor).selectFrom('workflow_cases').select(['id', 'status', 'definition', 'closed_at'])
        .where('id', 'in', [...ids]).where('final', '=', true).execute();
      if (ended.length === 0) return [];
      const approved = new Set((await q(executor).selectFrom('workflow_actions').select('case_id').distinct()
        .where('case_id', 'in', ended.map((r) => r.id)).where('action', '=', 'approve').execute()).map((r) => r.case_id));
      return ended.filter((r) => !approved.has(r.id));
    },

    async getCase(executor: Executor, id: string, options: { forUpdate?: boolean } = {}): Promise<CaseRow | undefined> {
      let query = q(executor).selectFrom('workflow_cases').selectAll().where('id', '=', id);
      if (options.forUpdate) query = query.forUpdate();
      return query.executeTakeFirst();
    },

    /** Cases of the agencies, newest first (index workflow_cases_agency_number), with their numbers. */
    async instances(executor: Executor, f: InstanceFilter): Promise<NumberedCaseRow[]> {
      if (f.agencies.length === 0) return [];
      let query = q(executor).selectFrom('workflow_cases').selectAll().select(sql<string>`cast(workflow_cases.number as text)`.as('number'))
        .where('agency', 'in', [...f.agencies]);
      if (f.serviceId !== undefined) query = query.where('service_id', '=', f.serviceId);
      if (f.serviceVersion !== undefined) query = query.where('service_version', '=', f.serviceVersion);
      return query.orderBy(sql`workflow_cases.number`, 'desc').limit(f.limit).offset(f.offset).execute();
    },

    /** One case by its id or by its number. */
    async numberedCase(executor: Executor, key: { id: string } | { number: string }): Promise<NumberedCaseRow | undefined> {
      const query = q(executor).selectFrom('workflow_cases').selectAll().select(sql<string>`cast(workflow_cases.number as text)`.as('number'));
      return ('id' in key ? query.where('id', '=', key.id) : query.where(sql`workflow_cases.number`, '=', sql`cast(${key.number} as bigint)`)).executeTakeFirst();
    },

    /** The imported calendar years (`tongban calendar import`), oldest first. */
    calendarYears(executor: Executor): Promise<Selectable<WorkflowTables['workflow_calendar_years']>[]> {
      return q(executor).selectFrom('workflow_calendar_years').selectAll().orderBy('year').execute();
    },

    /** Stores a year, replacing an earlier import of it. */
    async putCalendarYear(executor: Executor, y: { year: number; source: string; provisional: boolean; daysOff: readonly string[]; makeUpWorkdays: readonly string[] }, at: Date): Promise<void> {
      const values = { source: y.source, provisional: y.provisional, days_off: jsonb(y.daysOff), make_up_workdays: jsonb(y.makeUpWorkdays), imported_at: at };
      await q(executor).insertInto('workflow_calendar_years').values({ year: y.year, ...values })
        .onConflict((oc) => oc.column('year').doUpdateSet(values)).execute();
    },

    /** Open cases whose deadline has not passed into an escalation: those a calendar correction moves. */
    openUnescalatedCases(executor: Executor): Promise<Pick<CaseRow, 'id'>[]> {
      return q(executor).selectFrom('workflow_cases').select('id').where('final', '=', false).where('escalated', '=', false).orderBy('id').execute();
    },

    async setDueAt(executor: Executor, id: string, dueAt: Date, at: Date): Promise<void> {
      await q(executor).updateTable('workflow_cases').set({ due_at: dueAt, updated_at: at }).where('id', '=', id).execute();
    },

    async project(executor: Executor, id: string, p: Projection, at: Date): Promise<void> {
      await q(executor).updateTable('workflow_cases').set({
        status: p.status, final: p.final, assignee: p.assignee, escalated: p.escalated, closed_at: p.closedAt, last_seq: p.lastSeq, updated_at: at,
      }).where('id', '=', id).execute();
    },

    async appendAction(executor: Executor, caseId: string, entry: HistoryEntry): Promise<void> {
      await q(executor).insertInto('workflow_actions').values({
        case_id: caseId, seq: entry.seq, action: entry.action, actor_kind: entry.actor.kind, actor_id: entry.actor.id, actor_role: entry.actor.role,
        from_status: entry.from, to_status: entry.to, reason: entry.reason, at: entry.at,
      }).execute();
    },

    async listActions(executor: Executor, caseId: string): Promise<ActionRow[]> {
      return q(executor).selectFrom('workflow_actions').selectAll().where('case_id', '=', caseId).orderBy('seq').execute();
    },

    async queue(executor: Executor, filter: QueueFilter): Promise<{ rows: CaseRow[]; total: number }> {
      if (filter.agencies.length === 0) return { rows: [], total: 0 };
      let query = q(executor).selectFrom('workflow_cases').where('agency', 'in', [...filter.agencies]);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      else if ((filter.state ?? 'open') !== 'all') query = query.where('final', '=', filter.state === 'closed');
      if (filter.assignedTo !== undefined) query = query.where('assignee', '=', filter.assignedTo);
      if (filter.serviceId !== undefined) query = query.where('service_id', '=', filter.serviceId);
      const overdueAt = filter.overdueAt;
      if (overdueAt) query = query.where('final', '=', false).where('due_at', '<=', overdueAt);
      const attentionAt = filter.attentionAt;
      if (attentionAt) {
        query = query.where('final', '=', false).where((eb) => eb.or([eb('escalated', '=', true), eb('due_at', '<=', attentionAt)]));
      }
      const counted = await query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirst();
      const direction = filter.descending ? 'desc' : 'asc';
      // Each order ends on the id, so pages of equal keys neither repeat nor skip a case.
      const ordered = (filter.sort === 'due' ? query.orderBy('due_at', direction).orderBy('submitted_at', direction)
        : filter.sort === 'submitted' ? query.orderBy('submitted_at', direction)
          : filter.sort === 'id' ? query
            : query.orderBy(sql`${sql.ref(filter.sort)} ${sql.raw(direction)} nulls last`)).orderBy('id', direction);
      const rows = await ordered.selectAll().limit(filter.limit).offset(filter.offset).execute();
      return { rows, total: Number(counted?.n ?? 0) };
    },

    /** Every status the agencies' cases are in, each with one case's workflow to name it. */
    async statuses(executor: Executor, agencies: readonly string[]): Promise<{ status: string; definition: WorkflowDefinition }[]> {
      if (agencies.length === 0) return [];
      const { rows } = await sql<{ status: string; definition: WorkflowDefinition }>`
        select distinct on (status) status, definition from workflow_cases
        where agency in (${sql.join(agencies.map((a) => sql`${a}`))}) order by status`.execute(executor);
      return rows;
    },

    /**
     * Counts in SQL over the action history (indexes workflow_actions_at, workflow_actions_actor):
     * per bucket, the distinct cases acted on (the row with status null), and per state reached
     * the actions that led there, whether that state is final in the case's own workflow.
     */
    async statistics(executor: Executor, f: StatisticsFilter): Promise<StatisticsRow[]> {
      if (f.agencies.length === 0 || f.roles.length === 0) return [];
      const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`));
      const conditions = [sql`c.agency in (${list(f.agencies)})`, sql`a.actor_role in (${list(f.roles)})`];
      if (f.from) conditions.push(sql`a.at >= ${f.from}`);
      if (f.to) conditions.push(sql`a.at < ${f.to}`);
      if (f.serviceIds) conditions.push(f.serviceIds.length === 0 ? sql`false` : sql`c.service_id in (${list(f.serviceIds)})`);
      if (f.actorId !== undefined) conditions.push(sql`a.actor_id = ${f.actorId}`);
      // China has kept UTC+8 all year since 1991: a fixed offset needs no time zone database.
      // The unit is one of four words, written as a literal so the select and group by expressions are the same.
      const bucket = f.unit ? sql`to_char(date_trunc(${sql.lit(f.unit)}, (a.at at time zone 'UTC') + interval '8 hours'), 'YYYY-MM-DD')` : undefined;
      const sets = bucket ? sql`(${bucket}), (${bucket}, a.to_status)` : sql`(), (a.to_status)`;
      const { rows } = await sql<StatisticsRow>`
        select ${bucket ?? sql`null`} as bucket,
          case when grouping(a.to_status) = 0 then a.to_status end as status,
          case when grouping(a.to_status) = 0 then bool_or(coalesce(s.final, false)) end as final,
          count(*)::integer as actions, count(distinct a.case_id)::integer as cases
        from workflow_actions a
        join workflow_cases c on c.id = a.case_id
        left join lateral (
          select (st->>'final')::boolean as final from jsonb_array_elements(c.definition->'states') st where st->>'id' = a.to_status limit 1
        ) s on true
        where ${sql.join(conditions, sql` and `)}
        group by grouping sets (${sets})
        order by 1, 2 nulls first`.execute(executor);
      return rows;
    },

    async insertNote(executor: Executor, note: NoteRow): Promise<void> {
      await q(executor).insertInto('workflow_notes').values(note).execute();
    },

    async listNotes(executor: Executor, caseId: string): Promise<NoteRow[]> {
      return q(executor).selectFrom('workflow_notes').selectAll().where('case_id', '=', caseId).orderBy('at').orderBy('id').execute();
    },
  };
}

export type WorkflowStore = ReturnType<typeof createWorkflowStore>;
