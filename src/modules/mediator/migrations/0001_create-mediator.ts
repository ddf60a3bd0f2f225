import { sql, type Kysely } from 'kysely';

/**
 * The mediator's registry (members, their subsystems, the services those offer, who may call
 * what) and its message log: a hash chain with the shape of the audit trail's
 * (docs/adr/0003-audit-chain.md, docs/adr/0015-information-mediator.md).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('mediator_members')
    // `CN/GOV/110000-PSB`: instance, class and code joined by slashes.
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('instance', 'text', (c) => c.notNull())
    .addColumn('member_class', 'text', (c) => c.notNull())
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema.createTable('mediator_subsystems')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('member_id', 'text', (c) => c.notNull().references('mediator_members.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    // The machine client (kernel_api_client) that authenticates as this subsystem; null for a
    // subsystem that only provides services.
    .addColumn('client_id', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema.createTable('mediator_services')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('subsystem_id', 'text', (c) => c.notNull().references('mediator_subsystems.id'))
    .addColumn('code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('base_url', 'text', (c) => c.notNull())
    .addColumn('openapi', 'jsonb')
    .addColumn('needs_consent', 'boolean', (c) => c.notNull())
    .addColumn('agreement_id', 'text')
    .addColumn('timeout_ms', 'integer')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addCheckConstraint('mediator_services_consent', sql`not needs_consent or agreement_id is not null`)
    .execute();

  await db.schema.createTable('mediator_access_rights')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('service_id', 'text', (c) => c.notNull().references('mediator_services.id'))
    .addColumn('client_id', 'text', (c) => c.notNull().references('mediator_subsystems.id'))
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull())
    .addUniqueConstraint('mediator_access_rights_unique', ['service_id', 'client_id', 'method', 'path'])
    .execute();
  await db.schema.createIndex('mediator_access_rights_client').on('mediator_access_rights').columns(['client_id', 'service_id']).execute();

  await db.schema.createTable('mediator_message_log')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('chain', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('message_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addColumn('client', 'text')
    .addColumn('service', 'text')
    .addColumn('method', 'text', (c) => c.notNull())
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('user_id', 'text')
    .addColumn('issue', 'text')
    .addColumn('status', 'integer', (c) => c.notNull())
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('request_digest', 'text', (c) => c.notNull())
    .addColumn('response_digest', 'text', (c) => c.notNull())
    .addColumn('request_bytes', 'integer', (c) => c.notNull())
    .addColumn('response_bytes', 'integer', (c) => c.notNull())
    .addColumn('duration_ms', 'integer', (c) => c.notNull())
    .addColumn('provider_ms', 'integer')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('mediator_message_log_chain_seq', ['chain', 'seq'])
    .execute();
  await db.schema.createIndex('mediator_message_log_service_at').on('mediator_message_log').columns(['service', 'at']).execute();
  await db.schema.createIndex('mediator_message_log_at').on('mediator_message_log').columns(['at']).execute();
  await db.schema.createTable('mediator_message_log_head')
    .addColumn('chain', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('mediator_message_log_checkpoint')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('heads', 'jsonb', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  // The function comes from the kernel_audit history, which runs before any module's.
  for (const table of ['mediator_message_log', 'mediator_message_log_checkpoint']) {
    await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function tb_audit_reject_change()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function tb_audit_reject_change()`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['mediator_message_log_checkpoint', 'mediator_message_log_head', 'mediator_message_log', 'mediator_access_rights', 'mediator_services', 'mediator_subsystems', 'mediator_members']) {
    await db.schema.dropTable(t).execute();
  }
}
