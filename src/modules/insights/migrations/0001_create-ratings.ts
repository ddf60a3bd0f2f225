import { sql, type Kysely } from 'kysely';

/**
 * Ratings of a finished case (好差评) and the follow-up a low rating opens. One rating per case,
 * enforced by the database (a unique case_id), so two submissions racing cannot both land.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('insights_ratings')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('case_id', 'uuid', (c) => c.notNull().unique())
    .addColumn('reference', 'text')
    .addColumn('service_id', 'uuid', (c) => c.notNull())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('score', 'integer', (c) => c.notNull().check(sql`score between 1 and 5`))
    .addColumn('comment', 'text')
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('online', 'counter')`))
    // The applicant's account (null for a counter applicant without one) and who typed it in.
    .addColumn('applicant_account_id', 'text')
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('rated_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('insights_ratings_service').on('insights_ratings').columns(['service_id', 'rated_at']).execute();

  await db.schema.createTable('insights_follow_ups')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('rating_id', 'uuid', (c) => c.notNull().unique().references('insights_ratings.id'))
    .addColumn('case_id', 'uuid', (c) => c.notNull())
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('opened_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answer', 'text')
    .addColumn('changes', 'text')
    .addColumn('answered_by', 'text')
    .addColumn('answered_at', 'timestamptz')
    // The person's word on the answer: null until they give it.
    .addColumn('resolved', 'boolean')
    .addColumn('responded_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('insights_follow_ups_queue').on('insights_follow_ups').columns(['agency', 'answered_at', 'due_at']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('insights_follow_ups').execute();
  await db.schema.dropTable('insights_ratings').execute();
}
