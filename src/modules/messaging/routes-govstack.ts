import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { declareScopes, requireClientScope } from '../../kernel/auth/machine/index.js';
import type { Kernel } from '../../kernel/context.js';
import { idempotencyKeyHeader, idempotentAnswer } from '../../kernel/idempotency/index.js';
import { SPEC_STATUSES, type GovstackCaller, type MessagingService } from './service.js';
import './messages.js';

export const MESSAGING_BASE = '/govstack/messaging';
export const SEND_SCOPE = 'messaging:send';
declareScopes({
  [SEND_SCOPE]: {
    en: 'GovStack Messaging: send emails from the platform\'s address and read their delivery status',
    'zh-CN': 'GovStack 消息接口：以平台地址发送电子邮件并查询发送状态',
  },
});

const TAGS = ['govstack-messaging'];
const text = (max: number) => Type.Optional(Type.String({ maxLength: max }));
// The spec's schemas (swagger.yaml's casing). Types are checked here; what is required, the
// addresses, the callback URI and the decoded batch are checked by the service, field by field.
const callbackSender = Type.Object({ URI: text(2_000) }, { description: 'The URI Tongban POSTs the delivery result to once every message is final' });
const senderInfo = Type.Object({
  organisationName: text(200), organisationRegNr: text(200), onBehalfOfName: text(200), onBehalfOfRegNr: text(200),
  email: text(200), replyTo: text(200), name: text(200),
}, { description: 'Recorded with the request; the From address is always the platform\'s own' });
const recipientInfo = Type.Object({ email: text(254), emailCC: text(254), emailBCC: text(254), name: text(200) });
const emailContent = Type.Object({ encoding: text(20), title: text(200), content: text(100_000) });
const requestUid = Type.String({ minLength: 1, maxLength: 100, description: 'The requestUid a send answered with' });

/**
 * The GovStack Messaging API (docs/adr/0063-govstack-messaging.md) for agencies' systems with an
 * access token holding `messaging:send`: send one email or a batch (stored, then sent after commit
 * by the outbox's job), the status of a request, and `callback/email` to attach content to one.
 * The token is checked before the body is read, so a caller without one learns nothing of it.
 */
export function registerGovstackRoutes(scope: FastifyInstance, messaging: MessagingService, kernel: Pick<Kernel, 'db' | 'now' | 'config'>): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const guard = requireClientScope(SEND_SCOPE);
  const { govstack } = messaging;
  const callerOf = (request: FastifyRequest): GovstackCaller => ({ client: request.client!, locale: request.locale, requestId: String(request.id) });
  const answer = (request: FastifyRequest) => (result: { requestUid: string }) => ({
    status: 200, body: { response: request.t('messaging.govstack.accepted'), requestUid: result.requestUid },
  });

  app.post(`${MESSAGING_BASE}/send/email/single`, {
    onRequest: guard,
    schema: {
      operationId: 'sendSingleEmail', tags: TAGS, summary: 'GovStack Messaging: send a single email',
      headers: Type.Object({ 'idempotency-key': idempotencyKeyHeader }), body: Type.Object({ callback: Type.Optional(callbackSender), senderInfo: Type.Optional(senderInfo), recipientInfo: Type.Optional(recipientInfo), emailContent: Type.Optional(emailContent) }),
    },
  }, (request, reply) => idempotentAnswer(kernel, request, reply, (claim) => govstack.sendSingle(callerOf(request), request.body, claim), answer(request)));

  app.post(`${MESSAGING_BASE}/send/email/batch`, {
    onRequest: guard,
    schema: {
      operationId: 'sendBatchEmail', tags: TAGS, summary: 'GovStack Messaging: send one email to a batch of recipients (base64 JSON list)',
      headers: Type.Object({ 'idempotency-key': idempotencyKeyHeader }),
      body: Type.Object({
        callbackURI: Type.Optional(callbackSender), senderInfo: Type.Optional(senderInfo), emailContent: Type.Optional(emailContent),
        recipientInfo: Type.Optional(Type.Object({ batchEmailAsBase64: Type.Optional(Type.String({ maxLength: 1_000_000 })) })),
      }),
    },
  }, (request, reply) => idempotentAnswer(kernel, request, reply, (claim) => govstack.sendBatch(callerOf(request), request.body, claim), answer(request)));

  app.post(`${MESSAGING_BASE}/callback/email`, {
    onRequest: guard,
    schema: {
      operationId: 'callbackEmail', tags: TAGS, summary: 'GovStack Messaging: attach client content (e.g. a reply received) to one of your requests',
      headers: Type.Object({ requestuid: requestUid, 'idempotency-key': idempotencyKeyHeader }),
      body: Type.Object({ meta: text(200), content: Type.Optional(Type.String({ maxLength: 100_000 })) }),
    },
  }, (request, reply) => idempotentAnswer(kernel, request, reply,
    (claim) => govstack.note(callerOf(request), request.headers.requestuid, request.body, claim),
    // The spec's 200 has no content.
    () => ({ status: 200, body: '' })));

  app.get(`${MESSAGING_BASE}/status/email`, {
    onRequest: guard,
    schema: {
      operationId: 'getEmailStatus', tags: TAGS, summary: 'GovStack Messaging: how many of a request\'s emails are in each status',
      headers: Type.Object({ requestuid: requestUid }),
      querystring: Type.Object({ status: Type.Array(Type.Union(SPEC_STATUSES.map((s) => Type.Literal(s))), { minItems: 1, maxItems: 6 }) }),
      response: { 200: Type.Object(Object.fromEntries(SPEC_STATUSES.map((s) => [s, Type.Optional(Type.Integer())]))) },
    },
  }, async (request) => govstack.status(callerOf(request), request.headers.requestuid, request.query.status));
}
