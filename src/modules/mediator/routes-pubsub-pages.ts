import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { hasRole, principalOf, recentSignInGuards, requireRole } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import {
  cancelSubscriptionHref, DELETE_TYPE_PATH, NEW_TYPE_PATH, PUBSUB_PATH, renderCancelSubscriptionPage, renderDeleteTypePage, renderEventTypeForm, renderPubSubPage,
} from './pages-pubsub.js';
import type { ShownError } from './pages-registry.js';
import { parseEventTypeForm } from './pubsub-forms.js';
import { registryAdmin } from './routes.js';
import { context, html, shown } from './routes-page-kit.js';
import type { Posted } from './registry-forms.js';
import { registryForm } from './schemas.js';
import type { MediatorService, SubsystemRow } from './service.js';

const ADMINS = requireRole(['agency_admin', 'platform_admin']);
const overviewQuery = Type.Object({ done: Type.Optional(Type.Union([Type.Literal('defined'), Type.Literal('deleted'), Type.Literal('cancelled')])) });
const subscriptionParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const typeQuery = Type.Object({ room: Type.String({ maxLength: 300 }), type: Type.String({ maxLength: 64 }) });

/**
 * `/admin/mediator/pubsub` (ADR 53) and its forms (ADR 59): administrators define and delete the
 * event types of their agency's rooms, and cancel their agency's systems' subscriptions, with the
 * same functions, checks and audit records as the GovStack PubSub API's; like the registry's
 * forms, they need a sign-in within ten minutes.
 */
export function registerPubSubPages(scope: FastifyInstance, mediator: MediatorService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guards = recentSignInGuards(ADMINS, { now: mediator.now, backTo: PUBSUB_PATH, why: 'mediator.admin.reauthenticate' });
  const form = { config: { page: true }, preHandler: guards.page };
  const change = { config: { page: true }, preHandler: guards.post };

  /** The rooms this administrator manages: the subsystems of their agencies' members. */
  async function roomsOf(request: FastifyRequest): Promise<SubsystemRow[]> {
    const me = principalOf(request);
    const members = new Set((await mediator.listMembers()).filter((m) => hasRole(me, 'platform_admin') || hasRole(me, 'agency_admin', m.agency)).map((m) => m.id));
    return (await mediator.listSubsystems()).filter((s) => members.has(s.member_id));
  }

  app.get(PUBSUB_PATH, { config: { page: true }, preHandler: ADMINS, schema: { querystring: overviewQuery, hide: true } }, async (request, reply) => {
    const [overview, rooms] = await Promise.all([mediator.pubsub.overview(registryAdmin(request)), roomsOf(request)]);
    return html(reply, renderPubSubPage(context(request, reply), overview, { rooms: new Set(rooms.map((r) => r.id)), done: request.query.done }));
  });

  const showForm = async (request: FastifyRequest, reply: FastifyReply, values: Posted, errors: readonly ShownError[]) =>
    html(reply, renderEventTypeForm(context(request, reply), { rooms: await roomsOf(request), values, errors }), errors.length > 0 ? 422 : 200);

  app.get(NEW_TYPE_PATH, { ...form, schema: { hide: true } }, async (request, reply) => showForm(request, reply, {}, []));
  app.post(NEW_TYPE_PATH, { ...change, schema: { body: registryForm, hide: true } }, async (request, reply) => {
    const posted: Posted = request.body;
    const parsed = parseEventTypeForm(posted);
    if (!parsed.ok) return showForm(request, reply, posted, shown(request, parsed.errors));
    try {
      await mediator.pubsub.defineEventTypeAs(parsed.input.room, parsed.input.input, registryAdmin(request));
    } catch (error) {
      return showForm(request, reply, posted, [refusal(request, error)]);
    }
    return reply.redirect(`${PUBSUB_PATH}?done=defined`, 303);
  });

  app.get(DELETE_TYPE_PATH, { ...form, schema: { querystring: typeQuery, hide: true } }, async (request, reply) => {
    const type = await mediator.pubsub.eventTypeFor(request.query.room, request.query.type, registryAdmin(request));
    return html(reply, renderDeleteTypePage(context(request, reply), type));
  });
  app.post(DELETE_TYPE_PATH, { ...change, schema: { querystring: typeQuery, body: registryForm, hide: true } }, async (request, reply) => {
    await mediator.pubsub.deleteEventTypeAs(request.query.room, request.query.type, registryAdmin(request));
    return reply.redirect(`${PUBSUB_PATH}?done=deleted`, 303);
  });

  const cancelPath = cancelSubscriptionHref(':id');
  app.get(cancelPath, { ...form, schema: { params: subscriptionParams, hide: true } }, async (request, reply) =>
    html(reply, renderCancelSubscriptionPage(context(request, reply), await mediator.pubsub.subscriptionFor(request.params.id, registryAdmin(request)))));
  app.post(cancelPath, { ...change, schema: { params: subscriptionParams, body: registryForm, hide: true } }, async (request, reply) => {
    await mediator.pubsub.cancelSubscriptionAs(request.params.id, registryAdmin(request));
    return reply.redirect(`${PUBSUB_PATH}?done=cancelled`, 303);
  });
}

/** The mediator's refusal of a new event type, beside the field it concerns; a forged room is thrown on (403). */
function refusal(request: FastifyRequest, error: unknown): ShownError {
  if (!(error instanceof TongbanError)) throw error;
  if (error.code === 'TB_MEDIATOR_EVENT_TYPE_EXISTS') return { field: 'eventType', text: request.t('mediator.pubsub.error.exists') };
  if (error.code === 'TB_MEDIATOR_UNKNOWN_SERVICE') return { field: 'room', text: request.t('mediator.pubsub.error.room') };
  if (error.code === 'TB_MEDIATOR_PUBSUB_INVALID') {
    const problem = error.fields[0];
    const field = ['publishers', 'subscribers'].find((f) => problem?.pointer.startsWith(`/${f}`)) ?? 'schema';
    if (field !== 'schema') return { field, text: request.t('mediator.pubsub.error.subsystems') };
    return { field, text: request.t('mediator.pubsub.error.schema', { detail: problem?.detail ?? error.detail ?? '' }) };
  }
  throw error;
}
