import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { TongbanError } from '../../kernel/http/index.js';
import type { CatalogService, ServiceVersion } from '../catalog/service.js';
import { GovstackRegistrationErrors } from './errors.js';
import { parseEFormId, toEForm, toEFormListItem, toGovService } from './mapping.js';
import { getEFormSchema, getServiceSchema, listEFormsSchema, listServicesSchema } from './schemas.js';

export interface CatalogDeps {
  readonly catalog: Pick<CatalogService, 'searchServices' | 'getCurrentService' | 'getServiceVersion' | 'listVersions'>;
  readonly publicUrl: string;
}

const serviceNotFound = (id: string) => new TongbanError('TB_CATALOG_SERVICE_NOT_FOUND', { detail: `No published service ${id}` });

/**
 * Services and e-forms, read from the catalog. Public like the catalog's own API: what a
 * service asks for is published information, and a token would protect nothing.
 */
export function registerCatalogRoutes(scope: FastifyInstance, deps: CatalogDeps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { catalog, publicUrl } = deps;

  const published = async (serviceId: string): Promise<ServiceVersion> => {
    const service = await catalog.getCurrentService(serviceId);
    if (!service) throw serviceNotFound(serviceId);
    return service;
  };

  app.get('/services', { schema: listServicesSchema }, async (request) => {
    const name = request.query.name?.trim();
    const found = await catalog.searchServices({ locale: request.locale, ...(name ? { text: name } : {}) });
    return found.map((s) => toGovService(s, request.locale, publicUrl));
  });

  app.get('/services/:serviceId', { schema: getServiceSchema }, async (request) =>
    toGovService(await published(request.params.serviceId), request.locale, publicUrl));

  app.get('/services/:serviceId/eForms', { schema: listEFormsSchema }, async (request) => {
    const current = await published(request.params.serviceId);
    const versions = await catalog.listVersions(current.id);
    const all = await Promise.all(versions.map(async (v) => (v.version === current.version ? current : catalog.getServiceVersion(current.id, v.version))));
    return all.filter((v): v is ServiceVersion => v !== undefined).sort((a, b) => b.version - a.version).map((v) => toEFormListItem(v, request.locale));
  });

  app.get('/eForms/:eFormId', { schema: getEFormSchema }, async (request) => {
    const key = parseEFormId(request.params.eFormId);
    const version = key && (await catalog.getServiceVersion(key.serviceId, key.version));
    if (!version) throw new TongbanError(GovstackRegistrationErrors.TB_GOVSTACK_EFORM_NOT_FOUND, { detail: `No e-form ${request.params.eFormId}` });
    return toEForm(version, request.locale, publicUrl);
  });
}
