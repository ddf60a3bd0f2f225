import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { pageContext } from '../../ui/layout.js';
import { IdentityErrors } from './errors.js';
import { renderAccountPage } from './pages.js';
import type { IdentityService } from './service.js';
import { createApiClientAdmin } from './api-clients.js';
import { registerApiClientRoutes } from './routes-api-clients.js';

/** The identity module's pages: the signed-in account, and the platform's API clients for platform administrators. */
export async function identityPlugin(app: FastifyInstance, kernel: Kernel, services: { identity: IdentityService }): Promise<void> {
  registerApiClientRoutes(app, createApiClientAdmin(kernel), kernel.now);
  app.get('/account', { config: { page: true }, preHandler: requireSignedIn }, async (request, reply) => {
    const principal = principalOf(request);
    const account = await services.identity.account(principal.accountId);
    if (!account) throw new TongbanError(IdentityErrors.TB_IDENTITY_ACCOUNT_NOT_FOUND);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(renderAccountPage({ ...pageContext(request), csrfToken: reply.generateCsrf() }, principal, account));
  });
  return Promise.resolve();
}
