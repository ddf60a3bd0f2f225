import { sql, type Generated, type Kysely, type Selectable } from 'kysely';
import type { Executor } from './store.js';

/** The publish-subscribe tables (migration 0005, ADR 53). */
export type PubSubTables = {
  mediator_event_types: { room: string; event_type: string; schema: unknown; publishers: unknown; subscribers: unknown; created_by: string; created_at: Date };
  mediator_events: { id: string; seq: Generated<string | number>; room: string; event_type: string; publisher: string; event: unknown; published_at: Date; stopped_at: Date | null };
  mediator_subscriptions: {
    id: string; room: string; event_type: string; subscriber: string; delivery: 'PUSH' | 'PULL'; push_service: string | null;
    ttl_seconds: number; fifo: boolean; created_at: Date; updated_at: Date;
  };
  mediator_event_deliveries: {
    subscription_id: string; event_id: string; seq: string | number; state: 'pending' | 'delivered' | 'stopped'; attempts: number;
    expires_at: Date; delivered_at: Date | null; last_error: string | null;
    /** When the last push failed (migration 0006): the page shows the latest failure. */
    failed_at: Date | null;
  };
};

export type EventTypeRow = Selectable<PubSubTables['mediator_event_types']>;
export type EventRow = Selectable<PubSubTables['mediator_events']>;
export type SubscriptionRow = Selectable<PubSubTables['mediator_subscriptions']>;
export type DeliveryRow = Selectable<PubSubTables['mediator_event_deliveries']>;

export interface DeliveryCounts { readonly pending: number; readonly delivered: number; readonly expired: number; readonly stopped: number }

const q = (executor: Executor): Kysely<PubSubTables> => executor.withTables<PubSubTables>();
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

