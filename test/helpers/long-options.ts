/**
 * The options of `npm run test:long` (test/long/run.ts), and what its child processes inherit:
 * here because settings are read from the environment only in the config and in test/helpers.
 */
export interface LongRunOptions { readonly databases: readonly string[]; readonly shards: number; readonly vitestArgs: readonly string[] }

/** `[--databases a,b] [--shards N] [-- <vitest args>]`; the databases default to TONGBAN_TEST_DATABASES, else both. */
export function longRunOptions(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): LongRunOptions {
  const split = argv.indexOf('--');
  const own = split === -1 ? argv : argv.slice(0, split);
  const vitestArgs = split === -1 ? [] : argv.slice(split + 1);
  const value = (name: string) => { const i = own.indexOf(name); return i === -1 ? undefined : own[i + 1]; };
  const databases = (value('--databases') ?? env.TONGBAN_TEST_DATABASES ?? 'pglite,postgres').split(',').map((s) => s.trim()).filter(Boolean);
  const shards = Number(value('--shards') ?? '1');
  if (!Number.isInteger(shards) || shards < 1) throw new Error(`--shards must be a whole number of at least 1, not ${value('--shards') ?? ''}`);
  for (const kind of databases) if (kind !== 'pglite' && kind !== 'postgres') throw new Error(`unknown database ${kind} (pglite or postgres)`);
  return { databases, shards, vitestArgs };
}

/** A child vitest's environment: this one's, full size, on one database. */
export function longRunEnv(kind: string): NodeJS.ProcessEnv {
  return { ...process.env, TONGBAN_TEST_LONG: '1', TONGBAN_TEST_DATABASES: kind };
}
