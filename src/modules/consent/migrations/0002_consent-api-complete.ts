import { sql, type Kysely } from 'kysely';

/**
 * The rest of the GovStack Consent API (docs/adr/0029-consent-api-complete.md): policies (one row
 * per version, append-only like agreements), the individuals an agency registered, webhooks and
 * their deliveries, and signatures over consent records.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('consent_policies')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    // The agency code of the controller whose agreements the policy governs.
    .addColumn('controller', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('url', 'text', (c) => c.notNull())
    .addColumn('jurisdiction', 'text')
    .addColumn('industry_sector', 'text')
    .addColumn('data_retention_period_days', 'integer')
    .addColumn('geographic_restriction', 'text')
    .addColumn('storage_location', 'text')
    // False on the version that deleted the policy.
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('consent_policies_pk', ['id', 'version'])
    .execute();
  await db.schema.createIndex('consent_policies_controller').on('consent_policies').columns(['controller', 'id']).execute();

  // An agency's register of the individuals it deals with (GovStack Individual); the person
  // account, when there is one, is found through the identity service by resident ID number.
  await db.schema.createTable('consent_individuals')
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('id_number', 'text', (c) => c.notNull())
    .addColumn('identity_provider_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('consent_individuals_pk', ['agency', 'id_number'])
    .execute();

  await db.schema.createTable('consent_webhooks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('payload_url', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    // The HMAC key the receiver checks X-ConsentBB-Signature with; it is the receiver's shared secret.
    .addColumn('secret_key', 'text', (c) => c.notNull())
    .addColumn('disabled', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    // Deleted webhooks stay for their delivery history; nothing more is sent to them.
    .addColumn('deleted_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('consent_webhooks_agency').on('consent_webhooks').columns(['agency', 'created_at']).execute();

  await db.schema.createTable('consent_webhook_deliveries')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('webhook_id', 'uuid', (c) => c.notNull().references('consent_webhooks.id'))
    .addColumn('event', 'text', (c) => c.notNull())
    // The exact bytes sent (and signed) on every attempt.
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'delivered', 'failed')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    .addColumn('last_status', 'integer')
    .addColumn('last_error', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('consent_webhook_deliveries_webhook').on('consent_webhook_deliveries').columns(['webhook_id', 'created_at']).execute();

  // A signature over one consent record (an event): created unsigned with the payload to sign,
  // then signed once; or created signed with the record (the draft flow).
  await db.schema.createTable('consent_signatures')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('event_id', 'uuid', (c) => c.notNull().references('consent_events.id'))
    .addColumn('payload', 'text', (c) => c.notNull())
    .addColumn('verification_method', 'text', (c) => c.notNull())
    .addColumn('verification_payload', 'text', (c) => c.notNull())
    .addColumn('verification_payload_hash', 'text', (c) => c.notNull())
    .addColumn('verification_signed_by', 'text')
    .addColumn('verification_signed_as', 'text')
    .addColumn('signature', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('signed_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('consent_signatures_event').on('consent_signatures').columns(['event_id', 'created_at']).execute();

  for (const table of ['consent_policies']) {
    await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function tb_audit_reject_change()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function tb_audit_reject_change()`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['consent_signatures', 'consent_webhook_deliveries', 'consent_webhooks', 'consent_individuals', 'consent_policies']) {
    await db.schema.dropTable(table).execute();
  }
}
