import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { seedMediatorDemo } from './demo.js';
import { mediatorPlugin } from './plugin.js';
import type { MediatorService } from './service.js';

export * from './service.js';
export { MediatorErrors } from './errors.js';
export { DEMO as MEDIATOR_DEMO } from './demo.js';
export { closeSystemsListener, listenForSystems } from './systems-listener.js';

/** The information mediator's entry (docs/adr/0015-information-mediator.md). */
export const mediatorModule: ModuleEntry<{ mediator: MediatorService }> = {
  name: 'mediator',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { kernel, services }) => mediatorPlugin(app, { mediator: services.mediator, demoProviders: kernel.config.env !== 'production', now: kernel.now, kernel }),
  seed: ({ kernel, services }) => seedMediatorDemo(kernel, services.mediator),
};
