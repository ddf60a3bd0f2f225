import type { Kysely } from 'kysely';

/**
 * TLS client certificates that authenticate a subsystem's calls (ADR 43), pinned by the SHA-256
 * of their DER bytes. Several per subsystem, so a renewed certificate is added before the old one
 * expires and the old one removed after the system has switched.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('mediator_client_certificates')
    .addColumn('sha256', 'text', (c) => c.primaryKey())
    .addColumn('subsystem_id', 'text', (c) => c.notNull().references('mediator_subsystems.id'))
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('not_before', 'timestamptz', (c) => c.notNull())
    .addColumn('not_after', 'timestamptz', (c) => c.notNull())
    // The certificate itself (public), so an administrator can compare it with the system's.
    .addColumn('pem', 'text', (c) => c.notNull())
    .addColumn('added_by', 'text', (c) => c.notNull())
    .addColumn('added_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mediator_client_certificates_subsystem').on('mediator_client_certificates').column('subsystem_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mediator_client_certificates').ifExists().execute();
}
