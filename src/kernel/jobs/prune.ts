import type { JobQueue } from './types.js';

/**
 * Keeps the queue small (docs/operations.md, "Partitioning the logs by month"): an hourly durable
 * job deletes done and failed jobs that finished more than the retention period ago. Pending and
 * running jobs are never touched, whatever their age.
 *
 * Deleting a job frees its key. The keys in use are one-shot (a message, a case, an upload, a
 * delivery: none is enqueued twice) or a periodic slot; the retention is at least a day, longer
 * than any periodic interval (an hour at most), so a slot's job outlives its slot and is not run
 * again by an instance starting late in it.
 */
export const JOBS_PRUNE_QUEUE = 'kernel.jobs-prune';
export const JOBS_PRUNE_EVERY_MS = 60 * 60_000;
const DAY_MS = 24 * 3_600_000;

export function registerJobPruning(jobs: JobQueue, settings: { readonly retentionDays: number; readonly now: () => Date }): void {
  jobs.register(JOBS_PRUNE_QUEUE, async () => {
    await jobs.prune(new Date(settings.now().getTime() - settings.retentionDays * DAY_MS));
  });
  jobs.every(JOBS_PRUNE_QUEUE, JOBS_PRUNE_EVERY_MS, {});
}
