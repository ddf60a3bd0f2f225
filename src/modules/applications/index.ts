import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { applicationsPlugin } from './plugin.js';
import type { ApplicationsService } from './service.js';

export * from './service.js';
export { createStaffRenderer, StaffApplication, CASE_HANDLING_PURPOSE } from './pages-staff.js';

/** The applications module's entry: drafts, files, submission, status, the counter channel and the home page. */
export const applicationsModule: ModuleEntry<{ applications: ApplicationsService }> = {
  name: 'applications',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { services }) => applicationsPlugin(app, services),
};
