import { fileURLToPath } from 'node:url';
import type { ModuleEntry } from '../../kernel/module.js';
import { catalogPlugin } from './plugin.js';
import { loadDefinitionFolder, type CatalogService } from './service.js';

export * from './service.js';

/** The demo agencies and services, imported by the seed; `tongban import demo/catalog` does the same. */
export const DEMO_CATALOG_DIR = fileURLToPath(new URL('../../../demo/catalog', import.meta.url));

/** Imports the demo catalog; running it again changes nothing. */
export async function seedCatalog(catalog: CatalogService): Promise<void> {
  const { bundle, problems } = await loadDefinitionFolder(DEMO_CATALOG_DIR);
  const report = problems.length > 0 ? { ok: false as const, problems } : await catalog.importBundle(bundle, { kind: 'system', id: 'seed' });
  if (!report.ok) {
    throw new Error(`The demo catalog is not valid:\n${report.problems.map((p) => `${p.file}${p.pointer ? `#${p.pointer}` : ''}: ${p.detail}`).join('\n')}`);
  }
}

/** The catalog module's entry: agencies, services and their versioned definitions. */
export const catalogModule: ModuleEntry<{ catalog: CatalogService }> = {
  name: 'catalog',
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  plugin: (app, { services }) => catalogPlugin(app, services),
  seed: ({ services }) => seedCatalog(services.catalog),
};
