import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { performance } from 'node:perf_hooks';
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Db } from '../db/index.js';
import { TongbanError } from '../http/errors.js';
import { JobErrors } from './errors.js';
import { runJob, type RunSettings } from './run.js';
import { claimJobs, countJobs, deleteFinished, findJob, insertJob, jobDb, listFailed, movePending, retryFailed, retryFailedInQueue } from './store.js';
import type { EnqueueOptions, JobHandler, JobQueue } from './types.js';

export interface JobQueueDeps {
  readonly db: Db;
  readonly log: Logger;
  /** The clock every job time is judged by (run_at, leases, backoff, periodic slots). */
  readonly now: () => Date;
  /** How often `start()` looks for due jobs when nothing woke it sooner. */
  readonly pollMs: number;
  /** Names this process in `locked_by`; unique per process by default. */
  readonly instanceId?: string;
  /** How long a claim is good for; a live worker renews it every third of this. Default 60 s. */
  readonly leaseMs?: number;
  /** Handlers this instance runs at once. Default 4. */
  readonly concurrency?: number;
  /** Retry n waits baseMs * 2^(n-1), at most maxMs. Default 5 s doubling up to 1 h. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** Default 12: with the default backoff, about two and a half hours of retrying. */
  readonly maxAttempts?: number;
}

interface Periodic {
  readonly queue: string;
  readonly intervalMs: number;
  readonly payloadJson: string;
  lastSlot: number | undefined;
}

// An enqueue inside a transaction is visible to other connections only after commit; waking
// a moment later usually finds it, and the regular poll catches a slower transaction.
const AFTER_COMMIT_MS = 20;

function invalid(detail: string): TongbanError {
  return new TongbanError(JobErrors.TB_JOBS_INVALID_OPTIONS, { detail });
}

function positiveInt(value: number, what: string): number {
  if (!Number.isSafeInteger(value) || value < 1) throw invalid(`${what} must be a positive integer, got ${value}`);
  return value;
}

function toJson(payload: unknown): string {
  let json: string | undefined;
  try {
    json = JSON.stringify(payload);
  } catch (cause) {
    throw new TongbanError(JobErrors.TB_JOBS_PAYLOAD_NOT_JSON, { cause });
  }
  if (json === undefined) throw new TongbanError(JobErrors.TB_JOBS_PAYLOAD_NOT_JSON, { detail: 'The payload has no JSON form' });
  return json;
}

