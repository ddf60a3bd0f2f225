import type { FastifyInstance } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { registerConsentRoutes } from './routes.js';
import { GOVSTACK_PREFIX, registerGovstackRoutes } from './routes-govstack.js';
import { registerConsentPages } from './routes-pages.js';
import type { ConsentService } from './service.js';

/** The person's consent page, the agreement pages and API, and the GovStack Consent API. */
export async function consentPlugin(app: FastifyInstance, deps: { kernel: Kernel; consent: ConsentService }): Promise<void> {
  registerConsentRoutes(app, deps.consent, deps.kernel);
  registerConsentPages(app, deps.consent, deps.kernel.now);
  await app.register(async (scope) => {
    registerGovstackRoutes(scope, deps);
    return Promise.resolve();
  }, { prefix: GOVSTACK_PREFIX });
}
