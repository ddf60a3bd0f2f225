import { buildApp, createKernel, type Built } from '../app.js';
import { loadConfig, type Config } from '../kernel/config/index.js';
import type { Kernel } from '../kernel/context.js';
import { createDatabase, migrateToLatest } from '../kernel/db/index.js';
import { createServices, migrationSources, modules, type Services } from '../modules/index.js';

/** A kernel opened for one CLI command; `close()` releases the database. */
export interface CliContext {
  readonly kernel: Kernel;
  readonly services: Services;
  close(): Promise<void>;
}

export async function openCli(config: Config = loadConfig(), options: { migrate?: boolean } = {}): Promise<CliContext> {
  const database = createDatabase(config);
  if (options.migrate !== false) await migrateToLatest(database.db, migrationSources);
  const kernel = await createKernel({ config, database });
  const services = createServices(kernel);
  return { kernel, services, close: () => database.close() };
}

/** Runs every module's idempotent seed, in module order. */
export async function seedDemo(kernel: Kernel, services: Services): Promise<string[]> {
  const seeded: string[] = [];
  for (const mod of modules) {
    if (!mod.seed) continue;
    await mod.seed({ kernel, services });
    seeded.push(mod.name);
  }
  return seeded;
}

/** Migrates, optionally seeds, and builds the app ready to listen; on failure closes what it opened. */
export async function prepareServer(config: Config, options: { seed: boolean }): Promise<Built> {
  // On PostgreSQL the migrations run on their own connection without the requests' statement
  // timeout (an index on a large table may take longer); PGlite has no timeout and one connection.
  if (config.database.kind === 'postgres') {
    const migrating = createDatabase(config);
    try { await migrateToLatest(migrating.db, migrationSources); } finally { await migrating.close(); }
  }
  const database = createDatabase(config, { statementTimeouts: true });
  let built: Built | undefined;
  try {
    if (config.database.kind !== 'postgres') await migrateToLatest(database.db, migrationSources);
    built = await buildApp({ config, database });
    if (options.seed) await seedDemo(built.kernel, built.services);
    return built;
  } catch (error) {
    // A failed start releases the database (a pool would keep the process alive); the app's close
    // does that and stops its job queue.
    await (built ? built.app.close() : database.close()).catch(() => undefined);
    throw error;
  }
}
