import type { Kysely } from 'kysely';

export interface JobContext {
  readonly id: string;
  readonly queue: string;
  /** 1 on the first try. */
  readonly attempt: number;
}

export type JobHandler<P> = (payload: P, context: JobContext) => Promise<void>;

export interface EnqueueOptions {
  /** Run no earlier than this (deadlines, reminders). */
  readonly runAt?: Date;
  /** A second enqueue with the same key in the same queue is a no-op: retries create nothing twice. */
  readonly key?: string;
  readonly maxAttempts?: number;
}

/**
 * The durable job queue port. A job enqueued in a transaction exists if and only if that
 * transaction commits; it runs at least once, and handlers are written to be idempotent, so
 * from the handler's point of view it runs exactly once.
 */
export interface JobQueue {
  enqueue<P>(executor: Kysely<object>, queue: string, payload: P, options?: EnqueueOptions): Promise<string>;
  register<P>(queue: string, handler: JobHandler<P>): void;
  start(): void;
  stop(): Promise<void>;
  /** Runs due jobs until none is left; for tests and `tongban jobs run-once`. */
  drain(): Promise<number>;
}
