import { sql, type Kysely } from 'kysely';

/**
 * Server-side sessions and sign-ins in progress. Only the SHA-256 of a session id is stored, so a
 * copy of the table cannot be replayed as cookies. Times come from the application's clock.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('kernel_session')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_seen_at', 'timestamptz', (c) => c.notNull())
    .addColumn('idle_expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    // Kept for RP-initiated logout (id_token_hint); never shown or logged.
    .addColumn('id_token', 'text')
    .execute();
  await db.schema.createIndex('kernel_session_account').on('kernel_session').column('account_id').execute();
  await db.schema.createIndex('kernel_session_expiry').on('kernel_session').expression(sql`least(idle_expires_at, expires_at)`).execute();

  await db.schema
    .createTable('kernel_signin_attempt')
    .addColumn('id_hash', 'text', (c) => c.primaryKey())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kernel_signin_attempt_expiry').on('kernel_signin_attempt').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kernel_signin_attempt').execute();
  await db.schema.dropTable('kernel_session').execute();
}