export function createJobQueue(deps: JobQueueDeps): JobQueue {
  const { db, log, now } = deps;
  const pollMs = positiveInt(deps.pollMs, 'pollMs');
  const concurrency = positiveInt(deps.concurrency ?? 4, 'concurrency');
  const defaultMaxAttempts = positiveInt(deps.maxAttempts ?? 12, 'maxAttempts');
  const settings: RunSettings = {
    db: jobDb(db),
    log,
    now,
    leaseMs: positiveInt(deps.leaseMs ?? 60_000, 'leaseMs'),
    backoffBaseMs: positiveInt(deps.backoff?.baseMs ?? 5_000, 'backoff.baseMs'),
    backoffMaxMs: positiveInt(deps.backoff?.maxMs ?? 3_600_000, 'backoff.maxMs'),
  };
  const instanceId = deps.instanceId ?? `${hostname()}/${process.pid}/${randomUUID().slice(0, 8)}`;
  const handlers = new Map<string, JobHandler<unknown>>();
  const periodic: Periodic[] = [];
  const running = new Set<Promise<boolean>>();

  let started = false;
  let timer: NodeJS.Timeout | undefined;
  let timerDue = Infinity;
  let polling: Promise<void> | undefined;
  let pollAgain = false;
  // True when the last claim filled every free slot: more jobs may be due.
  let backlog = false;

  function track(run: Promise<boolean>): Promise<boolean> {
    running.add(run);
    void run.finally(() => {
      running.delete(run);
      if (backlog) wake(0);
    });
    return run;
  }

  async function claim(limit: number) {
    const jobs = await claimJobs(settings.db, { queues: [...handlers.keys()], limit, instanceId, now: now(), leaseMs: settings.leaseMs });
    backlog = jobs.length > 0 && jobs.length === limit;
    return jobs;
  }

  function start(job: Awaited<ReturnType<typeof claim>>[number]): Promise<boolean> {
    return track(runJob(settings, handlers.get(job.queue), job));
  }

  async function ensurePeriodic(): Promise<void> {
    for (const p of periodic) {
      const at = now();
      const slot = Math.floor(at.getTime() / p.intervalMs);
      if (p.lastSlot === slot) continue;
      const slotStart = new Date(slot * p.intervalMs);
      await insertJob(settings.db, {
        queue: p.queue,
        payloadJson: p.payloadJson,
        // The slot is in the key, so every instance inserting it ends up with the same one job.
        key: `every:${p.intervalMs}:${slotStart.toISOString()}`,
        runAt: slotStart,
        maxAttempts: defaultMaxAttempts,
        now: at,
      });
      p.lastSlot = slot;
    }
  }

  async function pollOnce(): Promise<void> {
    await ensurePeriodic();
    const free = concurrency - running.size;
    if (free < 1) return;
    for (const job of await claim(free)) void start(job);
  }

  function wake(delayMs: number): void {
    if (!started) return;
    const due = performance.now() + delayMs;
    if (timer && timerDue <= due) return;
    clearTimeout(timer);
    timerDue = due;
    timer = setTimeout(tick, delayMs);
    // The queue alone never keeps a process alive: the server or the CLI decides that.
    timer.unref();
  }

  function tick(): void {
    timer = undefined;
    timerDue = Infinity;
    if (!started) return;
    if (polling) {
      pollAgain = true;
      return;
    }
    polling = pollOnce()
      .catch((err: unknown) => log.error({ err }, 'job poll failed; retrying at the next poll'))
      .finally(() => {
        polling = undefined;
        const again = pollAgain;
        pollAgain = false;
        wake(again ? 0 : pollMs);
      });
  }

  return {
    async enqueue<P>(executor: Kysely<object>, queue: string, payload: P, options: EnqueueOptions = {}): Promise<string> {
      if (queue.length === 0) throw invalid('The queue name is empty');
      const maxAttempts = positiveInt(options.maxAttempts ?? defaultMaxAttempts, 'maxAttempts');
      if (options.runAt !== undefined && Number.isNaN(options.runAt.getTime())) throw invalid('runAt is not a valid date');
      const at = now();
      const id = await insertJob(jobDb(executor), {
        queue, payloadJson: toJson(payload), key: options.key, runAt: options.runAt ?? at, maxAttempts, now: at,
      });
      if (id === undefined) throw new TongbanError(JobErrors.TB_JOBS_KEY_UNSEEN, { detail: `queue ${queue}, key ${options.key}` });
      wake(executor.isTransaction ? AFTER_COMMIT_MS : 0);
      return id;
    },

    async reschedule(executor: Kysely<object>, queue: string, key: string, runAt: Date): Promise<boolean> {
      if (Number.isNaN(runAt.getTime())) throw invalid('runAt is not a valid date');
      const moved = await movePending(jobDb(executor), queue, key, runAt, now());
      if (moved) wake(executor.isTransaction ? AFTER_COMMIT_MS : 0);
      return moved;
    },

    register<P>(queue: string, handler: JobHandler<P>): void {
      if (handlers.has(queue)) throw new TongbanError(JobErrors.TB_JOBS_HANDLER_TAKEN, { detail: `queue ${queue}` });
      // Handlers receive the payload their queue was given; P is the caller's promise about it.
      handlers.set(queue, handler as JobHandler<unknown>);
      wake(0);
    },

    every<P>(queue: string, intervalMs: number, payload: P): void {
      positiveInt(intervalMs, 'intervalMs');
      if (periodic.some((p) => p.queue === queue && p.intervalMs === intervalMs)) {
        throw invalid(`queue ${queue} already runs every ${intervalMs} ms`);
      }
      periodic.push({ queue, intervalMs, payloadJson: toJson(payload), lastSlot: undefined });
      wake(0);
    },

    start(): void {
      if (started) return;
      started = true;
      wake(0);
    },

    async stop(): Promise<void> {
      started = false;
      clearTimeout(timer);
      timer = undefined;
      timerDue = Infinity;
      await polling;
      // A drain() running alongside may add work while we wait: wait until nothing runs.
      while (running.size > 0) await Promise.all(running);
    },

    async drain(): Promise<number> {
      let ran = 0;
      for (;;) {
        await ensurePeriodic();
        const jobs = await claim(concurrency);
        if (jobs.length === 0) return ran;
        const results = await Promise.all(jobs.map(start));
        ran += results.filter(Boolean).length;
      }
    },

    stats: (states) => countJobs(settings.db, states),
    get: (id) => findJob(settings.db, id),
    failed: async (filter = {}) => listFailed(settings.db, { queue: filter.queue, limit: positiveInt(filter.limit ?? 100, 'limit') }),
    retry: (id) => retryFailed(settings.db, id, now()),
    retryQueue: (queue) => retryFailedInQueue(settings.db, queue, now()),
    prune: (before) => deleteFinished(settings.db, before),
  };
}
