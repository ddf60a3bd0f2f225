import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireRole, requireSignedIn } from '../../kernel/auth/index.js';
import { pageContext } from '../../ui/index.js';
import { renderMessagesPage, renderOutboxPage, type PageContext } from './pages.js';
import { pageQuerySchema } from './schemas.js';
import type { Kernel } from '../../kernel/context.js';
import { registerGovstackRoutes } from './routes-govstack.js';
import type { MessagingService } from './service.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf() };
}

/** The person's Messages page, the platform administrator's demo outbox and the GovStack Messaging API. */
export async function messagingPlugin(scope: FastifyInstance, services: { messaging: MessagingService }, kernel: Pick<Kernel, 'db' | 'now' | 'config'>): Promise<void> {
  const { messaging } = services;
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/messages', { config: { page: true }, preHandler: requireSignedIn, schema: { querystring: pageQuerySchema } }, async (request, reply) => {
    const page = await messaging.listForAccount(principalOf(request).accountId, { page: request.query.page ?? 1 });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderMessagesPage(context(request, reply), page));
  });

  app.get('/admin/outbox', { config: { page: true }, preHandler: requireRole('platform_admin'), schema: { querystring: pageQuerySchema } }, async (request, reply) => {
    const page = await messaging.outbox({ accountId: principalOf(request).accountId, requestId: request.id }, { page: request.query.page ?? 1 });
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderOutboxPage(context(request, reply), page, messaging.delivery));
  });
  registerGovstackRoutes(scope, messaging, kernel);
  return Promise.resolve();
}
