import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { hasRole, principalOf, requireRole } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { pageContext } from '../../ui/index.js';
import { registerDemoProviders } from './demo.js';
import { renderTrafficPage } from './pages.js';
import { registerGovstackImRoutes } from './routes-govstack.js';
import { registerProxyRoutes } from './routes-proxy.js';
import { registerRegistryPages } from './routes-registry.js';
import { registerMediatorRoutes } from './routes.js';
import { trafficQuery } from './schemas.js';
import type { MediatorService } from './service.js';

const DEFAULT_HOURS = 24;

/** Exchanges (/r1), metaservices, the registry API and pages, the traffic page and the demo providers. */
export async function mediatorPlugin(scope: FastifyInstance, deps: { mediator: MediatorService; demoProviders: boolean; now: () => Date; kernel: Pick<Kernel, 'db' | 'now' | 'config'> }): Promise<void> {
  const { mediator } = deps;
  mediator.instrument(scope.metrics.registry);
  scope.addHook('onClose', async () => { await mediator.close(); });
  registerMediatorRoutes(scope, mediator, deps.kernel);
  registerRegistryPages(scope, mediator);
  registerGovstackImRoutes(scope, mediator);
  await registerProxyRoutes(scope, mediator);
  if (deps.demoProviders) registerDemoProviders(scope);

  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/admin/mediator', { config: { page: true }, preHandler: requireRole(['agency_admin', 'platform_admin']), schema: { querystring: trafficQuery, hide: true } }, async (request, reply) => {
    const me = principalOf(request);
    const hours = request.query.hours ?? DEFAULT_HOURS;
    // An agency administrator sees the exchanges that involve their agency's members, as provider or client.
    const members = (await mediator.listMembers()).filter((m) => hasRole(me, 'platform_admin') || hasRole(me, 'agency_admin', m.agency)).map((m) => `${m.id}/`);
    const mine = (id: string | null) => id !== null && members.some((prefix) => id.startsWith(prefix));
    const [traffic, recent] = await Promise.all([mediator.traffic(new Date(deps.now().getTime() - hours * 3_600_000)), mediator.recentExchanges(200)]);
    const context = { ...pageContext(request), user: { name: me.name }, csrfToken: reply.generateCsrf() };
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderTrafficPage(context, {
      hours,
      traffic: hasRole(me, 'platform_admin') ? traffic : traffic.filter((row) => mine(row.service)),
      recent: recent.filter((row) => hasRole(me, 'platform_admin') || mine(row.service) || mine(row.client)).slice(0, 20),
    }));
  });
}
