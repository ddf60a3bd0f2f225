import type { Kysely } from 'kysely';

/**
 * When the person last proved who they are to the identity provider (the ID token's `auth_time`),
 * per session: ending other sessions asks for a recent one (ASVS 5.0 7.5.2). Unknown for sessions
 * started before this column, and when the provider does not say.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('kernel_session').addColumn('authenticated_at', 'timestamptz').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above.
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('kernel_session').dropColumn('authenticated_at').execute();
}
