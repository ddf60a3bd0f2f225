import { sql, type Kysely } from 'kysely';

/**
 * Whose data a report of wrong data is about, and who made it for whom: a person reports their
 * own record online; a clerk reports at a counter for the person (docs/adr/0017-registries.md).
 * Reports made before this were taken as the reporter's own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('registries_corrections')
    .addColumn('reporter_kind', 'text', (c) => c.notNull().defaultTo('person').check(sql`reporter_kind in ('person', 'staff', 'client')`))
    .addColumn('reporter_organisation', 'text')
    .addColumn('subject_account_id', 'text')
    .execute();
  await db.updateTable('registries_corrections').set({ subject_account_id: sql`reporter_account_id` }).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('registries_corrections').dropColumn('subject_account_id').dropColumn('reporter_organisation').dropColumn('reporter_kind').execute();
}
