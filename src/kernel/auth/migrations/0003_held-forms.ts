import type { Kysely } from 'kysely';

/**
 * What a person typed into a form whose post needed a recent sign-in they no longer had (ADR 55):
 * kept for a quarter of an hour, for them alone, so that after signing in again they send it
 * instead of typing it again.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('kernel_held_form')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('account_id', 'text', (c) => c.notNull())
    // The path the form was posted to, which the kept answers are posted to again.
    .addColumn('path', 'text', (c) => c.notNull())
    // [name, value] pairs in the order posted (a field may repeat), without the CSRF token.
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('kernel_held_form_expires').on('kernel_held_form').column('expires_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('kernel_held_form').execute();
}
