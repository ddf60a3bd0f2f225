/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * Once-only prefill (docs/adr/0019): what was decided for a draft before its first page — filled
 * from a registry, filled in by hand, or refused — and, per filled field, a digest of the value the
 * registry gave (never the value itself: the answers already hold it), so a change shows.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('application_prefills')
    .addColumn('application_id', 'uuid', (c) => c.primaryKey().references('applications.id').onDelete('cascade'))
    .addColumn('outcome', 'text', (c) => c.notNull().check(sql`outcome in ('filled', 'declined', 'refused', 'unavailable')`))
    .addColumn('registry', 'text', (c) => c.notNull())
    .addColumn('agreement_id', 'text', (c) => c.notNull())
    .addColumn('agreement_version', 'integer')
    .addColumn('basis', 'text')
    .addColumn('reason', 'text')
    .addColumn('fields', 'jsonb', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('decided_by', 'text', (c) => c.notNull())
    .addColumn('decided_at', 'timestamptz', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('application_prefills').execute();
}
