import { sql, type Kysely } from 'kysely';

/**
 * Publish and subscribe through the mediator (GovStack IM PubSub API, ADR 53): a room is a
 * registered subsystem; its member defines event types (a JSON Schema each, and who besides its
 * own systems may publish and subscribe); an event is written once with one delivery row per
 * subscription it was published to, delivered by push (a durable job) or pulled and confirmed.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('mediator_event_types')
    .addColumn('room', 'text', (c) => c.notNull().references('mediator_subsystems.id'))
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('schema', 'jsonb', (c) => c.notNull())
    // Subsystem ids (JSON arrays) that may publish and subscribe besides the room member's own systems.
    .addColumn('publishers', 'jsonb', (c) => c.notNull())
    .addColumn('subscribers', 'jsonb', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('mediator_event_types_pk', ['room', 'event_type'])
    .execute();

  await db.schema.createTable('mediator_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // The order of publication, across rooms: what FIFO delivery and pulling follow.
    .addColumn('seq', 'bigserial', (c) => c.notNull().unique())
    .addColumn('room', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('publisher', 'text', (c) => c.notNull())
    .addColumn('event', 'jsonb', (c) => c.notNull())
    .addColumn('published_at', 'timestamptz', (c) => c.notNull())
    // Set when the publisher stops its processing: its undelivered deliveries stop with it.
    .addColumn('stopped_at', 'timestamptz')
    .addForeignKeyConstraint('mediator_events_type', ['room', 'event_type'], 'mediator_event_types', ['room', 'event_type'], (c) => c.onDelete('cascade'))
    .execute();
  await db.schema.createIndex('mediator_events_published').on('mediator_events').column('published_at').execute();

  await db.schema.createTable('mediator_subscriptions')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('room', 'text', (c) => c.notNull())
    .addColumn('event_type', 'text', (c) => c.notNull())
    .addColumn('subscriber', 'text', (c) => c.notNull().references('mediator_subsystems.id'))
    .addColumn('delivery', 'text', (c) => c.notNull().check(sql`delivery in ('PUSH', 'PULL')`))
    // The subscriber's own registered service that push deliveries are POSTed to.
    .addColumn('push_service', 'text', (c) => c.references('mediator_services.id'))
    .addColumn('ttl_seconds', 'integer', (c) => c.notNull())
    .addColumn('fifo', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addForeignKeyConstraint('mediator_subscriptions_type', ['room', 'event_type'], 'mediator_event_types', ['room', 'event_type'], (c) => c.onDelete('cascade'))
    .addUniqueConstraint('mediator_subscriptions_unique', ['room', 'event_type', 'subscriber'])
    .addCheckConstraint('mediator_subscriptions_push', sql`delivery = 'PULL' or push_service is not null`)
    .execute();

  await db.schema.createTable('mediator_event_deliveries')
    .addColumn('subscription_id', 'uuid', (c) => c.notNull().references('mediator_subscriptions.id').onDelete('cascade'))
    .addColumn('event_id', 'uuid', (c) => c.notNull().references('mediator_events.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    // pending: not yet received; delivered: pushed with a 2xx answer or pulled and confirmed; stopped: by its publisher.
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('pending', 'delivered', 'stopped')`))
    .addColumn('attempts', 'integer', (c) => c.notNull())
    // A pending delivery past this time has expired (the subscription's TTL from publication).
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('delivered_at', 'timestamptz')
    .addColumn('last_error', 'text')
    .addPrimaryKeyConstraint('mediator_event_deliveries_pk', ['subscription_id', 'event_id'])
    .execute();
  await db.schema.createIndex('mediator_event_deliveries_next').on('mediator_event_deliveries').columns(['subscription_id', 'state', 'seq']).execute();
  await db.schema.createIndex('mediator_event_deliveries_event').on('mediator_event_deliveries').column('event_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['mediator_event_deliveries', 'mediator_subscriptions', 'mediator_events', 'mediator_event_types']) {
    await db.schema.dropTable(table).execute();
  }
}
