import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import type { ModuleEntry } from '../../kernel/module.js';
import type { ApplicationsService } from '../applications/service.js';
import type { CatalogService } from '../catalog/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { registerCatalogRoutes } from './routes.js';
import { registerApplicationRoutes } from './routes-applications.js';
import { registerDocumentRoutes } from './routes-documents.js';
import { registerStatisticsRoutes } from './routes-statistics.js';
import { registerTaskRoutes } from './routes-tasks.js';

export const PREFIX = '/govstack/registration';

export interface RegistrationServices {
  readonly catalog: CatalogService;
  readonly applications: ApplicationsService;
  readonly workflow: WorkflowService;
}

/** The GovStack Registration BB API over the catalog, applications and workflow (docs/adr/0014). */
export async function govstackRegistrationPlugin(app: FastifyInstance, context: { kernel: Kernel; services: RegistrationServices }): Promise<void> {
  const { kernel, services } = context;
  await app.register(async (scope) => {
    registerCatalogRoutes(scope, { catalog: services.catalog, publicUrl: kernel.config.publicUrl });
    const deps = { kernel, catalog: services.catalog, applications: services.applications, workflow: services.workflow };
    registerApplicationRoutes(scope, deps);
    registerTaskRoutes(scope, deps);
    registerStatisticsRoutes(scope, deps);
    registerDocumentRoutes(scope, deps);
    return Promise.resolve();
  }, { prefix: PREFIX });
}

/** No tables, no seed: it only translates between the spec and other modules' services. */
export const govstackRegistrationModule: ModuleEntry<RegistrationServices> = {
  name: 'govstack-registration',
  plugin: govstackRegistrationPlugin,
};