/** Every query on the publish-subscribe tables. */
export function createPubSubStore(db: Executor) {
  return {
    eventType: (room: string, eventType: string, executor: Executor = db) => q(executor).selectFrom('mediator_event_types').selectAll()
      .where('room', '=', room).where('event_type', '=', eventType).executeTakeFirst(),
    eventTypes: (room: string) => q(db).selectFrom('mediator_event_types').selectAll().where('room', '=', room).orderBy('event_type').execute(),
    async insertEventType(executor: Executor, row: EventTypeRow): Promise<boolean> {
      const r = await q(executor).insertInto('mediator_event_types')
        .values({ ...row, schema: jsonb(row.schema), publishers: jsonb(row.publishers), subscribers: jsonb(row.subscribers) })
        .onConflict((c) => c.doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    /** Deletes the type with its events, subscriptions and deliveries (the foreign keys cascade). */
    async deleteEventType(executor: Executor, room: string, eventType: string): Promise<boolean> {
      const r = await q(executor).deleteFrom('mediator_event_types').where('room', '=', room).where('event_type', '=', eventType).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    },

    async insertEvent(executor: Executor, row: Omit<EventRow, 'seq' | 'stopped_at'>): Promise<EventRow> {
      return q(executor).insertInto('mediator_events').values({ ...row, event: jsonb(row.event), stopped_at: null }).returningAll().executeTakeFirstOrThrow();
    },
    event: (id: string, executor: Executor = db) => q(executor).selectFrom('mediator_events').selectAll().where('id', '=', id).executeTakeFirst(),
    async stopEvent(executor: Executor, id: string, at: Date): Promise<void> {
      await q(executor).updateTable('mediator_events').set({ stopped_at: at }).where('id', '=', id).where('stopped_at', 'is', null).execute();
      await q(executor).updateTable('mediator_event_deliveries').set({ state: 'stopped' }).where('event_id', '=', id).where('state', '=', 'pending').execute();
    },
    /** Each state's count of one event's deliveries; a pending one past its time counts as expired. */
    async deliveryCounts(eventId: string, now: Date): Promise<DeliveryCounts> {
      const rows = await q(db).selectFrom('mediator_event_deliveries')
        .select([
          sql<string>`count(*) filter (where state = 'pending' and expires_at > ${now})`.as('pending'),
          sql<string>`count(*) filter (where state = 'delivered')`.as('delivered'),
          sql<string>`count(*) filter (where state = 'pending' and expires_at <= ${now})`.as('expired'),
          sql<string>`count(*) filter (where state = 'stopped')`.as('stopped'),
        ]).where('event_id', '=', eventId).executeTakeFirstOrThrow();
      return { pending: Number(rows.pending), delivered: Number(rows.delivered), expired: Number(rows.expired), stopped: Number(rows.stopped) };
    },

    subscription: (room: string, eventType: string, subscriber: string, executor: Executor = db) => q(executor).selectFrom('mediator_subscriptions').selectAll()
      .where('room', '=', room).where('event_type', '=', eventType).where('subscriber', '=', subscriber).executeTakeFirst(),
    subscriptionById: (id: string) => q(db).selectFrom('mediator_subscriptions').selectAll().where('id', '=', id).executeTakeFirst(),
    subscriptionsOf: (room: string, subscriber: string) => q(db).selectFrom('mediator_subscriptions').selectAll()
      .where('room', '=', room).where('subscriber', '=', subscriber).orderBy('event_type').execute(),
    subscriptionsTo: (executor: Executor, room: string, eventType: string) => q(executor).selectFrom('mediator_subscriptions').selectAll()
      .where('room', '=', room).where('event_type', '=', eventType).execute(),
    async insertSubscription(executor: Executor, row: SubscriptionRow): Promise<boolean> {
      const r = await q(executor).insertInto('mediator_subscriptions').values(row).onConflict((c) => c.doNothing()).executeTakeFirst();
      return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
    },
    async updateSubscription(executor: Executor, id: string, change: Pick<SubscriptionRow, 'delivery' | 'push_service' | 'ttl_seconds' | 'fifo' | 'updated_at'>): Promise<void> {
      await q(executor).updateTable('mediator_subscriptions').set(change).where('id', '=', id).execute();
    },
    async deleteSubscription(executor: Executor, id: string): Promise<void> {
      await q(executor).deleteFrom('mediator_subscriptions').where('id', '=', id).execute();
    },

    async insertDeliveries(executor: Executor, rows: readonly DeliveryRow[]): Promise<void> {
      if (rows.length > 0) await q(executor).insertInto('mediator_event_deliveries').values([...rows]).execute();
    },
    delivery: (subscriptionId: string, eventId: string) => q(db).selectFrom('mediator_event_deliveries').selectAll()
      .where('subscription_id', '=', subscriptionId).where('event_id', '=', eventId).executeTakeFirst(),
    /** The subscription's oldest delivery still to be received, with its event. */
    nextPending: (subscriptionId: string, now: Date) => q(db).selectFrom('mediator_event_deliveries as d').innerJoin('mediator_events as e', 'e.id', 'd.event_id')
      .select(['d.event_id', 'd.seq', 'e.publisher', 'e.event_type', 'e.event'])
      .where('d.subscription_id', '=', subscriptionId).where('d.state', '=', 'pending').where('d.expires_at', '>', now)
      .orderBy('d.seq').limit(1).executeTakeFirst(),
    /** Whether an older delivery of the same subscription is still to be received (FIFO push waits for it). */
    async olderPending(subscriptionId: string, seq: string | number, now: Date): Promise<boolean> {
      const row = await q(db).selectFrom('mediator_event_deliveries').select('event_id')
        .where('subscription_id', '=', subscriptionId).where('state', '=', 'pending').where('expires_at', '>', now).where('seq', '<', seq).limit(1).executeTakeFirst();
      return row !== undefined;
    },
    pendingOf: (executor: Executor, subscriptionId: string, now: Date) => q(executor).selectFrom('mediator_event_deliveries').selectAll()
      .where('subscription_id', '=', subscriptionId).where('state', '=', 'pending').where('expires_at', '>', now).orderBy('seq').execute(),
    /** Marks a pending delivery received; false when it was not pending. */
    async markDelivered(subscriptionId: string, eventId: string, at: Date): Promise<boolean> {
      const r = await q(db).updateTable('mediator_event_deliveries').set({ state: 'delivered', delivered_at: at, last_error: null })
        .where('subscription_id', '=', subscriptionId).where('event_id', '=', eventId).where('state', '=', 'pending').executeTakeFirst();
      return Number(r.numUpdatedRows) > 0;
    },
    async recordFailure(subscriptionId: string, eventId: string, error: string, at: Date): Promise<void> {
      await q(db).updateTable('mediator_event_deliveries').set((eb) => ({ attempts: eb('attempts', '+', 1), last_error: error.slice(0, 500), failed_at: at }))
        .where('subscription_id', '=', subscriptionId).where('event_id', '=', eventId).execute();
    },
    allEventTypes: () => q(db).selectFrom('mediator_event_types').selectAll().orderBy('room').orderBy('event_type').execute(),
    /** Every subscription with its deliveries still to be received, those that expired and the last failed push's error. */
    subscriptionOverview: (now: Date) => q(db).selectFrom('mediator_subscriptions as s').leftJoin('mediator_event_deliveries as d', 'd.subscription_id', 's.id')
      .selectAll('s')
      .select([
        sql<string>`count(d.event_id) filter (where d.state = 'pending' and d.expires_at > ${now})`.as('waiting'),
        sql<string>`count(d.event_id) filter (where d.state = 'pending' and d.expires_at <= ${now})`.as('expired'),
        // The latest failure of a delivery still pending (failures before migration 0006 have no time and come last).
        sql<string | null>`(array_agg(d.last_error order by d.failed_at desc nulls last) filter (where d.state = 'pending' and d.last_error is not null))[1]`.as('last_error'),
      ])
      .groupBy('s.id').orderBy('s.subscriber').orderBy('s.room').orderBy('s.event_type').execute(),
    /**
     * Deletes events published before `before` that nobody is still to receive (every delivery
     * delivered, stopped or expired): the mediator keeps what it passes on no longer than needed.
     */
    async pruneEvents(before: Date, now: Date): Promise<number> {
      const r = await q(db).deleteFrom('mediator_events').where('published_at', '<', before)
        .where((eb) => eb.not(eb.exists(eb.selectFrom('mediator_event_deliveries as d').select('d.event_id')
          .whereRef('d.event_id', '=', 'mediator_events.id').where('d.state', '=', 'pending').where('d.expires_at', '>', now))))
        .executeTakeFirst();
      return Number(r.numDeletedRows);
    },
  };
}

export type PubSubStore = ReturnType<typeof createPubSubStore>;
