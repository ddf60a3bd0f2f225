import { sql, type Kysely } from 'kysely';

/**
 * Optional storage of exchange bodies, encrypted (docs/adr/0015-information-mediator.md): a flag
 * per service, and a table beside the message log keyed by message id. The bodies stay out of the
 * hash-chained row, so the chain's canonical form does not change; the chained digests still
 * prove what a decrypted body must hash to.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mediator_services').addColumn('store_bodies', 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  await db.schema.createTable('mediator_message_bodies')
    .addColumn('message_id', 'text', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    // A fingerprint of the key, so a body sealed under an older key is named as such, not as tampered.
    .addColumn('key_id', 'text', (c) => c.notNull())
    // AES-256-GCM: a fresh 12-byte IV per body, the 16-byte tag kept apart from the ciphertext.
    .addColumn('request_iv', 'bytea', (c) => c.notNull())
    .addColumn('request_tag', 'bytea', (c) => c.notNull())
    .addColumn('request_body', 'bytea', (c) => c.notNull())
    .addColumn('response_iv', 'bytea', (c) => c.notNull())
    .addColumn('response_tag', 'bytea', (c) => c.notNull())
    .addColumn('response_body', 'bytea', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('mediator_message_bodies_at').on('mediator_message_bodies').column('at').execute();
  // Sealed bodies are never rewritten; deleting old ones (retention) stays possible.
  await sql`create trigger mediator_message_bodies_no_update before update on mediator_message_bodies
    for each row execute function tb_audit_reject_change()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('mediator_message_bodies').execute();
  await db.schema.alterTable('mediator_services').dropColumn('store_bodies').execute();
}
