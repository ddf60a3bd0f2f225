import type { Command } from 'commander';
import { loadConfig } from '../kernel/config/index.js';
import { createDatabase, migrateDown, migrateToLatest, migrationStatus } from '../kernel/db/index.js';
import { migrationSources } from '../modules/index.js';

export function registerMigrateCommands(program: Command): void {
  const migrate = program.command('migrate').description('database migrations of the kernel and every module');
  const withDb = async (work: (db: ReturnType<typeof createDatabase>['db']) => Promise<void>) => {
    const database = createDatabase(loadConfig());
    try { await work(database.db); } finally { await database.close(); }
  };
  migrate.command('up', { isDefault: true }).description('apply every pending migration').action(() => withDb(async (db) => {
    const applied = await migrateToLatest(db, migrationSources);
    console.log(applied.length ? applied.map((m) => `applied ${m}`).join('\n') : 'already up to date');
  }));
  migrate.command('down').description('undo the newest migration of one history')
    .requiredOption('--module <name>', `one of: ${migrationSources.map((s) => s.name).join(', ')}`)
    .action((options: { module: string }) => withDb(async (db) => {
      const source = migrationSources.find((s) => s.name === options.module);
      if (!source) throw new Error(`Unknown migration history "${options.module}"`);
      const undone = await migrateDown(db, source);
      console.log(undone ? `undid ${source.name}/${undone}` : `nothing to undo in ${source.name}`);
    }));
  migrate.command('status').description('list migrations and whether each has run').action(() => withDb(async (db) => {
    for (const m of await migrationStatus(db, migrationSources)) {
      console.log(`${m.executedAt ? m.executedAt.toISOString() : 'pending                 '}  ${m.source}/${m.name}`);
    }
  }));
}
