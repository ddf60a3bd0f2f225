import type { Kysely } from 'kysely';

/**
 * Sign-in attempts counted per route and address in the database (ADR 57), so that every
 * instance behind the load balancer draws from the same allowance.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('kernel_rate_limit')
    // The route and the caller's key (its address), as the rate limiter builds it.
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('window_started_at', 'timestamptz', (c) => c.notNull())
    .addColumn('hits', 'integer', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kernel_rate_limit_window').on('kernel_rate_limit').column('window_started_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kernel_rate_limit').execute();
}
