import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Actor } from '../../kernel/audit/types.js';
import { hasRole, principalOf, requireRole } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { getServiceSchema, listAgenciesSchema, listingSchema, listServicesSchema, publishServiceSchema } from './schemas.js';
import type { AgencyGuard, CatalogService, ServiceVersion } from './service.js';

const json = (v: ServiceVersion) => ({ ...v, publishedAt: v.publishedAt.toISOString() });

const ADMINS = ['agency_admin', 'platform_admin'] as const;

function publisher(request: FastifyRequest): { actor: Actor; may: AgencyGuard } {
  const principal = principalOf(request);
  return {
    actor: { kind: principal.kind === 'staff' ? 'staff' : 'person', id: principal.accountId },
    may: (agency) => hasRole(principal, 'platform_admin') || hasRole(principal, 'agency_admin', agency),
  };
}

/** The catalog's JSON API under /api/catalog: reads are public, changes need an administrator. */
export function registerCatalogRoutes(scope: FastifyInstance, catalog: CatalogService): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/api/catalog/services', { schema: listServicesSchema }, async (request) => {
    const { q, category, lifeEvent, lang } = request.query;
    const services = await catalog.searchServices({
      locale: lang ?? request.locale,
      ...(q ? { text: q } : {}), ...(category ? { category } : {}), ...(lifeEvent ? { lifeEvent } : {}),
    });
    return { services };
  });

  app.get('/api/catalog/services/:idOrSlug', { schema: getServiceSchema }, async (request) => {
    const { idOrSlug } = request.params;
    const { version } = request.query;
    if (version === undefined) {
      const current = await catalog.getCurrentService(idOrSlug);
      if (!current) throw new TongbanError('TB_CATALOG_SERVICE_NOT_FOUND', { detail: `No published service ${idOrSlug}` });
      return json(current);
    }
    // An older version stays readable after unpublishing: applications made under it refer to it.
    const service = await catalog.getCurrentService(idOrSlug, { includeUnlisted: true });
    const found = service && (await catalog.getServiceVersion(service.id, version));
    if (!found) throw new TongbanError('TB_CATALOG_VERSION_NOT_FOUND', { detail: `No version ${version} of service ${idOrSlug}` });
    return json(found);
  });

  app.post('/api/catalog/services', { schema: publishServiceSchema, preHandler: requireRole(ADMINS) }, async (request, reply) => {
    const { actor, may } = publisher(request);
    const result = await catalog.publishDefinition(request.body, actor, may);
    if (result.outcome === 'created') return reply.status(201).header('location', `/api/catalog/services/${result.id}`).send({ ...result, outcome: 'created' as const });
    return reply.status(200).send({ ...result, outcome: result.outcome });
  });

  for (const [action, listed] of [['unpublish', false], ['republish', true]] as const) {
    const summary = listed ? 'Show an unpublished service again' : 'Hide a service from search and its start page; its versions stay readable';
    app.post(`/api/catalog/services/:idOrSlug/${action}`, { schema: listingSchema(summary), preHandler: requireRole(ADMINS) }, async (request) => {
      const { actor, may } = publisher(request);
      return catalog.setListed(request.params.idOrSlug, listed, actor, may);
    });
  }

  app.get('/api/catalog/agencies', { schema: listAgenciesSchema }, async () => ({ agencies: await catalog.listAgencies() }));
}
