import type { Kysely } from 'kysely';

/**
 * The log is looked up by message id (the `X-Road-Id` a client or provider quotes when it asks
 * about one exchange; the stored bodies are read by it too), which scanned the whole log. No query
 * filters by service and time together: the traffic page groups by service within a time range,
 * which the index on `at` serves. So the unused index makes way for the one that is used, and an
 * exchange's commit still maintains four indexes (ADR 51).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('mediator_message_log_service_at').ifExists().execute();
  // "if not exists": on a large log an operator builds it beforehand with `create index
  // concurrently`, which cannot run inside the migration's transaction (docs/operations.md).
  await db.schema.createIndex('mediator_message_log_message').ifNotExists().on('mediator_message_log').column('message_id').execute();
}

/** Puts the indexes back as 0001 made them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('mediator_message_log_message').ifExists().execute();
  await db.schema.createIndex('mediator_message_log_service_at').ifNotExists().on('mediator_message_log').columns(['service', 'at']).execute();
}
