import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { registerGovstackRoutes } from './routes-govstack.js';
import { registerRegistryPages } from './routes-pages.js';
import type { RegistriesService } from './service.js';

export const GOVSTACK_PREFIX = '/govstack/registries';

/** The GovStack Digital Registries Data and Database APIs, and the staff pages. */
export async function registriesPlugin(app: FastifyInstance, deps: { kernel: Kernel; registries: RegistriesService }): Promise<void> {
  await app.register(async (scope) => {
    registerGovstackRoutes(scope, deps);
    return Promise.resolve();
  }, { prefix: GOVSTACK_PREFIX });
  registerRegistryPages(app, deps.registries);
}
