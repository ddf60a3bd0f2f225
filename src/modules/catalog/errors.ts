import { defineErrors } from '../../kernel/http/index.js';

/** Codes raised by the catalog. Documented in docs/errors.md. */
export const CatalogErrors = defineErrors('catalog', {
  TB_CATALOG_INVALID_DEFINITION: { status: 422, title: 'The service definition is not valid', message: 'catalog.error.invalidDefinition' },
  TB_CATALOG_UNKNOWN_AGENCY: { status: 422, title: 'The service names an agency that does not exist', message: 'catalog.error.unknownAgency' },
  TB_CATALOG_SLUG_TAKEN: { status: 409, title: 'Another service already uses this slug', message: 'catalog.error.slugTaken' },
  TB_CATALOG_SERVICE_NOT_FOUND: { status: 404, title: 'No such service', message: 'catalog.error.serviceNotFound' },
  TB_CATALOG_VERSION_NOT_FOUND: { status: 404, title: 'No such version of the service', message: 'catalog.error.versionNotFound' },
});
