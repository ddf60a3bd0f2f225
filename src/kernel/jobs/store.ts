import { sql, type ColumnType, type Kysely, type Selectable } from 'kysely';
import { newId, UUID } from '../ids.js';
import type { JobInfo, JobStat, JobState } from './types.js';

/** Every SQL statement of the job queue. Each is one statement: its own short transaction. */

export interface JobTable {
  id: string;
  queue: string;
  key: string | null;
  // jsonb: written as a JSON string cast in SQL, read back parsed.
  payload: ColumnType<unknown, string, never>;
  state: JobState;
  attempts: ColumnType<number, number | undefined, number>;
  max_attempts: number;
  run_at: Date;
  locked_by: string | null;
  locked_until: Date | null;
  last_error: string | null;
  created_at: ColumnType<Date, Date, never>;
  updated_at: Date;
  finished_at: Date | null;
}

// A type alias, not an interface: withTables() needs an implicit index signature.
export type JobTables = { kernel_job: JobTable };

type JobDb = Kysely<JobTables>;
type JobRow = Selectable<JobTable>;

export function jobDb(executor: Kysely<object>): JobDb {
  return executor.withTables<JobTables>();
}

export interface NewJob {
  readonly queue: string;
  readonly payloadJson: string;
  readonly key: string | undefined;
  readonly runAt: Date;
  readonly maxAttempts: number;
  readonly now: Date;
}

/**
 * Inserts the job, or finds the one already holding its key. Returns undefined only when a job
 * with the key exists but this transaction cannot see it (a repeatable-read snapshot).
 */
