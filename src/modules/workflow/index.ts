import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import { workflowPlugin, type ApplicationRenderer } from './plugin.js';
import type { WorkflowService } from './service.js';

export * from './service.js';
export type { ApplicationRenderer } from './plugin.js';

export interface WorkflowModuleServices {
  readonly workflow: WorkflowService;
  readonly catalog: CatalogService;
  readonly identity: IdentityService;
}

/**
 * The workflow module's entry. `renderApplication` picks, from the built services, what shows an
 * application on the case page; the applications module provides it once it exists.
 */
export function createWorkflowModule<S extends WorkflowModuleServices>(options: { renderApplication?: (services: S) => ApplicationRenderer } = {}): ModuleEntry<S> {
  return {
    name: 'workflow',
    migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
    plugin: (app, { kernel, services }) => workflowPlugin(app, {
      workflow: services.workflow, catalog: services.catalog, identity: services.identity, now: kernel.now, kernel,
      renderApplication: options.renderApplication?.(services),
    }),
  };
}

export const workflowModule: ModuleEntry<WorkflowModuleServices> = createWorkflowModule();
