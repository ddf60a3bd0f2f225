/* eslint-disable @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types */
import { sql, type Kysely } from 'kysely';

/**
 * A refund of money taken online is sent to its provider by a durable job, not in the request
 * (docs/adr/0021-payments.md, "Since then"): each refund keeps what the provider said. `null` for
 * cash, card and a bank's payment (given back where it was taken) and for refunds recorded before
 * this migration, when the provider was told in the request itself.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('payments_refunds')
    .addColumn('provider_state', 'text', (c) => c.check(sql`provider_state in ('pending', 'confirmed', 'failed')`))
    .execute();
  await db.schema.alterTable('payments_refunds').addColumn('provider_attempts', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('payments_refunds').addColumn('provider_error', 'text').execute();
  await db.schema.alterTable('payments_refunds').addColumn('provider_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const column of ['provider_at', 'provider_error', 'provider_attempts', 'provider_state']) {
    await db.schema.alterTable('payments_refunds').dropColumn(column).execute();
  }
}
