import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { createSessionStore, principalOf, recentSignInGuards, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { pageContext } from '../../ui/layout.js';
import { IdentityErrors } from './errors.js';
import { renderAccountPage } from './pages.js';
import { CLOSE_PATH, CLOSED_PATH, renderClosedPage, renderClosePage } from './pages-close.js';
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

  // Closing one's account (ADR 68): the page asks for a recent sign-in first, so a borrowed
  // session cannot close it; the post is refused without one, and what was ticked is kept (ADR 55).
  const guards = recentSignInGuards(requireSignedIn, { now: kernel.now, backTo: '/account', why: 'identity.close.reauthenticate' });
  const html = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
  const closeContext = (request: FastifyRequest, reply: FastifyReply) => ({ ...pageContext(request), csrfToken: reply.generateCsrf(), user: { name: principalOf(request).name } });

  app.get(CLOSE_PATH, { config: { page: true }, preHandler: guards.page }, async (request, reply) =>
    html(reply, 200, renderClosePage(closeContext(request, reply), await services.identity.closingBlockers(principalOf(request)))));

  app.post(CLOSE_PATH, { config: { page: true }, preHandler: guards.post }, async (request, reply) => {
    const person = principalOf(request);
    const confirm = (request.body as Record<string, unknown> | undefined)?.confirm;
    const confirmed = confirm === 'yes' || (Array.isArray(confirm) && confirm.includes('yes'));
    if (!confirmed) return html(reply, 400, renderClosePage(closeContext(request, reply), await services.identity.closingBlockers(person), { error: true }));
    try {
      await services.identity.closeAccount(person, { requestId: request.id });
    } catch (error) {
      // An application was sent between the page and the post: show what is in progress.
      if (!(error instanceof TongbanError && error.code === IdentityErrors.TB_IDENTITY_CLOSE_BLOCKED)) throw error;
      return html(reply, 409, renderClosePage(closeContext(request, reply), await services.identity.closingBlockers(person)));
    }
    // Every session ends now, this one included; the next request clears the cookie (the account is gone from the kernel's view).
    await createSessionStore(kernel.db, kernel.now).destroyAllFor(person.accountId);
    return reply.redirect(CLOSED_PATH, 303);
  });

  app.get(CLOSED_PATH, { config: { page: true } }, async (request, reply) => html(reply, 200, renderClosedPage({ ...pageContext(request), csrfToken: reply.generateCsrf() })));
  return Promise.resolve();
}
