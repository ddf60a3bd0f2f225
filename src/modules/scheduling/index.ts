import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { seedSchedulingDemo } from './demo.js';
import { schedulingPlugin } from './plugin.js';
import type { SchedulingService } from './service.js';

export * from './service.js';
export { DEMO_HALLS } from './demo.js';
export { SCHEDULER_BASE, SCHEDULER_SCOPES } from './routes-govstack.js';

/** Appointments at service halls, queue tickets and hall screens (docs/adr/0022-scheduling.md). */
export const schedulingModule: ModuleEntry<{ scheduling: SchedulingService }> = {
  name: 'scheduling',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { kernel, services }) => schedulingPlugin(app, { kernel, scheduling: services.scheduling }),
  seed: ({ services }) => seedSchedulingDemo(services.scheduling),
};
