import type { Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('identity_account').addColumn('email', 'text').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('identity_account').dropColumn('email').execute();
}
