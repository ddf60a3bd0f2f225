/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import type { Kysely } from 'kysely';

/**
 * When the person filling in a draft was told it will be deleted (docs/adr/0065): 3 days before,
 * once per last change; a later save makes them due to be told again.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('applications').addColumn('deletion_reminded_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('applications').dropColumn('deletion_reminded_at').execute();
}
