/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * Drafts are kept 30 days after their last change, then deleted by a daily job (docs/adr/0065):
 * an index lets the job find the drafts past their time without reading every application, and
 * `application_expired_drafts` keeps of each deleted draft only what the performance figures count
 * (a service started on a day, through a channel): nothing of the person, not even who.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index applications_draft_updated on applications (updated_at) where status = 'draft'`.execute(db);
  await db.schema.createTable('application_expired_drafts')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('service_id', 'uuid', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('deleted_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('application_expired_drafts').execute();
  await sql`drop index applications_draft_updated`.execute(db);
}
