import type { Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.createTable('widget').addColumn('id', 'serial', (c) => c.primaryKey()).addColumn('name', 'text', (c) => c.notNull()).execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('widget').execute();
}
