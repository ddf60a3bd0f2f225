import { performance } from 'node:perf_hooks';
import type { Actor, AuditEvent, AuditTrail } from '../../kernel/audit/types.js';
import type { Db } from '../../kernel/db/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { newId } from '../../kernel/ids.js';
import type { JobQueue } from '../../kernel/jobs/index.js';
import './errors.js';
import type { Credentials } from './discovery.js';
import { parseSubsystemId, subsystemIdOf, type SubsystemRef } from './ids.js';
import { sha256, type MessageLog } from './message-log.js';
import type { PersonDirectory } from './memo.js';
import { eventReads } from './pubsub-reads.js';
import { createPubSubAdmin } from './pubsub-admin.js';
import { checkEvent, readSchema } from './pubsub-schemas.js';
import type { RegistryAdmin } from './registry.js';
import type { MediatorStore, MemberRow, SubsystemRow } from './store.js';
import type { DeliveryRow, EventRow, EventTypeRow, PubSubStore, SubscriptionRow } from './store-pubsub.js';
import {
  AREA_OF, DEFAULT_TTL_SECONDS, PUSH_QUEUE, eventItem, eventTypeBody, ids, subscriptionItem,
  type NewEventType, type PubSubAnswer, type PubSubCall, type PubSubOperation, type SubscriptionInput,
} from './pubsub-api.js';

export * from './pubsub-api.js';

/**
 * The GovStack IM PubSub API (GovStack_IM_PubSub_API.yaml, ADR 53). A room is a registered
 * subsystem; the systems of its member manage its event types. Publishing and subscribing is deny
 * by default: the room member's own systems and those an event type names. Every call, refused or
 * not, is an exchange in the signed message log; every change of a type or a subscription is audited.
 */

export interface PubSubDeps {
  readonly db: Db;
  readonly audit: AuditTrail;
  readonly jobs: Pick<JobQueue, 'enqueue'>;
  readonly now: () => Date;
  readonly registry: Pick<MediatorStore, 'getSubsystem' | 'getMember' | 'getService' | 'listMembers'>;
  readonly store: PubSubStore;
  readonly log: MessageLog;
  readonly authenticate: (credentials: Credentials) => Promise<SubsystemRef>;
  /** ID number → account id: an event naming a person is audited as a read of their data when handed out. */
  readonly people?: PersonDirectory | undefined;
}

interface Caller { readonly id: string; readonly member: string; readonly agency: string }
export interface Room { readonly subsystem: SubsystemRow; readonly member: MemberRow }

const fail = (code: string, detail: string, pointer?: string) => new TongbanError(code, {
  detail, ...(pointer === undefined ? {} : { fields: [{ pointer, message: 'kernel.error.fieldInvalid', detail }] }),
});
const denied = (detail: string) => fail('TB_MEDIATOR_ACCESS_DENIED', detail);

export interface PubSubOverview {
  readonly eventTypes: readonly EventTypeRow[];
  readonly subscriptions: readonly (SubscriptionRow & { readonly waiting: number; readonly expired: number; readonly last_error: string | null })[];
}

