import { sql, type Kysely } from 'kysely';

/**
 * A person's questions about one use of their data (answered by the organisation that used it),
 * and whether they want an email when their data is used.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('privacy_question')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    // The audit record asked about; kept by id only (the trail is the kernel's).
    .addColumn('audit_record_id', 'uuid', (c) => c.notNull())
    // The organisation that acted, which must answer; `platform` when no agency acted.
    .addColumn('organisation', 'text', (c) => c.notNull())
    .addColumn('question', 'text', (c) => c.notNull())
    // The asker's language, for the email that says the answer is there.
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('answered_by', 'uuid')
    .addColumn('answered_at', 'timestamptz')
    .addCheckConstraint('privacy_question_answer_complete', sql`(answer is null) = (answered_at is null) and (answer is null) = (answered_by is null)`)
    .execute();
  await db.schema.createIndex('privacy_question_account').on('privacy_question').columns(['account_id', 'created_at']).execute();
  await sql`create index privacy_question_open on privacy_question (organisation, created_at) where answer is null`.execute(db);

  await db.schema
    .createTable('privacy_notice_preference')
    .addColumn('account_id', 'uuid', (c) => c.primaryKey())
    .addColumn('email_on_use', 'boolean', (c) => c.notNull())
    // Uses up to this moment have been told about.
    .addColumn('told_up_to', 'timestamptz', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await sql`create index privacy_notice_preference_on on privacy_notice_preference (told_up_to) where email_on_use`.execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('privacy_notice_preference').execute();
  await db.schema.dropTable('privacy_question').execute();
}
