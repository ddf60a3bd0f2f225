import type { Kysely } from 'kysely';

export interface JobContext {
  readonly id: string;
  readonly queue: string;
  /** 1 on the first try. */
  readonly attempt: number;
  readonly maxAttempts: number;
  /** When the job was due: for a periodic job, the start of its time slot. */
  readonly runAt: Date;
  readonly key: string | undefined;
}

/** A handler that returns (or resolves) has done its job; one that throws (or rejects) is retried. */
export type JobHandler<P> = (payload: P, context: JobContext) => Promise<void> | void;

export interface EnqueueOptions {
  /** Run no earlier than this (deadlines, reminders). */
  readonly runAt?: Date;
  /** A second enqueue with the same key in the same queue is a no-op: retries create nothing twice. */
  readonly key?: string;
  readonly maxAttempts?: number;
}

/** `pending`: waiting for its time or a handler; `running`: claimed under a lease; `failed`: gave up. */
export type JobState = 'pending' | 'running' | 'done' | 'failed';

export interface JobInfo {
  readonly id: string;
  readonly queue: string;
  readonly key: string | undefined;
  readonly payload: unknown;
  readonly state: JobState;
  readonly attempts: number;
  readonly maxAttempts: number;
  readonly runAt: Date;
  readonly lockedBy: string | undefined;
  readonly lockedUntil: Date | undefined;
  /** The error of the last failed attempt, kept after success or final failure for diagnosis. */
  readonly lastError: string | undefined;
  readonly createdAt: Date;
  readonly finishedAt: Date | undefined;
}

/** One row per queue and state that has jobs (`tongban_jobs` in /metrics). */
export interface JobStat {
  readonly queue: string;
  readonly state: JobState;
  readonly count: number;
}

/**
 * The durable job queue port. A job enqueued in a transaction exists if and only if that
 * transaction commits; it runs at least once, and handlers are written to be idempotent, so
 * from the handler's point of view it runs exactly once.
 */
export interface JobQueue {
  enqueue<P>(executor: Kysely<object>, queue: string, payload: P, options?: EnqueueOptions): Promise<string>;
  /**
   * Moves the pending job with this key to a new run time (a deadline recomputed after a calendar
   * correction); false when the key has no pending job. In the caller's transaction.
   */
  reschedule(executor: Kysely<object>, queue: string, key: string, runAt: Date): Promise<boolean>;
  register<P>(queue: string, handler: JobHandler<P>): void;
  /**
   * Makes sure one job per time slot of `intervalMs` exists in `queue`, across every instance on
   * the database. Slots are aligned to the epoch; a slot missed while every instance was down is
   * not made up, the current one is.
   */
  every<P>(queue: string, intervalMs: number, payload: P): void;
  start(): void;
  stop(): Promise<void>;
  /** Runs due jobs of the queues this instance handles until none is left; for tests. */
  drain(): Promise<number>;
  /** Jobs per queue and state (only these states, if given): `/metrics` counts pending, running and failed. */
  stats(states?: readonly JobState[]): Promise<JobStat[]>;
  get(id: string): Promise<JobInfo | undefined>;
  /** Failed jobs, the latest failure first, at most `limit` (default 100); `tongban jobs failed`. */
  failed(filter?: { readonly queue?: string; readonly limit?: number }): Promise<JobInfo[]>;
  /** Puts a failed job back to pending with a fresh set of attempts; false if it is not failed. */
  retry(id: string): Promise<boolean>;
  /** `retry` for every failed job of a queue; returns how many will run again. */
  retryQueue(queue: string): Promise<number>;
  /** Deletes done and failed jobs finished before `before`; their keys become free again. Returns how many. */
  prune(before: Date): Promise<number>;
}
