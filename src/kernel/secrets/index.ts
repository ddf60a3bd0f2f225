import { fileURLToPath } from 'node:url';
import type { Generated } from 'kysely';
import type { Config } from '../config/index.js';
import type { Db, MigrationSource } from '../db/index.js';
import { TongbanError } from '../http/errors.js';
import { SecretErrors } from './errors.js';

/**
 * Generated secrets for development: a session secret or an audit signing key that nobody
 * configured is made once and kept in `tb_secret`, so every instance on the same database and
 * every restart uses the same one. Anyone who can read the database can read these, so they are
 * for development and tests only; production configures every secret (config.secrets.*), and a
 * configured secret always wins over a stored one.
 */
export const secretsMigrations: MigrationSource = {
  name: 'kernel_secrets',
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
};

// A type alias, not an interface: Kysely's table map needs an index-compatible type.
type SecretTables = {
  tb_secret: { name: string; value: string; created_at: Generated<Date> };
};

/**
 * The stored secret called `name`, generated and stored on first use. Race-safe between
 * instances: both may generate, one insert wins, and both read back the winner.
 */
export async function getOrCreateSecret(db: Db, name: string, generate: () => string): Promise<string> {
  const secrets = db.withTables<SecretTables>();
  const read = () => secrets.selectFrom('tb_secret').select('value').where('name', '=', name).executeTakeFirst();
  const existing = await read();
  if (existing) return existing.value;
  await secrets
    .insertInto('tb_secret')
    .values({ name, value: generate() })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const stored = await read();
  if (!stored) throw new Error(`Secret ${name} vanished right after it was stored`);
  return stored.value;
}

/** The stored secret `name`, or undefined; never creates one. */
export async function readSecret(db: Db, name: string): Promise<string | undefined> {
  const row = await db.withTables<SecretTables>().selectFrom('tb_secret').select('value').where('name', '=', name).executeTakeFirst();
  return row?.value;
}

/**
 * Replaces the stored secret `name` only if it still holds `expected` (compare-and-set): a value
 * another instance changed meanwhile is left alone. True when it was replaced.
 */
export async function replaceSecret(db: Db, name: string, expected: string, value: string): Promise<boolean> {
  const result = await db.withTables<SecretTables>()
    .updateTable('tb_secret').set({ value }).where('name', '=', name).where('value', '=', expected)
    .executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

type Secrets = Config['secrets'];
/** The secrets that are one value (the lists of accepted keys are not resolved one by one). */
export type SecretName = { [K in keyof Secrets]-?: Secrets[K] extends string | undefined ? K : never }[keyof Secrets];

/**
 * The secret the configuration names, or (outside production) a generated one from the store.
 * Production never falls back to the store: a missing secret there is a start-up failure.
 */
export async function resolveSecret(
  db: Db,
  config: Pick<Config, 'env' | 'secrets'>,
  name: SecretName,
  generate: () => string,
): Promise<{ value: string; source: 'config' | 'store' }> {
  const configured = config.secrets[name];
  if (configured !== undefined) return { value: configured, source: 'config' };
  if (config.env === 'production') {
    throw new TongbanError(SecretErrors.TB_SECRETS_REQUIRED, { detail: `secrets.${name} must be configured in production` });
  }
  return { value: await getOrCreateSecret(db, `config.secrets.${name}`, generate), source: 'store' };
}