export function createPubSub(deps: PubSubDeps) {
  const { store, registry, db, now } = deps;

  /** A registered subsystem with its member: the room addressed, or the calling system. */
  async function registered(ref: SubsystemRef, what: string): Promise<Room> {
    const subsystem = await registry.getSubsystem(subsystemIdOf(ref));
    const member = subsystem ? await registry.getMember(subsystem.member_id) : undefined;
    if (!subsystem || !member) throw fail('TB_MEDIATOR_UNKNOWN_SERVICE', `No ${what} ${subsystemIdOf(ref)}`);
    return { subsystem, member };
  }
  const roomOf = (ref: SubsystemRef) => registered(ref, 'room (rooms are registered subsystems)');
  async function callerOf(ref: SubsystemRef): Promise<Caller> {
    const { subsystem, member } = await registered(ref, 'subsystem');
    return { id: subsystem.id, member: member.id, agency: member.agency };
  }
  /** The body's `eventType`, when given, must be the path's. */
  const samePathType = (given: string | undefined, expected: string) => {
    if (given !== undefined && given !== expected) throw fail('TB_MEDIATOR_PUBSUB_INVALID', `The body's eventType must be ${expected}, as in the path`, '/eventType');
  };
  const manages = (caller: Caller, room: Room) => caller.member === room.member.id;
  const may = (caller: Caller, room: Room, type: EventTypeRow, role: 'publishers' | 'subscribers') => manages(caller, room) || ids(type[role]).includes(caller.id);

  async function typeOf(room: Room, eventType: string | undefined): Promise<EventTypeRow> {
    const row = eventType === undefined ? undefined : await store.eventType(room.subsystem.id, eventType);
    if (!row) throw fail('TB_MEDIATOR_EVENT_TYPE_NOT_FOUND', `No event type ${eventType ?? ''} in the room ${room.subsystem.id}`);
    return row;
  }
  async function ownSubscription(room: Room, caller: Caller, eventType: string | undefined): Promise<SubscriptionRow> {
    const row = eventType === undefined ? undefined : await store.subscription(room.subsystem.id, eventType, caller.id);
    if (!row) throw fail('TB_MEDIATOR_SUBSCRIPTION_NOT_FOUND', `${caller.id} has no subscription to ${eventType ?? ''} in the room ${room.subsystem.id}`);
    return row;
  }
  const audited = (caller: Caller, action: string, type: string, id: string, requestId: string, details: Record<string, unknown>): AuditEvent => ({
    actor: { kind: 'client', id: caller.id, organisation: caller.agency }, action, resource: { type, id }, requestId, details,
  });

  /** The subscriber's own registered service that pushes go to. */
  async function pushServiceOf(caller: Caller, input: SubscriptionInput, delivery: 'PUSH' | 'PULL'): Promise<string | null> {
    if (delivery === 'PULL') return null;
    if (input.pushService === undefined) throw fail('TB_MEDIATOR_PUBSUB_INVALID', 'A PUSH subscription names pushService: a service of your own subsystem that events are POSTed to', '/pushService');
    const id = `${caller.id}/${input.pushService}`;
    if (!(await registry.getService(id))) throw fail('TB_MEDIATOR_PUBSUB_INVALID', `No service ${id} is registered: register it first, with the URL events are POSTed to`, '/pushService');
    return id;
  }
  const ttlOf = (input: SubscriptionInput, current?: SubscriptionRow) => input.options?.TTL ?? current?.ttl_seconds ?? DEFAULT_TTL_SECONDS;

  async function enqueuePushes(executor: Parameters<PubSubStore['insertDeliveries']>[0], rows: readonly Pick<DeliveryRow, 'subscription_id' | 'event_id'>[]) {
    for (const row of rows) {
      await deps.jobs.enqueue(executor, PUSH_QUEUE, { subscriptionId: row.subscription_id, eventId: row.event_id }, { maxAttempts: 12 });
    }
  }

  /** An operation's answer, and the audit records of people whose data it hands out (logged with it). */
  interface Outcome { readonly status: number; readonly body?: unknown; readonly reads?: readonly AuditEvent[] }

  const operations: Record<PubSubOperation, (caller: Caller, room: Room, call: PubSubCall) => Promise<Outcome>> = {
    async createEventType(caller, room, call) {
      if (!manages(caller, room)) throw denied(`Only systems of ${room.member.id} manage the event types of its room`);
      const row = await defineType(room, call.body as NewEventType, { kind: 'client', id: caller.id, organisation: caller.agency }, call.requestId);
      return { status: 200, body: eventTypeBody(row) };
    },
    async getEventTypeList(caller, room) {
      const rows = await store.eventTypes(room.subsystem.id);
      const seen = rows.filter((t) => may(caller, room, t, 'publishers') || may(caller, room, t, 'subscribers')).map((t) => t.event_type);
      return seen.length === 0 ? { status: 204 } : { status: 200, body: seen };
    },
    async getEventType(caller, room, call) {
      const type = call.eventType === undefined ? undefined : await store.eventType(room.subsystem.id, call.eventType);
      // The spec's answer for a type that is not defined: 204, no body.
      if (!type) return { status: 204 };
      if (!may(caller, room, type, 'publishers') && !may(caller, room, type, 'subscribers')) throw denied(`${caller.id} neither publishes nor subscribes to ${type.event_type}`);
      return { status: 200, body: eventTypeBody(type) };
    },
    async deleteEventType(caller, room, call) {
      if (!manages(caller, room)) throw denied(`Only systems of ${room.member.id} manage the event types of its room`);
      await removeType(await typeOf(room, call.eventType), { kind: 'client', id: caller.id, organisation: caller.agency }, call.requestId);
      return { status: 204 };
    },

    async publishEvent(caller, room, call) {
      const type = await typeOf(room, call.eventType);
      if (!may(caller, room, type, 'publishers')) throw denied(`${caller.id} may not publish ${type.event_type} in the room ${room.subsystem.id}`);
      const body = call.body as { eventType: string; event: unknown };
      samePathType(body.eventType, type.event_type);
      checkEvent(type, body.event);
      const at = now();
      const id = newId();
      await db.transaction().execute(async (tx) => {
        const event = await store.insertEvent(tx, { id, room: room.subsystem.id, event_type: type.event_type, publisher: caller.id, event: body.event, published_at: at });
        const subscriptions = await store.subscriptionsTo(tx, room.subsystem.id, type.event_type);
        const deliveries: DeliveryRow[] = subscriptions.map((s) => ({
          subscription_id: s.id, event_id: id, seq: event.seq, state: 'pending', attempts: 0,
          expires_at: new Date(at.getTime() + s.ttl_seconds * 1000), delivered_at: null, last_error: null, failed_at: null,
        }));
        await store.insertDeliveries(tx, deliveries);
        await enqueuePushes(tx, deliveries.filter((d) => subscriptions.find((s) => s.id === d.subscription_id)?.delivery === 'PUSH'));
      });
      return { status: 201, body: { id } };
    },
    async getStatus(caller, room, call) {
      const event = await publishedEvent(caller, room, call);
      const deliveries = await store.deliveryCounts(event.id, now());
      return {
        status: 200,
        body: { ...eventItem(event), publishedAt: event.published_at.toISOString(), stopped: event.stopped_at !== null, deliveries },
      };
    },
    async deleteEvent(caller, room, call) {
      const event = await publishedEvent(caller, room, call);
      await db.transaction().execute((tx) => store.stopEvent(tx, event.id, now()));
      return { status: 204 };
    },

    async listSub(caller, room) {
      return { status: 200, body: (await store.subscriptionsOf(room.subsystem.id, caller.id)).map(subscriptionItem) };
    },
    async addSub(caller, room, call) {
      const type = await typeOf(room, call.eventType);
      if (!may(caller, room, type, 'subscribers')) throw denied(`${caller.id} may not subscribe to ${type.event_type} in the room ${room.subsystem.id}`);
      const input = call.body as SubscriptionInput;
      samePathType(input.eventType, type.event_type);
      const delivery = input.delivery ?? 'PUSH';
      const at = now();
      const row: SubscriptionRow = {
        id: newId(), room: room.subsystem.id, event_type: type.event_type, subscriber: caller.id, delivery, push_service: await pushServiceOf(caller, input, delivery),
        ttl_seconds: ttlOf(input), fifo: input.options?.FIFO ?? false, created_at: at, updated_at: at,
      };
      await db.transaction().execute(async (tx) => {
        if (!(await store.insertSubscription(tx, row))) throw fail('TB_MEDIATOR_SUBSCRIPTION_EXISTS', `${caller.id} subscribes to ${type.event_type} already: change it with PATCH`);
        await deps.audit.append(tx, audited(caller, 'mediator.subscription.add', 'mediator-subscription', row.id, call.requestId, { room: row.room, eventType: row.event_type, delivery, pushService: row.push_service }));
      });
      return { status: 200, body: subscriptionItem(row) };
    },
    async getSub(caller, room, call) {
      return { status: 200, body: subscriptionItem(await ownSubscription(room, caller, call.eventType)) };
    },
    async patchSub(caller, room, call) {
      const current = await ownSubscription(room, caller, call.eventType);
      const input = call.body as SubscriptionInput;
      samePathType(input.eventType, current.event_type);
      const delivery = input.delivery ?? current.delivery;
      const keepsPush = delivery === 'PUSH' && input.pushService === undefined && current.push_service !== null;
      const change = {
        delivery, push_service: keepsPush ? current.push_service : await pushServiceOf(caller, input, delivery),
        ttl_seconds: ttlOf(input, current), fifo: input.options?.FIFO ?? current.fifo, updated_at: now(),
      };
      await db.transaction().execute(async (tx) => {
        await store.updateSubscription(tx, current.id, change);
        // Turned to push: what waits to be pulled is pushed now.
        if (current.delivery === 'PULL' && delivery === 'PUSH') await enqueuePushes(tx, await store.pendingOf(tx, current.id, now()));
        await deps.audit.append(tx, audited(caller, 'mediator.subscription.change', 'mediator-subscription', current.id, call.requestId, { delivery, pushService: change.push_service, ttl: change.ttl_seconds, fifo: change.fifo }));
      });
      return { status: 201, body: subscriptionItem({ ...current, ...change }) };
    },
    async deleteSub(caller, room, call) {
      const current = await ownSubscription(room, caller, call.eventType);
      await db.transaction().execute(async (tx) => {
        await store.deleteSubscription(tx, current.id);
        await deps.audit.append(tx, audited(caller, 'mediator.subscription.delete', 'mediator-subscription', current.id, call.requestId, { room: current.room, eventType: current.event_type }));
      });
      return { status: 204 };
    },

    async pullEvent(caller, room, call) {
      const subscription = await pullSubscription(room, caller, call.eventType);
      const next = await store.nextPending(subscription.id, now());
      if (!next) throw fail('TB_MEDIATOR_NO_EVENT', `No event of ${subscription.event_type} waits for ${caller.id}`);
      // Each hand-out is a read: an event pulled again before it is confirmed is recorded again.
      const reads = await eventReads(deps.people, caller, { id: next.event_id, room: subscription.room, event_type: next.event_type, event: next.event }, 'PULL', call.requestId);
      return { status: 200, body: eventItem({ ...next, id: next.event_id }), reads };
    },
    async confirmEvent(caller, room, call) {
      const subscription = await pullSubscription(room, caller, call.eventType);
      if (call.eventId === undefined || !(await store.markDelivered(subscription.id, call.eventId, now()))) {
        throw fail('TB_MEDIATOR_NO_EVENT', `No event ${call.eventId ?? ''} waits to be confirmed by ${caller.id}`);
      }
      return { status: 204 };
    },
  };

  /** Checks and stores a new event type, audited in the same transaction. */
  async function defineType(room: Room, body: NewEventType, actor: Actor, requestId: string | undefined): Promise<EventTypeRow> {
    const schema = readSchema(body.schema);
    for (const role of ['publishers', 'subscribers'] as const) {
      (body[role] ?? []).forEach((id, i) => { if (!parseSubsystemId(id)) throw fail('TB_MEDIATOR_PUBSUB_INVALID', `"${id}" is not a subsystem id {instance}/{class}/{member}/{subsystem}`, `/${role}/${i}`); });
    }
    const row: EventTypeRow = {
      room: room.subsystem.id, event_type: body.eventType, schema, publishers: [...new Set(body.publishers ?? [])], subscribers: [...new Set(body.subscribers ?? [])],
      created_by: actor.id, created_at: now(),
    };
    await db.transaction().execute(async (tx) => {
      if (!(await store.insertEventType(tx, row))) throw fail('TB_MEDIATOR_EVENT_TYPE_EXISTS', `The room ${room.subsystem.id} has the event type ${row.event_type} already`);
      await deps.audit.append(tx, {
        actor, action: 'mediator.event-type.create', resource: { type: 'mediator-event-type', id: `${row.room}/${row.event_type}` },
        ...(requestId === undefined ? {} : { requestId }), details: { publishers: row.publishers, subscribers: row.subscribers },
      });
    });
    return row;
  }

  /** Deletes an event type (its subscriptions and deliveries go with it), audited in the same transaction. */
  async function removeType(type: EventTypeRow, actor: Actor, requestId: string | undefined): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await store.deleteEventType(tx, type.room, type.event_type);
      await deps.audit.append(tx, {
        actor, action: 'mediator.event-type.delete', resource: { type: 'mediator-event-type', id: `${type.room}/${type.event_type}` },
        ...(requestId === undefined ? {} : { requestId }), details: {},
      });
    });
  }

  async function publishedEvent(caller: Caller, room: Room, call: PubSubCall): Promise<EventRow> {
    const event = call.eventId === undefined ? undefined : await store.event(call.eventId);
    // Another publisher's event is answered as missing: its existence is not theirs to learn.
    if (!event || event.room !== room.subsystem.id || event.event_type !== call.eventType || (event.publisher !== caller.id && !manages(caller, room))) {
      throw fail('TB_MEDIATOR_EVENT_NOT_FOUND', `No event ${call.eventId ?? ''} of ${call.eventType ?? ''} published by ${caller.id}`);
    }
    return event;
  }
  async function pullSubscription(room: Room, caller: Caller, eventType: string | undefined): Promise<SubscriptionRow> {
    const subscription = await ownSubscription(room, caller, eventType);
    if (subscription.delivery !== 'PULL') throw fail('TB_MEDIATOR_NOT_PULLED', `The subscription to ${subscription.event_type} delivers by PUSH: change it to PULL to pull`);
    return subscription;
  }

  return {
    /**
     * For `/admin/mediator/pubsub`: the event types of rooms the reader's agency runs or in which one
     * of its systems is named, and the subscriptions of and to its systems, with what waits.
     */
    async overview(reader: Pick<RegistryAdmin, 'may' | 'everything'>): Promise<PubSubOverview> {
      const [members, types, subscriptions] = await Promise.all([registry.listMembers(), store.allEventTypes(), store.subscriptionOverview(now())]);
      const agencyOf = new Map(members.map((m) => [m.id, m.agency]));
      const ours = (subsystemId: string) => {
        const agency = agencyOf.get(subsystemId.split('/').slice(0, 3).join('/'));
        return reader.everything === true || (agency !== undefined && reader.may(agency));
      };
      return {
        eventTypes: types.filter((t) => ours(t.room) || ids(t.publishers).some(ours) || ids(t.subscribers).some(ours)),
        subscriptions: subscriptions.filter((s) => ours(s.subscriber) || ours(s.room)).map((s) => ({ ...s, waiting: Number(s.waiting), expired: Number(s.expired) })),
      };
    },
    ...createPubSubAdmin(deps, { registered, typeOf, defineType, removeType }),
    /** An event type the platform defines itself (the demo seed), audited with `actor`; false when the room has it already. */
    async defineEventType(roomId: string, input: NewEventType, actor: Actor): Promise<boolean> {
      const ref = parseSubsystemId(roomId);
      if (!ref) throw fail('TB_MEDIATOR_PUBSUB_INVALID', `"${roomId}" is not a subsystem id`);
      const room = await roomOf(ref);
      if (await store.eventType(room.subsystem.id, input.eventType)) return false;
      await defineType(room, input, actor, undefined);
      return true;
    },
    /**
     * One PubSub call: authenticates the calling subsystem, runs the operation and writes the
     * exchange to the message log (refusals too) before answering.
     */
    async call(credentials: Credentials, call: PubSubCall): Promise<PubSubAnswer> {
      const started = performance.now();
      const messageId = newId();
      const roomId = subsystemIdOf(call.room);
      let client: string | undefined;
      let known = false;
      let answer: Outcome & { readonly error?: TongbanError };
      try {
        const ref = await deps.authenticate(credentials);
        client = subsystemIdOf(ref);
        if (call.refused) throw call.refused;
        const [caller, room] = await Promise.all([callerOf(ref), roomOf(call.room)]);
        known = true;
        answer = await operations[call.operation](caller, room, call);
      } catch (error) {
        if (!(error instanceof TongbanError)) throw error;
        answer = { status: error.status, error };
      }
      const requestBody = call.body === undefined ? undefined : Buffer.from(JSON.stringify(call.body));
      const responseBody = answer.body === undefined ? undefined : Buffer.from(JSON.stringify(answer.body));
      const serviceId = `${roomId}/${AREA_OF[call.operation]}`;
      await deps.log.write({
        at: now(), messageId, requestId: call.requestId, client, service: serviceId, method: call.method, path: call.path,
        userId: undefined, issue: undefined, status: answer.status, outcome: answer.error ? answer.error.code : 'ok',
        requestDigest: sha256(requestBody), responseDigest: sha256(responseBody), requestBytes: requestBody?.length ?? 0, responseBytes: responseBody?.length ?? 0,
        durationMs: Math.round(performance.now() - started), providerMs: undefined,
      }, answer.reads);
      return { messageId, serviceId, known, seconds: (performance.now() - started) / 1000, status: answer.status, json: responseBody, ...(answer.error ? { error: answer.error } : {}) };
    },
  };
}

export type PubSub = ReturnType<typeof createPubSub>;
