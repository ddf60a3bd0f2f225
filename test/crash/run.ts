/**
 * The crash test (issue 9, "Nothing lost"; docs/adr/0025-crash-safety.md): `tongban serve` in a
 * child process takes complete application submissions from several clients, is killed with
 * SIGKILL at a random moment, and is restarted on the same database; once all trials are done,
 * every submission it acknowledged (2xx with its fileId) must be in the database, submitted, and
 * `tongban audit verify` must pass. Run: `npm run test:crash -- --trials 20 --databases pglite,postgres`.
 */
import { randomInt } from 'node:crypto';
import { sql } from 'kysely';
import { createBenchDatabase, startPreparedTongban, accessToken, type BenchDatabase } from '../../bench/lib/tongban.js';
import { startTongban } from '../../bench/lib/processes.js';
import { openCli } from '../../src/cli/context.js';
import { seedDemoClient } from '../../src/kernel/auth/machine/index.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { crashOptions, type CrashDatabaseKind, type CrashOptions } from '../helpers/crash-options.js';
import { runTongban } from '../helpers/cli.js';
import { DESK, SCOPES, submitUntilKilled } from './trial.js';

/** The kill comes between these many milliseconds after the load starts (a fresh process answers its first submissions slowly). */
const KILL_WINDOW_MS = [500, 5000] as const;

interface CrashFigure {
  readonly kind: CrashDatabaseKind;
  readonly trials: number;
  readonly acknowledged: number;
  readonly found: number;
  readonly lost: readonly string[];
  readonly unknown: number;
  readonly auditOk: boolean;
}

async function submittedIds(env: Readonly<Record<string, string>>, ids: readonly string[]): Promise<Set<string>> {
  const cli = await openCli(loadConfig(env), { migrate: false });
  try {
    const found = new Set<string>();
    // In slices: a single `in` list of thousands of parameters is needlessly large.
    for (let i = 0; i < ids.length; i += 500) {
      const slice = ids.slice(i, i + 500);
      const rows = await sql<{ id: string }>`select id from applications where status = 'submitted' and reference is not null and id in (${sql.join(slice)})`.execute(cli.kernel.db);
      for (const row of rows.rows) found.add(row.id);
    }
    return found;
  } finally {
    await cli.close();
  }
}

async function crashDatabase(kind: CrashDatabaseKind, options: CrashOptions): Promise<CrashFigure> {
  const database: BenchDatabase = await createBenchDatabase(kind, options.postgresUrl);
  try {
    const first = await startPreparedTongban(database, (cli) => seedDemoClient(cli.kernel.db, { clientId: DESK.clientId, name: 'Front desk (crash test)', organisation: DESK.organisation, scopes: SCOPES }));
    const { env } = first;
    const port = Number(env.PORT);
    let server = first.server;
    const acknowledged: string[] = [];
    let unknown = 0;
    let person = 0;
    for (let trial = 1; trial <= options.trials; trial += 1) {
      const token = await accessToken(server.url, { clientId: DESK.clientId, privateJwk: first.prepared.privateJwk }, SCOPES);
      const killAfterMs = randomInt(KILL_WINDOW_MS[0], KILL_WINDOW_MS[1]);
      const pid = server.pid;
      const outcome = await submitUntilKilled({
        baseUrl: server.url, token, clients: options.clients, killAfterMs,
        nextPerson: () => person++,
        kill: () => process.kill(pid, 'SIGKILL'),
      });
      await server.stop(); // waits for the killed process's exit
      if (outcome.refused.length > 0) throw new Error(`trial ${trial}: submissions refused before the kill:\n${outcome.refused.slice(0, 5).join('\n')}`);
      acknowledged.push(...outcome.acknowledged);
      unknown += outcome.unknown;
      console.log(`  [${kind}] trial ${trial}: killed after ${killAfterMs} ms, ${outcome.acknowledged.length} acknowledged, ${outcome.unknown} cut`);
      // The restart on the same database is part of the proof: it must come up (recover) and serve.
      server = await startTongban({ port, env });
    }
    await server.stop();
    const found = await submittedIds(env, acknowledged);
    const lost = acknowledged.filter((id) => !found.has(id));
    const audit = await runTongban(env, 'audit', 'verify').then((r) => ({ ok: true, out: r.stdout }), (error: { stdout?: string; stderr?: string }) => ({ ok: false, out: `${error.stdout ?? ''}${error.stderr ?? ''}` }));
    console.log(audit.out.trim().split('\n').map((line) => `  [${kind}] ${line}`).join('\n'));
    return { kind, trials: options.trials, acknowledged: acknowledged.length, found: found.size, lost, unknown, auditOk: audit.ok };
  } finally {
    await database.dispose();
  }
}

async function main(): Promise<void> {
  const options = crashOptions(process.argv.slice(2));
  let failed = false;
  for (const kind of options.databases) {
    const figure = await crashDatabase(kind, options);
    console.log(`crash test [${kind}]: ${figure.trials} trials, ${figure.acknowledged} acknowledged, ${figure.found} found, ${figure.lost.length} lost (${figure.unknown} requests cut by the kill); audit chain ${figure.auditOk ? 'verified' : 'FAILED'}`);
    if (figure.lost.length > 0) console.error(`  lost: ${figure.lost.slice(0, 20).join(', ')}`);
    // Nothing acknowledged proves nothing: the load must have reached the server before the kills.
    if (figure.acknowledged === 0) console.error(`  [${kind}] no submission was acknowledged: the test proved nothing`);
    if (figure.lost.length > 0 || !figure.auditOk || figure.acknowledged === 0) failed = true;
  }
  process.exitCode = failed ? 1 : 0;
}

await main();
