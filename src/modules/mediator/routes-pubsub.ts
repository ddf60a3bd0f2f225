import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import { Type, type TSchema } from 'typebox';
import { TongbanError, toTongbanError } from '../../kernel/http/index.js';
import { credentialsOf } from './credentials.js';
import { MAX_TTL_SECONDS, type ExchangeResult, type MediatorService, type PubSubAnswer, type PubSubOperation } from './service.js';

const TAG = ['GovStack Information Mediator PubSub'];
const PART = { minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*$' } as const;
const Part = Type.String(PART);
const SubsystemId = Type.String({ maxLength: 300, pattern: '^[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*){3}$' });
const Room = { instance: Part, memberClass: Part, member: Part, subsystem: Part };
const EventId = Type.String({ format: 'uuid' });

const EventType = Type.Object({
  eventType: Part,
  // An object, or a string holding one as in the spec's example (pubsub-schemas.ts reads both).
  schema: Type.Union([Type.Object({}), Type.String({ maxLength: 100_000 })]),
  publishers: Type.Optional(Type.Array(SubsystemId, { maxItems: 500, description: 'Subsystems that may publish besides the room member\'s own (Tongban extension)' })),
  subscribers: Type.Optional(Type.Array(SubsystemId, { maxItems: 500, description: 'Subsystems that may subscribe besides the room member\'s own (Tongban extension)' })),
});
const PublishEvent = Type.Object({ eventType: Part, event: Type.Object({}) });
const SubscriptionItem = Type.Object({
  eventType: Type.Optional(Part),
  delivery: Type.Optional(Type.Union([Type.Literal('PUSH'), Type.Literal('PULL')])),
  pushService: Type.Optional(Type.String({ ...PART, description: 'A service of the subscriber\'s own subsystem that PUSH deliveries are POSTed to (Tongban extension)' })),
  options: Type.Optional(Type.Object({
    TTL: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_TTL_SECONDS })),
    FIFO: Type.Optional(Type.Boolean()),
  })),
});

interface Route {
  readonly operation: PubSubOperation;
  readonly method: HTTPMethods;
  /** Below `/r1/{instance}/{class}/{member}/{room}`. */
  readonly url: string;
  readonly summary: string;
  readonly params?: Record<string, TSchema>;
  readonly body?: TSchema;
}

const type = { eventType: Part };
const event = { eventType: Part, eventId: EventId };
const ROUTES: readonly Route[] = [
  { operation: 'createEventType', method: 'POST', url: '/api/v1/eventType', summary: 'Create an event type in the room (systems of the room\'s member)', body: EventType },
  { operation: 'getEventTypeList', method: 'GET', url: '/api/v1/eventType', summary: 'The room\'s event types the caller may publish or subscribe to (204 when none)' },
  { operation: 'getEventType', method: 'GET', url: '/api/v1/eventType/:eventType', summary: 'An event type with its schema (204 when not defined)', params: type },
  { operation: 'deleteEventType', method: 'DELETE', url: '/api/v1/eventType/:eventType', summary: 'Delete an event type with its events and subscriptions', params: type },
  { operation: 'publishEvent', method: 'POST', url: '/pub/v1/:eventType', summary: 'Publish an event, checked against its type\'s schema', params: type, body: PublishEvent },
  { operation: 'getStatus', method: 'GET', url: '/pub/v1/:eventType/:eventId', summary: 'A published event with its deliveries: pending, delivered, expired, stopped', params: event },
  { operation: 'deleteEvent', method: 'DELETE', url: '/pub/v1/:eventType/:eventId', summary: 'Stop delivering an event', params: event },
  { operation: 'listSub', method: 'GET', url: '/api/v1/subs', summary: 'The caller\'s subscriptions in the room' },
  { operation: 'addSub', method: 'POST', url: '/api/v1/subs/:eventType', summary: 'Subscribe the caller (PUSH to one of its services, or PULL)', params: type, body: SubscriptionItem },
  { operation: 'getSub', method: 'GET', url: '/api/v1/subs/:eventType', summary: 'The caller\'s subscription', params: type },
  { operation: 'patchSub', method: 'PATCH', url: '/api/v1/subs/:eventType', summary: 'Change the caller\'s subscription', params: type, body: SubscriptionItem },
  { operation: 'deleteSub', method: 'DELETE', url: '/api/v1/subs/:eventType', summary: 'Cancel the caller\'s subscription', params: type },
  { operation: 'pullEvent', method: 'GET', url: '/pull/v1/:eventType', summary: 'The oldest event not yet confirmed (the same one until confirmed)', params: type },
  { operation: 'confirmEvent', method: 'DELETE', url: '/pull/v1/:eventType/:eventId', summary: 'Confirm an event pulled', params: event },
];

/** A PubSub answer in the shape the exchanges' idempotency keeps and replays. */
function asExchange(answer: PubSubAnswer): ExchangeResult {
  const body = answer.json ?? Buffer.alloc(0);
  return {
    messageId: answer.messageId, serviceId: answer.serviceId, client: undefined, status: answer.status, seconds: answer.seconds, known: answer.known,
    headers: body.length === 0 ? {} : { 'content-type': 'application/json; charset=utf-8' }, body, ...(answer.error ? { error: answer.error } : {}),
  };
}

/**
 * The GovStack IM PubSub API (GovStack_IM_PubSub_API.yaml) under each room's address. A request
 * the schema refuses is still authenticated and written to the message log before the 400
 * (attachValidation), as every exchange is.
 */
export function registerPubSubRoutes(scope: FastifyInstance, mediator: MediatorService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  for (const route of ROUTES) {
    const handler = async (request: FastifyRequest, reply: FastifyReply) => {
      const params = request.params as Record<string, string>;
      const path = `/${(request.url.split('?')[0] ?? '').split('/').slice(7).join('/')}`;
      // A keyed write (a publication above all) is done once per client and key; a retry gets the first answer (ADR 31).
      const result = await mediator.idempotency.around(request, async () => asExchange(await mediator.pubsub.call(credentialsOf(request), {
        operation: route.operation, method: request.method, path,
        room: { instance: params.instance ?? '', memberClass: params.memberClass ?? '', member: params.member ?? '', subsystem: params.subsystem ?? '' },
        ...(params.eventType === undefined ? {} : { eventType: params.eventType }),
        ...(params.eventId === undefined ? {} : { eventId: params.eventId }),
        ...(request.body === undefined ? {} : { body: request.body }),
        ...(request.validationError ? { refused: toTongbanError(request.validationError) } : {}),
        requestId: request.id,
      })));
      if (result.error) {
        const { code, detail, fields, headers } = result.error;
        throw new TongbanError(code, { ...(detail === undefined ? {} : { detail }), fields, headers: { ...headers, 'x-road-id': result.messageId }, cause: result.error });
      }
      reply.status(result.status).headers(result.headers).header('x-road-id', result.messageId).header('cache-control', 'no-store');
      return result.body.length === 0 ? reply.send() : reply.send(result.body);
    };
    app.route({
      method: route.method, url: `/r1/:instance/:memberClass/:member/:subsystem${route.url}`, attachValidation: true, config: { csrf: false },
      schema: {
        tags: TAG, summary: route.summary, operationId: `pubsub_${route.operation}`,
        params: Type.Object({ ...Room, ...route.params }),
        ...(route.body ? { body: route.body } : {}),
      },
      handler,
    });
  }
}
