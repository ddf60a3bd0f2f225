import type { Actor } from '../../kernel/audit/types.js';
import { TongbanError } from '../../kernel/http/index.js';
import './errors.js';
import { parseSubsystemId, type SubsystemRef } from './ids.js';
import type { NewEventType } from './pubsub-api.js';
import type { PubSubDeps, Room } from './pubsub.js';
import type { RegistryAdmin } from './registry.js';
import type { EventTypeRow, SubscriptionRow } from './store-pubsub.js';

/** What the API's operations share with the page's (pubsub.ts): one definition and one deletion of a type. */
export interface PubSubParts {
  readonly registered: (ref: SubsystemRef, what: string) => Promise<Room>;
  readonly typeOf: (room: Room, eventType: string | undefined) => Promise<EventTypeRow>;
  readonly defineType: (room: Room, body: NewEventType, actor: Actor, requestId: string | undefined) => Promise<EventTypeRow>;
  readonly removeType: (type: EventTypeRow, actor: Actor, requestId: string | undefined) => Promise<void>;
}

type Admin = Pick<RegistryAdmin, 'actor' | 'may' | 'requestId'>;

/** An administrator acts for the agency of the member whose room or system it is. */
const actingFor = (actor: Actor, room: Room): Actor => ({ ...actor, organisation: actor.organisation ?? room.member.agency });

/** Refuses (403, logged as a denial) a room or system of a member outside the administrator's agencies. */
function mayManage(admin: Pick<RegistryAdmin, 'may'>, room: Room): Room {
  if (!admin.may(room.member.agency)) {
    throw new TongbanError('TB_MEDIATOR_FORBIDDEN', { detail: `Member ${room.member.id} belongs to agency ${room.member.agency}`, denied: 'other-agency' });
  }
  return room;
}

/**
 * The PubSub page's changes (ADR 59): event types of the rooms of an administrator's agencies,
 * and the subscriptions of their systems, through the same definition, deletion and audit as the
 * GovStack API's operations.
 */
export function createPubSubAdmin(deps: Pick<PubSubDeps, 'db' | 'audit' | 'store'>, parts: PubSubParts) {
  const { registered, typeOf, defineType, removeType } = parts;

  async function administered(roomId: string, admin: Pick<RegistryAdmin, 'may'>): Promise<Room> {
    const ref = parseSubsystemId(roomId);
    if (!ref) throw new TongbanError('TB_MEDIATOR_PUBSUB_INVALID', { detail: `"${roomId}" is not a subsystem id`, fields: [{ pointer: '/room', message: 'kernel.error.fieldInvalid', detail: 'not a subsystem id' }] });
    return mayManage(admin, await registered(ref, 'room (rooms are registered subsystems)'));
  }
  async function ownedSubscription(id: string, admin: Pick<RegistryAdmin, 'may'>): Promise<{ subscription: SubscriptionRow; subscriber: Room }> {
    const subscription = await deps.store.subscriptionById(id);
    const ref = subscription ? parseSubsystemId(subscription.subscriber) : undefined;
    if (!subscription || !ref) throw new TongbanError('TB_MEDIATOR_SUBSCRIPTION_NOT_FOUND', { detail: `No subscription ${id}` });
    return { subscription, subscriber: mayManage(admin, await registered(ref, 'subsystem')) };
  }

  return {
    /**
     * An event type defined by an administrator of the room member's agency, audited with them as
     * actor. TB_MEDIATOR_EVENT_TYPE_EXISTS if the room has it already.
     */
    async defineEventTypeAs(roomId: string, input: NewEventType, admin: Admin): Promise<EventTypeRow> {
      const room = await administered(roomId, admin);
      return defineType(room, input, actingFor(admin.actor, room), admin.requestId);
    },
    /** An event type of a room the administrator manages (the delete page asks about it). */
    async eventTypeFor(roomId: string, eventType: string, admin: Pick<RegistryAdmin, 'may'>): Promise<EventTypeRow> {
      return typeOf(await administered(roomId, admin), eventType);
    },
    /** Deletes an event type with its subscriptions and waiting deliveries; audited. */
    async deleteEventTypeAs(roomId: string, eventType: string, admin: Admin): Promise<void> {
      const room = await administered(roomId, admin);
      await removeType(await typeOf(room, eventType), actingFor(admin.actor, room), admin.requestId);
    },
    /** A subscription of one of the administrator's agency's systems (the cancel page asks about it). */
    async subscriptionFor(id: string, admin: Pick<RegistryAdmin, 'may'>): Promise<SubscriptionRow> {
      return (await ownedSubscription(id, admin)).subscription;
    },
    /**
     * Cancels a subscription of one of the administrator's agency's systems (a push stuck at a
     * system that is gone, say): its waiting deliveries go with it; audited as the API's cancel is.
     */
    async cancelSubscriptionAs(id: string, admin: Admin): Promise<void> {
      const { subscription, subscriber } = await ownedSubscription(id, admin);
      await deps.db.transaction().execute(async (tx) => {
        await deps.store.deleteSubscription(tx, subscription.id);
        await deps.audit.append(tx, {
          actor: actingFor(admin.actor, subscriber), action: 'mediator.subscription.delete', resource: { type: 'mediator-subscription', id: subscription.id },
          ...(admin.requestId === undefined ? {} : { requestId: admin.requestId }), details: { room: subscription.room, eventType: subscription.event_type },
        });
      });
    },
  };
}
