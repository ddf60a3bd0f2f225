import pino from 'pino';
import type { Db } from '../db/index.js';
import { createJobQueue, type JobQueueDeps } from './queue.js';
import type { JobQueue } from './types.js';

/** Helpers for the job queue's own tests: a clock the test moves, and a queue wired to it. */

export interface ManualClock {
  readonly now: () => Date;
  advance(ms: number): void;
}

export function manualClock(start = '2030-01-01T00:00:00.000Z'): ManualClock {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms) => { t += ms; } };
}

export function testQueue(db: Db, clock: ManualClock, options: Partial<JobQueueDeps> = {}): JobQueue {
  return createJobQueue({ db, log: pino({ level: 'silent' }), now: clock.now, pollMs: 60_000, ...options });
}

let counter = 0;
/** Tests in one file share a database: each uses queues of its own. */
export function uniqueQueue(name: string): string {
  counter += 1;
  return `${name}-${counter}`;
}

/** A promise with its resolver outside, to hold a handler mid-run. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => { resolve = r; });
  return { promise, resolve };
}
