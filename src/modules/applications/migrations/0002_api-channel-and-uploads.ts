/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * The `api` channel (a system applying for a person identified by resident ID number), which
 * makes `submitted_by` and `uploaded_by` name a system too (`client:<id>`, not a uuid), and
 * uploads kept before any application exists, until attached or expired (docs/adr/0014).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table applications drop constraint applications_channel_check`.execute(db);
  await sql`alter table applications add constraint applications_channel_check check (channel in ('online', 'counter', 'api'))`.execute(db);
  await sql`alter table applications alter column submitted_by type text`.execute(db);
  await sql`alter table application_files alter column uploaded_by type text`.execute(db);

  await db.schema.createTable('application_uploads')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull())
    .addColumn('label', 'text')
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('application_uploads_owner').on('application_uploads').columns(['owner', 'expires_at']).execute();
  await db.schema.createIndex('application_uploads_expiry').on('application_uploads').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('application_uploads').execute();
  await sql`delete from applications where channel = 'api'`.execute(db);
  await sql`alter table application_files alter column uploaded_by type uuid using uploaded_by::uuid`.execute(db);
  await sql`alter table applications alter column submitted_by type uuid using submitted_by::uuid`.execute(db);
  await sql`alter table applications drop constraint applications_channel_check`.execute(db);
  await sql`alter table applications add constraint applications_channel_check check (channel in ('online', 'counter'))`.execute(db);
}
