import { sql, type Kysely } from 'kysely';

/**
 * Failed jobs are read by `tongban jobs failed` and counted on every /metrics scrape; a small
 * partial index finds them without reading the done jobs kept for TONGBAN_JOBS_RETENTION_DAYS.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('kernel_job_failed').on('kernel_job').columns(['queue', 'finished_at']).where(sql<boolean>`state = 'failed'`).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('kernel_job_failed').execute();
}
