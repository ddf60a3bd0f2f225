import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasRole, principalOf, recentSignInGuards, requireRecentSignIn, requireRole, signedInRecently } from '../../kernel/auth/index.js';
import { field } from '../../kernel/http/query.js';
import { pageContext } from '../../ui/index.js';
import { exchangeHref, renderExchangePage, TRAFFIC_PATH, type BodiesView, type ExchangePageContext } from './pages-exchanges.js';
import { registryAdmin } from './routes.js';
import { bodiesForm, exchangePageParams, getExchangeSchema, PURPOSE_MAX, readBodiesSchema } from './schemas.js';
import type { BodyReader, ExchangeRecord, MediatorService } from './service.js';

const ADMINS = requireRole(['agency_admin', 'platform_admin']);
const PLATFORM_ADMIN = requireRole('platform_admin');

const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
function context(request: FastifyRequest, reply: FastifyReply): ExchangePageContext {
  return { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf(), returnTo: request.url.split('?')[0] ?? request.url };
}
function bodyReader(request: FastifyRequest, purpose: string): BodyReader {
  const { actor, requestId } = registryAdmin(request);
  return { actor, platformAdmin: hasRole(principalOf(request), 'platform_admin'), purpose, ...(requestId ? { requestId } : {}) };
}
const shown = ({ log, bodiesStored }: ExchangeRecord) => ({
  messageId: log.message_id, at: log.at.toISOString(), client: log.client, service: log.service, method: log.method, path: log.path, userId: log.user_id,
  issue: log.issue, status: log.status, outcome: log.outcome, requestDigest: log.request_digest, responseDigest: log.response_digest,
  requestBytes: log.request_bytes, responseBytes: log.response_bytes, durationMs: log.duration_ms, providerMs: log.provider_ms,
  chain: log.chain, seq: Number(log.seq), hash: log.hash, bodiesStored,
});

/**
 * One exchange by its message id (ADR 51): its log record for administrators of an agency involved
 * (page and API, audited with the person as subject), and its stored bodies for a platform
 * administrator who gives a purpose and signed in within ten minutes (ASVS 5.0 7.5.3).
 */
export function registerExchangeRoutes(scope: FastifyInstance, mediator: MediatorService, now: () => Date): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const readBodies = [PLATFORM_ADMIN, requireRecentSignIn(now)];

  app.get('/api/mediator/exchanges/:messageId', { schema: getExchangeSchema, preHandler: ADMINS }, async (request, reply) =>
    reply.header('cache-control', 'no-store').send(shown(await mediator.exchangeRecord(request.params.messageId, registryAdmin(request)))));
  app.post('/api/mediator/exchanges/:messageId/bodies', { schema: readBodiesSchema, preHandler: readBodies }, async (request, reply) => {
    const read = await mediator.readBodies(request.params.messageId, bodyReader(request, request.body.purpose));
    return reply.header('cache-control', 'no-store').send({
      messageId: read.messageId, service: read.service, client: read.client, request: read.request.toString('base64'), response: read.response.toString('base64'),
    });
  });

  /** What the page offers for the bodies when no reading was asked for (yet). */
  const offered = (request: FastifyRequest, record: ExchangeRecord, form: { purpose: string; error?: string } = { purpose: '' }): BodiesView => {
    if (!record.bodiesStored) return { kind: 'not-stored' };
    if (!hasRole(principalOf(request), 'platform_admin')) return { kind: 'platform-only' };
    if (!signedInRecently(request, now())) return { kind: 'sign-in-again' };
    return { kind: 'form', ...form };
  };

  const path = '/admin/mediator/exchanges/:messageId';
  app.get(path, { config: { page: true }, preHandler: ADMINS, schema: { params: exchangePageParams, hide: true } }, async (request, reply) => {
    const record = await mediator.exchangeRecord(request.params.messageId, registryAdmin(request));
    return html(reply, renderExchangePage(context(request, reply), record, offered(request, record)));
  });
  // A purpose typed after the sign-in window is kept while its author signs in again (ADR 55).
  const readBodiesPage = recentSignInGuards(PLATFORM_ADMIN, { now, backTo: TRAFFIC_PATH, why: 'mediator.exchange.reauthenticate' }).post;
  app.post(`${path}/bodies`, { config: { page: true }, preHandler: readBodiesPage, schema: { params: exchangePageParams, body: bodiesForm, hide: true } }, async (request, reply) => {
    const { messageId } = request.params;
    const typed = field(request.body, 'purpose') ?? '';
    const purpose = typed.trim();
    const error = purpose === '' ? 'mediator.exchange.purposeEmpty' : purpose.length > PURPOSE_MAX ? 'mediator.exchange.purposeLong' : undefined;
    if (error !== undefined) {
      const record = await mediator.exchangeRecord(messageId, registryAdmin(request));
      return html(reply.status(422), renderExchangePage(context(request, reply), record, offered(request, record, { purpose: typed, error: request.t(error) })));
    }
    const bodies = await mediator.readBodies(messageId, bodyReader(request, purpose));
    const record = await mediator.exchangeRecord(messageId, registryAdmin(request));
    return html(reply, renderExchangePage({ ...context(request, reply), returnTo: exchangeHref(messageId) }, record, { kind: 'read', bodies }));
  });
}
