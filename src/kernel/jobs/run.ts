import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import { extendLease, finishDone, finishFailed, finishRetry, type ClaimedJob, type JobTables, type Lease } from './store.js';
import type { JobHandler } from './types.js';

export interface RunSettings {
  readonly db: Kysely<JobTables>;
  readonly log: Logger;
  readonly now: () => Date;
  readonly leaseMs: number;
  readonly backoffBaseMs: number;
  readonly backoffMaxMs: number;
}

/** How long to wait after failed attempt n (1-based) before the next one. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  // 2^30 already exceeds any sensible cap; stop doubling before the number grows silly.
  return Math.min(maxMs, baseMs * 2 ** Math.min(attempt - 1, 30));
}

const MAX_ERROR_CHARS = 2_000;

function describeError(error: unknown): string {
  const text = error instanceof Error
    ? `${'code' in error && typeof error.code === 'string' ? `${error.code}: ` : ''}${error.name}: ${error.message}`
    : String(error);
  return text.length > MAX_ERROR_CHARS ? `${text.slice(0, MAX_ERROR_CHARS)}…` : text;
}

/**
 * Runs one claimed job outside any transaction (the handler opens its own, and on PGlite only
 * one transaction runs at a time), renewing the lease while it runs, then records the outcome.
 * Never rejects: a database error while recording is logged, and the lapsed lease makes another
 * worker run the job again, which is the at-least-once contract. Resolves true if the handler ran.
 */
export async function runJob(settings: RunSettings, handler: JobHandler<unknown> | undefined, job: ClaimedJob): Promise<boolean> {
  const { db, log, now, leaseMs } = settings;
  const lease: Lease = { id: job.id, attempt: job.attempt };
  const fields = { jobId: job.id, queue: job.queue, attempt: job.attempt };
  try {
    if (job.attempt > job.maxAttempts || !handler) {
      // Claimed again after its last attempt's lease lapsed: the worker died running it, perhaps
      // because of it. Running it once more could take down the next worker too.
      const reason = handler ? `gave up after ${job.maxAttempts} attempts: the worker running the last one stopped` : 'no handler';
      await finishFailed(db, lease, reason, now());
      log.error(fields, `job failed: ${reason}`);
      return false;
    }
    const heartbeat = setInterval(() => {
      const at = now();
      extendLease(db, lease, new Date(at.getTime() + leaseMs), at)
        .then((kept) => { if (!kept) log.warn(fields, 'job lease lost while running; another worker may run it too'); })
        .catch((err: unknown) => log.warn({ ...fields, err }, 'job lease renewal failed'));
    }, Math.max(1, Math.floor(leaseMs / 3)));
    heartbeat.unref();
    let failure: { error: unknown } | undefined;
    try {
      await handler(job.payload, { id: job.id, queue: job.queue, attempt: job.attempt, maxAttempts: job.maxAttempts, runAt: job.runAt, key: job.key });
    } catch (error) {
      failure = { error };
    } finally {
      clearInterval(heartbeat);
    }
    const at = now();
    let recorded: boolean;
    if (!failure) {
      recorded = await finishDone(db, lease, at);
    } else if (job.attempt >= job.maxAttempts) {
      recorded = await finishFailed(db, lease, describeError(failure.error), at);
      log.error({ ...fields, err: failure.error }, 'job failed for the last time');
    } else {
      const wait = backoffMs(job.attempt, settings.backoffBaseMs, settings.backoffMaxMs);
      recorded = await finishRetry(db, lease, describeError(failure.error), new Date(at.getTime() + wait), at);
      log.warn({ ...fields, err: failure.error, retryInMs: wait }, 'job failed; will retry');
    }
    if (!recorded) log.warn(fields, 'job lease was lost before the job finished; its outcome is left to the worker that took it over');
    return true;
  } catch (err) {
    log.error({ ...fields, err }, 'could not record the job outcome; it will run again when its lease expires');
    return true;
  }
}
