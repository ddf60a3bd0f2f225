import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { TongbanError } from '../../kernel/http/index.js';
import { pageContext } from '../../ui/index.js';
import { renderBrowsePage, renderStartPage, type PageContext } from './pages.js';
import { registerCatalogRoutes } from './routes.js';
import { browseQuerySchema, startPageParamsSchema } from './schemas.js';
import { isCategory, isLifeEvent, type CatalogService } from './service.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  const principal = request.principal;
  // The header's sign-out form needs a token only when someone is signed in.
  return { ...pageContext(request), ...(principal ? { user: { name: principal.name }, csrfToken: reply.generateCsrf() } : {}) };
}

/** The catalog's API and its two public pages: browse and search, and a service's start page. */
export async function catalogPlugin(scope: FastifyInstance, services: { catalog: CatalogService }): Promise<void> {
  const { catalog } = services;
  registerCatalogRoutes(scope, catalog);
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  app.get('/services', { config: { page: true }, schema: { querystring: browseQuerySchema } }, async (request, reply) => {
    const q = (request.query.q ?? '').trim();
    const category = isCategory(request.query.category) ? request.query.category : undefined;
    const lifeEvent = isLifeEvent(request.query.lifeEvent) ? request.query.lifeEvent : undefined;
    const [results, categories, lifeEvents, agencies] = await Promise.all([
      catalog.searchServices({ text: q, locale: request.locale, ...(category ? { category } : {}), ...(lifeEvent ? { lifeEvent } : {}) }),
      catalog.listCategories(),
      catalog.listLifeEvents(),
      catalog.listAgencies(),
    ]);
    const html = renderBrowsePage(context(request, reply), {
      query: { q, category, lifeEvent }, results, categories, lifeEvents, agencies: new Map(agencies.map((a) => [a.code, a])),
    });
    return reply.type('text/html; charset=utf-8').send(html);
  });

  app.get('/services/:slug', { config: { page: true }, schema: { params: startPageParamsSchema } }, async (request, reply) => {
    const service = await catalog.getCurrentService(request.params.slug);
    if (!service || service.slug !== request.params.slug) throw new TongbanError('TB_CATALOG_SERVICE_NOT_FOUND');
    const agency = await catalog.getAgency(service.agencyCode);
    return reply.type('text/html; charset=utf-8').send(renderStartPage(context(request, reply), service, agency));
  });
  return Promise.resolve();
}
