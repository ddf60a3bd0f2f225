import type { Kysely } from 'kysely';

/**
 * One row per (caller, Idempotency-Key): what the first request asked (method and route, a hash
 * of what it sent) and what it created (`result`, written in the transaction that created it),
 * then the answer it got (`response_*`, kept right after). ADR 31.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kernel_idempotency_keys')
    .addColumn('caller', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('operation', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('result', 'jsonb')
    .addColumn('response_status', 'integer')
    .addColumn('response_headers', 'jsonb')
    .addColumn('response_body', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('kernel_idempotency_keys_pk', ['caller', 'key'])
    .execute();
  // The cleanup job deletes by expiry.
  await db.schema.createIndex('kernel_idempotency_keys_expires').on('kernel_idempotency_keys').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kernel_idempotency_keys').execute();
}
