/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * The official holiday arrangement of a year, loaded by an operator (`tongban calendar import`)
 * without a release: it replaces that year of the built-in calendar (holidays.ts). One row a year.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('workflow_calendar_years')
    .addColumn('year', 'integer', (c) => c.primaryKey())
    .addColumn('source', 'text', (c) => c.notNull())
    .addColumn('provisional', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('days_off', 'jsonb', (c) => c.notNull())
    .addColumn('make_up_workdays', 'jsonb', (c) => c.notNull())
    .addColumn('imported_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('workflow_calendar_years').execute();
}
