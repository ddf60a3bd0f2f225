import { sql, type Kysely } from 'kysely';

// A second chained log shaped like the mediator's future message log (see chain.ts).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations never depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('tb_test_message')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('chain', 'integer', (c) => c.notNull())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('digest', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('tb_test_message_chain_seq', ['chain', 'seq'])
    .execute();
  await db.schema.createTable('tb_test_message_head')
    .addColumn('chain', 'integer', (c) => c.primaryKey())
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createTable('tb_test_message_checkpoint')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('heads', 'jsonb', (c) => c.notNull())
    .addColumn('public_key', 'text', (c) => c.notNull())
    .addColumn('signature', 'text', (c) => c.notNull())
    .execute();
  await sql`create trigger tb_test_message_append_only before update or delete on tb_test_message
    for each row execute function tb_audit_reject_change()`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const t of ['tb_test_message_checkpoint', 'tb_test_message_head', 'tb_test_message']) await db.schema.dropTable(t).execute();
}
