import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { identityPlugin } from './plugin.js';
import { seedIdentity } from './seed.js';
import type { IdentityService } from './service.js';

export { createIdentityService, type Account, type IdentityService, type NewAccount } from './service.js';
export { DEMO_PERSONAS, DEMO_AGENCIES, demoPersona, type DemoPersona } from './demo-personas.js';
export { isValidResidentId, isValidUscc } from './validators.js';
export { API_CLIENTS_PATH, changeClientHref, editClientHref } from './pages-api-clients.js';

/** The identity module's entry: accounts, personas, staff roles per agency. */
export const identityModule: ModuleEntry<{ identity: IdentityService }> = {
  name: 'identity',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { kernel, services }) => identityPlugin(app, kernel, services),
  seed: ({ kernel, services }) => seedIdentity(kernel, services.identity),
};
