import type { Kysely } from 'kysely';

/**
 * When a delivery's push last failed, so the PubSub page shows a subscription's latest push error,
 * not the one whose text sorts last.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mediator_event_deliveries').addColumn('failed_at', 'timestamptz').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('mediator_event_deliveries').dropColumn('failed_at').execute();
}
