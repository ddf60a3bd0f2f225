import { sql, type Kysely } from 'kysely';

// Shape required by src/kernel/audit/chain.ts: records, heads and checkpoints tables.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations never depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('tb_audit_record')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('chain', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_organisation', 'text')
    .addColumn('on_behalf_of', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('subject', 'text')
    .addColumn('resource_type', 'text')
    .addColumn('resource_id', 'text')
    .addColumn('purpose', 'text')
    .addColumn('request_id', 'text')
    .addColumn('details', 'jsonb')
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('tb_audit_record_chain_seq', ['chain', 'seq'])
    .execute();
  // "Who used my data": newest first for one person.
  await sql`create index tb_audit_record_subject_at on tb_audit_record (subject, at, id)`.execute(db);

  await db.schema
    .createTable('tb_audit_chain_head')
    .addColumn('chain', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('tb_audit_checkpoint')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('heads', 'jsonb', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();

  // Shared by every append-only log (the mediator's message log uses it too).
  await sql`create function tb_audit_reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'table % is append-only: % is not allowed', tg_table_name, tg_op using errcode = '42501';
    end
  $$`.execute(db);
  for (const table of ['tb_audit_record', 'tb_audit_checkpoint']) {
    await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function tb_audit_reject_change()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function tb_audit_reject_change()`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('tb_audit_checkpoint').execute();
  await db.schema.dropTable('tb_audit_chain_head').execute();
  await db.schema.dropTable('tb_audit_record').execute();
  await sql`drop function tb_audit_reject_change()`.execute(db);
}
