import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { seedConsentDemo } from './demo.js';
import { consentPlugin } from './plugin.js';
import type { ConsentService } from './service.js';

export * from './service.js';
export { ConsentErrors } from './errors.js';
export { DEMO_AGREEMENTS } from './demo.js';

/** Data agreements and consent (docs/adr/0018-consent.md). */
export const consentModule: ModuleEntry<{ consent: ConsentService }> = {
  name: 'consent',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { kernel, services }) => consentPlugin(app, { kernel, consent: services.consent }),
  seed: ({ services }) => seedConsentDemo(services.consent),
};
