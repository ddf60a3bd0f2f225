import { mkdir, writeFile } from 'node:fs/promises';
import { cpus, totalmem } from 'node:os';
import { dirname } from 'node:path';
import { createBenchDatabase } from './lib/tongban.js';
import { parseBenchArgs } from './options.js';
import { formatLine, markdownTable, toResults, wallTimeLines, type Measured } from './report.js';
import type { Scenario } from './scenario.js';
import { auditScenario } from './scenarios/audit.js';
import { instancesScenario } from './scenarios/instances.js';
import { mediatorScenario } from './scenarios/mediator.js';
import { pagesScenario } from './scenarios/pages.js';
import { registriesScenario } from './scenarios/registries.js';
import { submissionsScenario } from './scenarios/submissions.js';

/**
 * Every scenario, in the order they run (issue 8 numbers in brackets). Scenario 3, registry reads
 * by key on 1,000,000 persons, belongs to the registries module: add its `Scenario` here, between
 * [2] and [4], written like bench/scenarios/mediator.ts (seed in `startPreparedTongban`'s prepare).
 */
export const scenarios: readonly Scenario[] = [
  submissionsScenario, // [1]
  mediatorScenario, // [2]
  registriesScenario, // [3]
  pagesScenario, // [4]
  auditScenario, // [5]
  instancesScenario, // Scale: two instances vs one (PostgreSQL only)
];

async function main(): Promise<void> {
  const options = parseBenchArgs(process.argv.slice(2));
  const unknown = options.only.filter((name) => !scenarios.some((s) => s.name === name));
  if (unknown.length > 0) throw new Error(`unknown scenario ${unknown.join(', ')} (known: ${scenarios.map((s) => s.name).join(', ')})`);
  const selected = scenarios.filter((s) => options.only.length === 0 || options.only.includes(s.name));
  console.log(`machine: ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown'}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`);
  console.log(`bench: ${selected.map((s) => s.name).join(', ')} on ${options.databases.join(', ')}; ${options.durationSeconds} s per run after ${options.warmupSeconds} s warm-ups, fixed rate ${options.rate} req/s, ${options.connections} connections flat out\n`);

  const figures: Measured[] = [];
  const runs: { label: string; seconds: number }[] = [];
  const started = Date.now();
  for (const scenario of selected) {
    for (const kind of options.databases) {
      const runStarted = Date.now();
      const database = await createBenchDatabase(kind, options.postgresUrl);
      try {
        await scenario.run({
          options, database,
          report: (f) => { figures.push(f); console.log(formatLine(f)); },
          note: (line) => console.log(line),
        });
      } finally {
        await database.dispose();
      }
      const seconds = (Date.now() - runStarted) / 1000;
      runs.push({ label: `${scenario.name}/${kind}`, seconds });
      console.log(`[${scenario.name}/${kind}] done in ${seconds.toFixed(0)} s (${((Date.now() - started) / 1000).toFixed(0)} s since the start)`);
    }
  }

  console.log(`\n${markdownTable(figures)}\n`);
  await mkdir(dirname(options.out), { recursive: true });
  await writeFile(options.out, `${JSON.stringify(toResults(figures), null, 2)}\n`);
  console.log(`${figures.length} figures in ${((Date.now() - started) / 1000).toFixed(0)} s, written to ${options.out}\n\nwall time per scenario and database:`);
  const lines = wallTimeLines(runs, (Date.now() - started) / 1000);
  for (const line of lines) (line.startsWith('WARNING') ? console.warn : console.log)(line);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
