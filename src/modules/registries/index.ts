import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { seedRegistriesDemo } from './demo.js';
import { registriesPlugin } from './plugin.js';
import type { RegistriesService } from './service.js';

export * from './service.js';
export { RegistriesErrors } from './errors.js';
export { DEMO_BUSINESS, DEMO_CITIZEN, DEMO_REGISTRIES, DEMO_VEHICLE, POPULATION } from './definitions.js';
export { syntheticPerson } from './persons.js';

/** Schema-defined registries (docs/adr/0017-registries.md). */
export const registriesModule: ModuleEntry<{ registries: RegistriesService }> = {
  name: 'registries',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { kernel, services }) => registriesPlugin(app, { kernel, registries: services.registries }),
  seed: ({ kernel, services }) => seedRegistriesDemo(kernel, services.registries),
};
