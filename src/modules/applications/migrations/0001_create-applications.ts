/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * Applications (drafts and submitted), the files uploaded with them (bytes kept in the database,
 * so N stateless instances need no shared disk), and requests for more information.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('applications')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('reference', 'text', (c) => c.unique())
    .addColumn('service_id', 'uuid', (c) => c.notNull())
    .addColumn('service_version', 'integer', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('applicant_account_id', 'uuid')
    .addColumn('applicant_id_number', 'text')
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('online', 'counter')`))
    .addColumn('submitted_by', 'uuid', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('draft', 'submitted')`))
    .addColumn('answers', 'jsonb', (c) => c.notNull())
    .addColumn('documents', 'jsonb', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz')
    .addCheckConstraint('applications_submitted_has_reference', sql`status = 'draft' or (reference is not null and submitted_at is not null)`)
    .execute();
  await db.schema.createIndex('applications_applicant').on('applications').column('applicant_account_id').execute();
  await db.schema.createIndex('applications_id_number').on('applications').column('applicant_id_number').execute();
  await db.schema.createIndex('applications_submitted_by').on('applications').columns(['submitted_by', 'status']).execute();
  // One draft per service for whoever fills it in (and, at a counter, per person served).
  await sql`create unique index applications_one_draft on applications (submitted_by, service_id, channel, coalesce(applicant_id_number, '')) where status = 'draft'`.execute(db);

  await db.schema.createTable('application_files')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('application_id', 'uuid', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('slot', 'text', (c) => c.notNull())
    .addColumn('display_name', 'text', (c) => c.notNull())
    .addColumn('content_type', 'text', (c) => c.notNull())
    .addColumn('size', 'integer', (c) => c.notNull())
    .addColumn('sha256', 'text', (c) => c.notNull())
    .addColumn('content', 'bytea', (c) => c.notNull())
    .addColumn('uploaded_by', 'uuid', (c) => c.notNull())
    .addColumn('uploaded_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('application_files_application').on('application_files').column('application_id').execute();

  await db.schema.createTable('application_tasks')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('application_id', 'uuid', (c) => c.notNull().references('applications.id').onDelete('cascade'))
    .addColumn('case_seq', 'integer', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('asked_by', 'uuid', (c) => c.notNull())
    .addColumn('asked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('answered_by', 'uuid')
    .addColumn('answered_at', 'timestamptz')
    .addUniqueConstraint('application_tasks_once', ['application_id', 'case_seq'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('application_tasks').execute();
  await db.schema.dropTable('application_files').execute();
  await db.schema.dropTable('applications').execute();
}
