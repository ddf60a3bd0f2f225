import type { Kysely } from 'kysely';

/**
 * Finds a person's account by resident ID number: a mediated call or a counter application names
 * the person by ID number, and "who used my data" needs the account it belongs to.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createIndex('identity_account_id_number').on('identity_account').column('id_number').where('id_number', 'is not', null).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('identity_account_id_number').execute();
}
