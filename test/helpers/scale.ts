/**
 * How big the long-running suites (tamper mutations, crash trials, fuzzing) are: small inside
 * `npm test`, full with `npm run test:long` (TONGBAN_TEST_LONG=1). Every such suite prints the
 * figure it reached, so a run says what it proved.
 */
export const longRun = process.env.TONGBAN_TEST_LONG === '1';

/** Runs per fuzzing family for a measurement (TONGBAN_FUZZ_RUNS); neither `npm test` nor `test:long` sets it. */
export const fuzzRunsOverride: number | undefined = Number(process.env.TONGBAN_FUZZ_RUNS) || undefined;

/**
 * A fixed fast-check seed for a measurement (TONGBAN_FUZZ_SEED, a whole number): the same generated
 * requests run after run, so a cost before and after a change compares like with like. Unset: a
 * fresh seed each run, as `npm test` and `test:long` have it.
 */
export const fuzzSeed: number | undefined = parseFuzzSeed(process.env.TONGBAN_FUZZ_SEED);

export function parseFuzzSeed(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const seed = Number(value);
  if (!Number.isSafeInteger(seed)) throw new Error(`TONGBAN_FUZZ_SEED must be a whole number, not ${value}`);
  return seed;
}

export function scaled(small: number, full: number): number {
  return longRun ? full : small;
}

/** Prints a suite's figure on its own line, so it shows in CI's output whatever the reporter. */
export function reportFigure(line: string): void {
  process.stdout.write(`\n[figure] ${line}\n`);
}

/**
 * Which of the fuzzing families this process runs (TONGBAN_FUZZ_SHARD=i/N, set by `test:long
 * --shards N`): the fuzzing files (FAMILY_SHARDED_FILES in long-options.ts) run in every shard,
 * each with its own app and seed, and split their families between the shards. Unset: all of them.
 */
export interface FuzzShard { readonly index: number; readonly count: number }

/** `i/N` with 1 ≤ i ≤ N, as vitest's `--shard`; unset or empty: the one shard of all families. */
export function parseFuzzShard(value: string | undefined): FuzzShard {
  if (value === undefined || value.trim() === '') return { index: 1, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(value.trim());
  const index = Number(m?.[1]);
  const count = Number(m?.[2]);
  if (!m || count < 1 || index < 1 || index > count) throw new Error(`TONGBAN_FUZZ_SHARD must be i/N with 1 ≤ i ≤ N, not ${value}`);
  return { index, count };
}

export const fuzzShard: FuzzShard = parseFuzzShard(process.env.TONGBAN_FUZZ_SHARD);

/**
 * A shard's families: in the order of their names (code-unit order, the same on every machine),
 * those whose place modulo N is i − 1. Every family is in exactly one shard and gets its full count
 * there; the shards' sizes differ by at most one.
 */
export function familiesOf<T>(families: Iterable<T>, name: (family: T) => string, shard: FuzzShard = fuzzShard): T[] {
  return [...families]
    .map((family) => ({ family, key: name(family) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .filter((_, place) => place % shard.count === shard.index - 1)
    .map(({ family }) => family);
}

/** For a figure line: which shard ran and how many of the families. */
export function shardNote(ran: number, all: number, shard: FuzzShard = fuzzShard): string {
  return `family shard ${shard.index}/${shard.count}: ${ran} of ${all} families`;
}