export async function insertJob(db: JobDb, job: NewJob): Promise<string | undefined> {
  const inserted = await db
    .insertInto('kernel_job')
    .values({
      id: newId(),
      queue: job.queue,
      key: job.key ?? null,
      payload: sql<string>`cast(${job.payloadJson} as jsonb)`,
      state: 'pending',
      max_attempts: job.maxAttempts,
      run_at: job.runAt,
      created_at: job.now,
      updated_at: job.now,
    })
    .onConflict((oc) => oc.columns(['queue', 'key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  if (job.key === undefined) return undefined;
  const existing = await db.selectFrom('kernel_job').select('id').where('queue', '=', job.queue).where('key', '=', job.key).executeTakeFirst();
  return existing?.id;
}

export interface ClaimedJob {
  readonly id: string;
  readonly queue: string;
  readonly key: string | undefined;
  readonly payload: unknown;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly runAt: Date;
}

/**
 * Claims up to `limit` due jobs of the given queues under a lease: pending ones whose time has
 * come, and running ones whose worker let the lease lapse (it died or lost the database).
 * SKIP LOCKED lets concurrent claimers pass each other's rows instead of waiting or taking them.
 * `attempts` grows on every claim and fences off a worker whose lease was taken over.
 */
export async function claimJobs(
  db: JobDb,
  claim: { queues: readonly string[]; limit: number; instanceId: string; now: Date; leaseMs: number },
): Promise<ClaimedJob[]> {
  if (claim.queues.length === 0 || claim.limit < 1) return [];
  const rows = await db
    .with('due', (qb) => qb
      .selectFrom('kernel_job')
      .select('id')
      .where('queue', 'in', claim.queues)
      .where((eb) => eb.or([
        eb.and([eb('state', '=', 'pending'), eb('run_at', '<=', claim.now)]),
        eb.and([eb('state', '=', 'running'), eb('locked_until', '<=', claim.now)]),
      ]))
      .orderBy('run_at')
      .orderBy('id')
      .limit(claim.limit)
      .forUpdate()
      .skipLocked())
    .updateTable('kernel_job')
    .from('due')
    .set((eb) => ({
      state: 'running',
      attempts: eb('kernel_job.attempts', '+', 1),
      locked_by: claim.instanceId,
      locked_until: new Date(claim.now.getTime() + claim.leaseMs),
      updated_at: claim.now,
    }))
    .whereRef('kernel_job.id', '=', 'due.id')
    .returning(['kernel_job.id', 'kernel_job.queue', 'kernel_job.key', 'kernel_job.payload', 'kernel_job.attempts', 'kernel_job.max_attempts', 'kernel_job.run_at'])
    .execute();
  return rows
    .map((r) => ({ id: r.id, queue: r.queue, key: r.key ?? undefined, payload: r.payload, attempt: r.attempts, maxAttempts: r.max_attempts, runAt: r.run_at }))
    .sort((a, b) => a.runAt.getTime() - b.runAt.getTime() || a.id.localeCompare(b.id));
}

/** The lease a claim holds: the job id and the attempt number it was claimed with. */
export interface Lease { readonly id: string; readonly attempt: number }

function leased(db: JobDb, lease: Lease) {
  return db.updateTable('kernel_job').where('id', '=', lease.id).where('state', '=', 'running').where('attempts', '=', lease.attempt);
}

/** Each `finish` returns false when the lease was lost: another worker has the job now. */
export async function extendLease(db: JobDb, lease: Lease, until: Date, now: Date): Promise<boolean> {
  const r = await leased(db, lease).set({ locked_until: until, updated_at: now }).executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function finishDone(db: JobDb, lease: Lease, now: Date): Promise<boolean> {
  const r = await leased(db, lease)
    .set({ state: 'done', locked_by: null, locked_until: null, finished_at: now, updated_at: now })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function finishRetry(db: JobDb, lease: Lease, error: string, runAt: Date, now: Date): Promise<boolean> {
  const r = await leased(db, lease)
    .set({ state: 'pending', run_at: runAt, last_error: error, locked_by: null, locked_until: null, updated_at: now })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

export async function finishFailed(db: JobDb, lease: Lease, error: string, now: Date): Promise<boolean> {
  const r = await leased(db, lease)
    .set({ state: 'failed', last_error: error, locked_by: null, locked_until: null, finished_at: now, updated_at: now })
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/**
 * Jobs per queue and state. `states` narrows the count; given as one `state = …` test each, so
 * PostgreSQL can read the partial index of each state instead of every done job kept.
 */
export async function countJobs(db: JobDb, states?: readonly JobState[]): Promise<JobStat[]> {
  if (states?.length === 0) return [];
  let query = db.selectFrom('kernel_job');
  if (states !== undefined) query = query.where((eb) => eb.or(states.map((state) => eb('state', '=', state))));
  const rows = await query
    .select(['queue', 'state', (eb) => eb.fn.countAll<number>().as('count')])
    .groupBy(['queue', 'state'])
    .orderBy('queue')
    .orderBy('state')
    .execute();
  return rows.map((r) => ({ queue: r.queue, state: r.state, count: Number(r.count) }));
}

function toInfo(r: JobRow): JobInfo {
  return {
    id: r.id,
    queue: r.queue,
    key: r.key ?? undefined,
    payload: r.payload,
    state: r.state,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    runAt: r.run_at,
    lockedBy: r.locked_by ?? undefined,
    lockedUntil: r.locked_until ?? undefined,
    lastError: r.last_error ?? undefined,
    createdAt: r.created_at,
    finishedAt: r.finished_at ?? undefined,
  };
}


export async function findJob(db: JobDb, id: string): Promise<JobInfo | undefined> {
  // A malformed id would make PostgreSQL reject the uuid cast; it simply names no job.
  if (!UUID.test(id)) return undefined;
  const row = await db.selectFrom('kernel_job').selectAll().where('id', '=', id).executeTakeFirst();
  return row ? toInfo(row) : undefined;
}

export async function retryFailed(db: JobDb, id: string, now: Date): Promise<boolean> {
  if (!UUID.test(id)) return false;
  const r = await db
    .updateTable('kernel_job')
    .set({ state: 'pending', attempts: 0, run_at: now, finished_at: null, updated_at: now })
    .where('id', '=', id)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Moves the run time of the pending job with this key; false when there is none (running, done or failed jobs stay). */
export async function movePending(db: JobDb, queue: string, key: string, runAt: Date, now: Date): Promise<boolean> {
  const r = await db
    .updateTable('kernel_job')
    .set({ run_at: runAt, updated_at: now })
    .where('queue', '=', queue)
    .where('key', '=', key)
    .where('state', '=', 'pending')
    .executeTakeFirst();
  return r.numUpdatedRows > 0n;
}

/** Failed jobs, the latest failure first (an operator's `tongban jobs failed`); `queue` narrows them. */
export async function listFailed(db: JobDb, filter: { readonly queue: string | undefined; readonly limit: number }): Promise<JobInfo[]> {
  let query = db.selectFrom('kernel_job').selectAll().where('state', '=', 'failed');
  if (filter.queue !== undefined) query = query.where('queue', '=', filter.queue);
  const rows = await query.orderBy('finished_at', 'desc').orderBy('id').limit(filter.limit).execute();
  return rows.map(toInfo);
}

/** `retryFailed` for every failed job of one queue, in one statement; returns how many. */
export async function retryFailedInQueue(db: JobDb, queue: string, now: Date): Promise<number> {
  const r = await db
    .updateTable('kernel_job')
    .set({ state: 'pending', attempts: 0, run_at: now, finished_at: null, updated_at: now })
    .where('queue', '=', queue)
    .where('state', '=', 'failed')
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/** Rows per delete statement: each is its own short transaction, so a large backlog never holds locks for long. */
const PRUNE_BATCH = 5_000;

/** Deletes done and failed jobs finished before `before`, a batch at a time; returns how many. */
export async function deleteFinished(db: JobDb, before: Date): Promise<number> {
  let total = 0;
  for (;;) {
    const r = await db.deleteFrom('kernel_job')
      .where('id', 'in', (qb) => qb.selectFrom('kernel_job').select('id')
        .where('state', 'in', ['done', 'failed']).where('finished_at', '<', before).limit(PRUNE_BATCH))
      .executeTakeFirst();
    const n = Number(r.numDeletedRows);
    total += n;
    if (n < PRUNE_BATCH) return total;
  }
}
