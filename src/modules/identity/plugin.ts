import type { FastifyInstance } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { pageContext } from '../../ui/layout.js';
import { IdentityErrors } from './errors.js';
import { renderAccountPage } from './pages.js';
import type { IdentityService } from './service.js';

/** The identity module's pages: for now, the signed-in account. */
export async function identityPlugin(app: FastifyInstance, services: { identity: IdentityService }): Promise<void> {
  app.get('/account', { config: { page: true }, preHandler: requireSignedIn }, async (request, reply) => {
    const principal = principalOf(request);
    const account = await services.identity.account(principal.accountId);
    if (!account) throw new TongbanError(IdentityErrors.TB_IDENTITY_ACCOUNT_NOT_FOUND);
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store')
      .send(renderAccountPage({ ...pageContext(request), csrfToken: reply.generateCsrf() }, principal, account));
  });
  return Promise.resolve();
}
