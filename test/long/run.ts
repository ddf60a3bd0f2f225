/**
 * `npm run test:long` (issue 9): the full-size runs (10,000 generated requests per fuzzing route
 * family, the full tamper mutations) with the databases as separate processes side by side,
 * instead of one after the other inside each test file's process. Each database gets its own
 * vitest (TONGBAN_TEST_DATABASES=<kind>, read by test/helpers/databases.ts), optionally split
 * into `--shards N` vitest processes: by file (vitest's own `--shard`), except the fuzzing files,
 * which every process runs with its own app and seed for a share of their route families
 * (TONGBAN_FUZZ_SHARD=i/N, test/helpers/scale.ts), so the API fuzzing, one file, is split too and
 * a machine with more cores finishes sooner. Nothing is counted down: every family still gets its
 * full count in one of the shards; the run is only spread out. Arguments after `--` go to every
 * vitest (e.g. a file filter).
 *
 * Run: `npm run test:long [-- --databases pglite,postgres] [--shards 2] [-- <vitest args>]`.
 * Exits non-zero if any process fails; each process's output goes to the terminal with its
 * database (and shard) as a prefix.
 */
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { createInterface } from 'node:readline';
import { longRunOptions, longRunProcesses } from '../helpers/long-options.js';

function runOne(label: string, env: NodeJS.ProcessEnv, args: readonly string[]): Promise<number> {
  const child = spawn(process.execPath, ['node_modules/vitest/vitest.mjs', 'run', ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => { process.stdout.write(`[${label}] ${line}\n`); });
  }
  return new Promise((resolve) => { child.on('close', (code) => { resolve(code ?? 1); }); });
}

async function main(): Promise<void> {
  const options = longRunOptions(process.argv.slice(2));
  const processes = options.databases.length * options.shards;
  // Each vitest runs its files in this many workers, so all of them together use the cores once.
  const workers = Math.max(1, Math.floor(availableParallelism() / processes));
  const started = Date.now();
  const runs = longRunProcesses(options, workers).map(({ label, env, args }) => runOne(label, env, args).then((code) => ({ label, code })));
  const results = await Promise.all(runs);
  const minutes = ((Date.now() - started) / 60_000).toFixed(1);
  process.stdout.write(`\n[figure] test:long: ${results.map((r) => `${r.label} ${r.code === 0 ? 'passed' : `failed (${r.code})`}`).join(', ')}; ${minutes} min wall time, ${processes} processes × ${workers} workers\n`);
  process.exitCode = results.every((r) => r.code === 0) ? 0 : 1;
}

await main();
