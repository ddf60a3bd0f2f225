import type { TongbanError } from '../../kernel/http/index.js';
import type { SubsystemRef } from './ids.js';
import type { EventRow, EventTypeRow, SubscriptionRow } from './store-pubsub.js';

/** The GovStack IM PubSub API's shapes (GovStack_IM_PubSub_API.yaml, ADR 53): operations, calls, answers, items. Pure. */

export const PUSH_QUEUE = 'mediator.event-push';
export const DEFAULT_TTL_SECONDS = 3_600;
export const MAX_TTL_SECONDS = 30 * 24 * 3_600;

export type PubSubOperation =
  | 'createEventType' | 'getEventTypeList' | 'getEventType' | 'deleteEventType'
  | 'publishEvent' | 'getStatus' | 'deleteEvent'
  | 'listSub' | 'addSub' | 'getSub' | 'patchSub' | 'deleteSub'
  | 'pullEvent' | 'confirmEvent';

/** The URL area of each operation: `/r1/{room}/{area}/v1/…`, the message log's service `{room}/{area}`. */
export const AREA_OF: Readonly<Record<PubSubOperation, 'api' | 'pub' | 'pull'>> = {
  createEventType: 'api', getEventTypeList: 'api', getEventType: 'api', deleteEventType: 'api',
  publishEvent: 'pub', getStatus: 'pub', deleteEvent: 'pub',
  listSub: 'api', addSub: 'api', getSub: 'api', patchSub: 'api', deleteSub: 'api',
  pullEvent: 'pull', confirmEvent: 'pull',
};

/** Service codes taken by the PubSub API's URLs under a room. */
export const PUBSUB_AREAS = ['api', 'pub', 'pull'] as const;

export interface PubSubCall {
  readonly operation: PubSubOperation;
  readonly method: string;
  /** The path below the area (`/v1/newBirth`), for the message log. */
  readonly path: string;
  readonly room: SubsystemRef;
  readonly eventType?: string;
  readonly eventId?: string;
  readonly body?: unknown;
  /** The request's refusal by its schema: answered (and logged) once the caller is authenticated. */
  readonly refused?: TongbanError;
  readonly requestId: string;
}

export interface PubSubAnswer {
  readonly messageId: string;
  /** The message log's service: `{room}/{area}`. */
  readonly serviceId: string;
  /** Whether the room is a registered subsystem (metrics label others together). */
  readonly known: boolean;
  readonly seconds: number;
  readonly status: number;
  /** The answer's JSON as logged (its digest is in the message log) and sent; none for a 204 or an error. */
  readonly json: Buffer | undefined;
  readonly error?: TongbanError;
}


/** The subsystem ids of an event type's `publishers` or `subscribers` (jsonb). */
export const ids = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);
const publisherId = (id: string) => {
  const [instanceId, memberClass, memberCode, applicationCode] = id.split('/');
  return { instanceId, memberClass, memberCode, applicationCode };
};

export const eventTypeBody = (row: EventTypeRow) => ({ eventType: row.event_type, schema: row.schema, publishers: ids(row.publishers), subscribers: ids(row.subscribers) });
export const eventItem = (row: Pick<EventRow, 'seq' | 'publisher' | 'event_type' | 'event'> & { id: string }) =>
  ({ id: row.id, sequence: Number(row.seq), publisherId: publisherId(row.publisher), eventType: row.event_type, event: row.event });
export const subscriptionItem = (row: SubscriptionRow) => ({
  id: row.id, subscriberId: publisherId(row.subscriber), eventType: row.event_type, delivery: row.delivery,
  ...(row.push_service === null ? {} : { pushService: row.push_service.split('/')[4] }),
  options: { TTL: row.ttl_seconds, FIFO: row.fifo },
});

export interface NewEventType {
  readonly eventType: string;
  /** A JSON Schema object, or a string holding one (as the spec's example gives it). */
  readonly schema: unknown;
  readonly publishers?: readonly string[];
  readonly subscribers?: readonly string[];
}

export interface SubscriptionInput {
  readonly eventType?: string;
  readonly delivery?: 'PUSH' | 'PULL';
  readonly pushService?: string;
  readonly options?: { readonly TTL?: number; readonly FIFO?: boolean };
}

