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

/** A child vitest's environment: this one's, full size, on one database (and one family shard of the fuzzing files). */
export function longRunEnv(kind: string, shard?: { index: number; count: number }, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const child: NodeJS.ProcessEnv = { ...env, TONGBAN_TEST_LONG: '1', TONGBAN_TEST_DATABASES: kind };
  // Without shards every process runs every family, whatever this process was given.
  if (shard) child.TONGBAN_FUZZ_SHARD = `${shard.index}/${shard.count}`;
  else delete child.TONGBAN_FUZZ_SHARD;
  return child;
}

/**
 * The fuzzing files that split their route families between shards (TONGBAN_FUZZ_SHARD, read in
 * scale.ts) rather than going whole to one: test/long/sequencer.ts gives them to every shard.
 */
export const FAMILY_SHARDED_FILES: readonly string[] = ['test/security/fuzz.test.ts', 'test/security/form-fuzz.test.ts', 'test/security/govstack-upload-fuzz.test.ts'];

export interface LongRunProcess { readonly label: string; readonly env: NodeJS.ProcessEnv; readonly args: readonly string[] }

/**
 * The vitest processes of a run: per database one, or with `--shards N` N of them, the i-th
 * running the i-th of N file shards (vitest's `--shard`) and, of the family-sharded fuzzing files
 * (which every shard gets, through test/long/vitest.config.ts), the i-th of N family shards.
 * `--passWithNoTests` because a file filter may leave a shard without files of its own.
 */
export function longRunProcesses(options: LongRunOptions, workers: number, env: NodeJS.ProcessEnv = process.env): LongRunProcess[] {
  const { databases, shards, vitestArgs } = options;
  return databases.flatMap((kind) => Array.from({ length: shards }, (_, i) => {
    if (shards === 1) return { label: kind, env: longRunEnv(kind, undefined, env), args: [`--maxWorkers=${workers}`, ...vitestArgs] };
    const shard = { index: i + 1, count: shards };
    return {
      label: `${kind} ${shard.index}/${shards}`,
      env: longRunEnv(kind, shard, env),
      args: ['--config=test/long/vitest.config.ts', `--maxWorkers=${workers}`, `--shard=${shard.index}/${shards}`, '--passWithNoTests', ...vitestArgs],
    };
  }));
}
