import { sql, type Kysely } from 'kysely';

/**
 * Issued certificates and the agencies' signing keys. A certificate row keeps the compact JWS
 * exactly as issued (the JWS is the certificate; the other columns are for lists and look-ups).
 * Private keys live in the kernel's secret store (tb_secret), never here: this table holds only
 * public keys, so publishing it is safe.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('documents_keys')
    .addColumn('kid', 'text', (c) => c.primaryKey())
    .addColumn('agency', 'text', (c) => c.notNull())
    // The public JWK (kty OKP, crv Ed25519, x), without kid/alg: those are added when published.
    .addColumn('public_jwk', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    // Set when a newer key replaces it: it signs nothing more but stays published.
    .addColumn('retired_at', 'timestamptz')
    .execute();
  // One current key per agency, whatever two instances do at once.
  await sql`create unique index documents_keys_current on documents_keys (agency) where retired_at is null`.execute(db);

  await db.schema
    .createTable('documents_certificates')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // No foreign keys into other modules' tables: a module owns only its own.
    .addColumn('application_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('holder_account_id', 'uuid')
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('title', 'jsonb', (c) => c.notNull())
    .addColumn('reference', 'text')
    .addColumn('kid', 'text', (c) => c.notNull())
    .addColumn('jws', 'text', (c) => c.notNull())
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('revoked_by', 'text')
    .addColumn('revoke_reason', 'text')
    .addCheckConstraint('documents_certificates_revoked', sql`(revoked_at is null) = (revoke_reason is null)`)
    .execute();
  await db.schema.createIndex('documents_certificates_holder').on('documents_certificates').columns(['holder_account_id', 'issued_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('documents_certificates').execute();
  await db.schema.dropTable('documents_keys').execute();
}
