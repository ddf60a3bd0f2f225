import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../db/index.js';

export { createJobQueue, type JobQueueDeps } from './queue.js';
export { JobErrors } from './errors.js';
export { registerJobMetrics } from './metrics.js';
export { JOBS_PRUNE_QUEUE, registerJobPruning } from './prune.js';
export type { EnqueueOptions, JobContext, JobHandler, JobInfo, JobQueue, JobStat, JobState } from './types.js';

/** The job table's own migration history. */
export const jobsMigrations: MigrationSource = {
  name: 'kernel_jobs',
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
};
