import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import { insightsPlugin } from './plugin.js';
import { seedInsights } from './seed.js';
import type { InsightsService } from './service.js';

export { createInsightsService, FOLLOW_UP_WORKING_DAYS, InsightsErrors, type InsightsService } from './service.js';

/** The insights module's entry: ratings, follow-ups, the public dashboard and its demo history. */
export const insightsModule: ModuleEntry<{ insights: InsightsService; identity: IdentityService; catalog: CatalogService }> = {
  name: 'insights',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { services }) => insightsPlugin(app, services),
  seed: async ({ kernel, services }) => { await seedInsights(kernel, services); },
};
