/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * Cases, their append-only action history and internal notes. `workflow_cases.status`,
 * `assignee`, `escalated` and `closed_at` are a projection of the history (docs/adr/0011),
 * kept for queue queries; the history is the truth.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('workflow_cases')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('reference', 'text')
    .addColumn('service_id', 'uuid', (c) => c.notNull())
    .addColumn('service_version', 'integer', (c) => c.notNull())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('definition', 'jsonb', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('final', 'boolean', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('escalated', 'boolean', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('closed_at', 'timestamptz')
    .addColumn('last_seq', 'integer', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workflow_cases_queue').on('workflow_cases').columns(['agency', 'final', 'due_at']).execute();
  await db.schema.createIndex('workflow_cases_assignee').on('workflow_cases').columns(['assignee', 'final']).execute();

  await db.schema.createTable('workflow_actions')
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('workflow_cases.id'))
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('actor_role', 'text', (c) => c.notNull())
    .addColumn('from_status', 'text')
    .addColumn('to_status', 'text', (c) => c.notNull())
    .addColumn('reason', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('workflow_actions_pk', ['case_id', 'seq'])
    .execute();

  await db.schema.createTable('workflow_notes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('case_id', 'uuid', (c) => c.notNull().references('workflow_cases.id'))
    .addColumn('author_id', 'text', (c) => c.notNull())
    .addColumn('text', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('workflow_notes_case').on('workflow_notes').columns(['case_id', 'at']).execute();

  // The history and the notes are records: nothing may rewrite them.
  await sql`create function workflow_reject_change() returns trigger language plpgsql as $$
    begin
      raise exception 'table % is append-only: % is not allowed', tg_table_name, tg_op using errcode = '42501';
    end
  $$`.execute(db);
  for (const table of ['workflow_actions', 'workflow_notes']) {
    await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function workflow_reject_change()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workflow_notes').execute();
  await db.schema.dropTable('workflow_actions').execute();
  await db.schema.dropTable('workflow_cases').execute();
  await sql`drop function workflow_reject_change()`.execute(db);
}
