import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { hasRole, principalOf, requireRole } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { pageContext } from '../../ui/index.js';
import { registerDemoProviders } from './demo.js';
import { UUID } from '../../kernel/ids.js';
import { involves } from './exchange-records.js';
import { renderTrafficPage } from './pages.js';
import { exchangeHref, TRAFFIC_PATH } from './pages-exchanges.js';
import { registerGovstackImRoutes } from './routes-govstack.js';
import { registerProxyRoutes } from './routes-proxy.js';
import { registerPubSubRoutes } from './routes-pubsub.js';
import { registerPubSubPages } from './routes-pubsub-pages.js';
import { registerRegistryPages } from './routes-registry.js';
import { registerExchangeRoutes } from './routes-exchanges.js';
import { registerSearchRoutes } from './routes-search.js';
import { registerMediatorRoutes, registryAdmin } from './routes.js';
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
  registerPubSubRoutes(scope, mediator);
  await registerProxyRoutes(scope, mediator);
  if (deps.demoProviders) registerDemoProviders(scope);

  registerExchangeRoutes(scope, mediator, deps.now);
  registerSearchRoutes(scope, mediator);
  registerPubSubPages(scope, mediator);

  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get(TRAFFIC_PATH, { config: { page: true }, preHandler: requireRole(['agency_admin', 'platform_admin']), schema: { querystring: trafficQuery, hide: true } }, async (request, reply) => {
    const me = principalOf(request);
    const typed = request.query.message?.trim();
    // The lookup form: a well-formed id goes to its record (which answers 404 for one not to be seen).
    if (typed !== undefined && UUID.test(typed)) return reply.redirect(exchangeHref(typed.toLowerCase()), 303);
    const lookup = typed === undefined ? undefined : { value: request.query.message ?? '', error: request.t(typed === '' ? 'mediator.traffic.findEmpty' : 'mediator.traffic.findInvalid') };
    const hours = request.query.hours ?? DEFAULT_HOURS;
    // An agency administrator sees the exchanges that involve their agency's members, as provider or client.
    const reader = registryAdmin(request);
    const members = await mediator.listMembers();
    // The newest of the reader's agency's exchanges, chosen in the query (a busy platform's newest 200 may hold none of them).
    const [traffic, recent] = await Promise.all([mediator.traffic(new Date(deps.now().getTime() - hours * 3_600_000)), mediator.searchLog({ outcome: 'all' }, reader, 20)]);
    const context = { ...pageContext(request), user: { name: me.name }, csrfToken: reply.generateCsrf() };
    return reply.status(lookup ? 400 : 200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderTrafficPage(context, {
      hours, lookup,
      traffic: hasRole(me, 'platform_admin') ? traffic : traffic.filter((row) => involves(members, reader, { client: null, service: row.service })),
      recent: recent.rows,
    }));
  });
}
