import { fileURLToPath } from 'node:url';
import pino from 'pino';
import type { TestDatabase } from '../../../../test/helpers/databases.js';
import { createKernel } from '../../../app.js';
import type { Kernel } from '../../../kernel/context.js';
import { loadConfig } from '../../../kernel/config/index.js';
import type { MigrationSource } from '../../../kernel/db/index.js';
import { kernelMigrationSources } from '../../index.js';

export const workflowMigrations: MigrationSource = { name: 'workflow', folder: fileURLToPath(new URL('../migrations', import.meta.url)) };

/** The kernel's tables and the workflow's: enough for service tests without the other modules. */
export const workflowTestSources: readonly MigrationSource[] = [...kernelMigrationSources, workflowMigrations];

/** A clock tests move by hand; it starts on a Monday morning in Shanghai. */
export function testClock(start = '2026-03-02T09:00:00+08:00') {
  let t = new Date(start).getTime();
  return {
    now: () => new Date(t),
    set: (at: Date | string) => { t = new Date(at).getTime(); },
    advanceDays: (days: number) => { t += days * 86_400_000; },
  };
}

export async function testKernel(test: TestDatabase, now: () => Date): Promise<Kernel> {
  const config = { ...loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' }), database: test.config.database };
  return createKernel({ config, database: test.database, logger: pino({ level: 'silent' }), now });
}
