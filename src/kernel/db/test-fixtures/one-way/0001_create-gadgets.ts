import type { Kysely } from 'kysely';

/** A migration with no down(): undoing it must fail, not report success. */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('gadget').addColumn('id', 'serial', (c) => c.primaryKey()).execute();
}
