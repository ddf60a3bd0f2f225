import type { Kysely } from 'kysely';

/**
 * When the person closed their own account (ADR 68). A closed account is also disabled; unlike an
 * account an administrator disabled, it opens again when the person signs in.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations never use today's types
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('identity_account').addColumn('closed_at', 'timestamptz').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('identity_account').dropColumn('closed_at').execute();
}
