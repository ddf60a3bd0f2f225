import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { principalOf, requireRole, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { checkoutSchema, counterSchema, refundSchema, statusSchema } from './schemas.js';
import { PaymentsErrors, type PaymentsService } from './service.js';

/**
 * The JSON API for signed-in people and staff. Every call that creates something needs an
 * `Idempotency-Key` header: the same key again returns the first answer and creates nothing.
 */
export function registerApiRoutes(scope: FastifyInstance, payments: PaymentsService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/payments/applications/:id', { schema: statusSchema, preHandler: requireSignedIn }, async (request) => {
    const view = await payments.forApplicant(request.params.id, principalOf(request));
    return view?.state ?? { due: 0, paid: 0, currency: 'CNY' as const, state: 'none' as const };
  });

  app.post('/api/payments/applications/:id/checkouts', { schema: checkoutSchema, preHandler: requireSignedIn }, async (request, reply) => {
    const started = await payments.startOnline(request.params.id, principalOf(request), request.headers['idempotency-key']);
    return reply.status(201).send(started);
  });

  app.post('/api/payments/counter-payments', { schema: counterSchema, preHandler: requireRole('clerk') }, async (request, reply) => {
    const result = await payments.recordAtCounter(principalOf(request), { ...request.body, key: request.headers['idempotency-key'], requestId: request.id });
    return reply.status(201).send(result);
  });

  app.post('/api/payments/payments/:paymentId/refunds', { schema: refundSchema, preHandler: requireRole(['officer', 'supervisor', 'agency_admin']) }, async (request, reply) => {
    const result = await payments.refund(principalOf(request), { paymentId: request.params.paymentId, reason: request.body.reason, key: request.headers['idempotency-key'], requestId: request.id });
    return reply.status(201).send(result);
  });

  // A webhook is verified over its exact bytes: this scope keeps JSON bodies as the raw string.
  void scope.register(async (hooks) => {
    hooks.addContentTypeParser('application/json', { parseAs: 'string' }, (_request, body, done) => { done(null, body); });
    hooks.post<{ Params: { provider: string }; Body: string }>('/payments/webhooks/:provider', { config: { csrf: false } }, async (request) => {
      if (typeof request.body !== 'string') throw new TongbanError(PaymentsErrors.TB_PAYMENTS_SIGNATURE_INVALID);
      const signature = request.headers['tongban-signature'];
      return payments.receiveWebhook(request.params.provider, request.body, typeof signature === 'string' ? signature : undefined);
    });
    return Promise.resolve();
  });
}
