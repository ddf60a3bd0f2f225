import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { insightsPlugin } from './plugin.js';
import type { InsightsService } from './service.js';

export { createInsightsService, FOLLOW_UP_WORKING_DAYS, InsightsErrors, type InsightsService } from './service.js';

/** The insights module's entry: ratings, follow-ups, the public dashboard and its demo history. */
export const insightsModule: ModuleEntry<{ insights: InsightsService }> = {
  name: 'insights',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { services }) => insightsPlugin(app, services),
};
