import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createKernel } from '../../app.js';
import { auditMigrations } from '../../kernel/audit/index.js';
import { loadConfig } from '../../kernel/config/index.js';
import type { Kernel } from '../../kernel/context.js';
import type { MigrationSource } from '../../kernel/db/index.js';
import { secretsMigrations } from '../../kernel/secrets/index.js';
import type { TestDatabase } from '../../../test/helpers/databases.js';
import { DEMO_CATALOG_DIR, type ServiceDefinition } from './index.js';

/** What the catalog's tables need: the audit trail (and its signing secret), then the catalog. */
export const catalogSources: readonly MigrationSource[] = [
  secretsMigrations,
  auditMigrations,
  { name: 'catalog', folder: fileURLToPath(new URL('./migrations', import.meta.url)) },
];

export function testKernel(test: TestDatabase): Promise<Kernel> {
  const config = { ...loadConfig({ NODE_ENV: 'test', TONGBAN_DATA_DIR: ':memory:' }), database: test.config.database };
  return createKernel({ config, database: test.database });
}

type DeepMutable<T> = T extends readonly (infer U)[] ? DeepMutable<U>[] : T extends object ? { -readonly [K in keyof T]: DeepMutable<T[K]> } : T;

/** A definition a test may change anywhere, including into something invalid. */
export type EditableDefinition = DeepMutable<ServiceDefinition>;

/** A demo definition as parsed JSON, fresh each call so a test can change it freely. */
export function demoDefinition(file: string): EditableDefinition {
  return JSON.parse(readFileSync(`${DEMO_CATALOG_DIR}/${file}.json`, 'utf8')) as EditableDefinition;
}

/** A copy of a demo definition as a new service: another id and slug. */
export function newServiceFrom(file: string, id: string, slug: string): EditableDefinition {
  return { ...demoDefinition(file), id, slug };
}
