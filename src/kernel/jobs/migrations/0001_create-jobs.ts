import { sql, type Kysely } from 'kysely';

/**
 * One table for every queue. Times are set by the application's clock (never the database's
 * now()), so tests control them and every instance judges "due" and "lease expired" alike.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kernel_job')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('queue', 'text', (c) => c.notNull())
    .addColumn('key', 'text')
    .addColumn('payload', 'jsonb', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'running', 'done', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_attempts', 'integer', (c) => c.notNull().check(sql`max_attempts >= 1`))
    .addColumn('run_at', 'timestamptz', (c) => c.notNull())
    .addColumn('locked_by', 'text')
    .addColumn('locked_until', 'timestamptz')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('finished_at', 'timestamptz')
    // NULL keys never collide, so unkeyed jobs are unconstrained; a keyed one is unique per queue.
    .addUniqueConstraint('kernel_job_queue_key', ['queue', 'key'])
    .execute();
  // Claiming reads only these two small partial indexes, however many done jobs are kept.
  await db.schema.createIndex('kernel_job_pending').on('kernel_job').columns(['run_at']).where(sql<boolean>`state = 'pending'`).execute();
  await db.schema.createIndex('kernel_job_running').on('kernel_job').columns(['locked_until']).where(sql<boolean>`state = 'running'`).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kernel_job').execute();
}
