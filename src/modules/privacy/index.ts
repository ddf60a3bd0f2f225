import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { privacyPlugin } from './plugin.js';
import type { PrivacyService } from './service.js';

export * from './service.js';

/** "Who used my data" (issue 5): docs/adr/0024-who-used-my-data.md. */
export const privacyModule: ModuleEntry<{ privacy: PrivacyService }> = {
  name: 'privacy',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { services }) => privacyPlugin(app, services),
};
