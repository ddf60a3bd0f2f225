import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext } from '../../ui/index.js';
import type { PageContext } from './pages-shared.js';
import { registerApplyRoutes } from './routes-apply.js';
import { registerHomeRoutes } from './routes-home.js';
import { registerPrefillRoutes } from './routes-prefill.js';
import { registerStatusRoutes } from './routes-status.js';
import { registerVisitRoutes } from './routes-visits.js';
import type { ApplicationsService } from './service.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  const principal = request.principal;
  // The header's sign-out form, like every form on these pages, needs a token when someone is signed in.
  return { ...pageContext(request), ...(principal ? { user: { name: principal.name }, csrfToken: reply.generateCsrf() } : {}) };
}

/** The applications module's pages: home, apply, my applications, status, counter (and its visits). */
export async function applicationsPlugin(app: FastifyInstance, services: { applications: ApplicationsService }): Promise<void> {
  registerHomeRoutes(app, services.applications, context);
  registerApplyRoutes(app, services.applications, context);
  registerPrefillRoutes(app, services.applications, context);
  registerStatusRoutes(app, services.applications, context);
  registerVisitRoutes(app, services.applications, context);
  return Promise.resolve();
}
