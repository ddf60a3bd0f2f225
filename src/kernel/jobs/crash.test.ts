import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKinds } from '../../../test/helpers/databases.js';
import type { Config } from '../config/index.js';
import { createDatabase } from '../db/index.js';
import { createJobQueue } from './index.js';

const worker = fileURLToPath(new URL('./test-fixtures/crash-worker.ts', import.meta.url));

/** Starts the worker process and kills it (SIGKILL: no clean-up at all) once its handler runs. */
async function runAndKill(config: Pick<Config, 'database'>, queue: string): Promise<void> {
  const child = spawn(process.execPath, ['--import', 'tsx', worker, JSON.stringify(config), queue], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => { if (chunk.toString().includes('running')) resolve(); });
    child.on('exit', (code) => reject(new Error(`worker exited early (${code}): ${stderr}`)));
  });
  child.kill('SIGKILL');
  await exited;
}

// The durability promise, with a real crash: the process dies mid-job and a new one finishes it.
describe('job queue across a crash', () => {
  for (const kind of testDatabaseKinds) {
    it(`runs a committed job again after its worker was killed, and never a rolled-back one [${kind}]`, async () => {
      const dir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'tb-jobs-')) : undefined;
      const server = kind === 'postgres' ? await createTestDatabase('postgres') : undefined;
      const config: Pick<Config, 'database'> = server?.config ?? { database: { kind: 'pglite', dataDir: dir! } };
      try {
        // The worker migrates; PGlite has no folder lock, so the folder is opened here only after it died.
        await runAndKill(config, 'crash');

        const database = server?.database ?? createDatabase(config);
        const later = new Date(Date.now() + 60_000);
        const jobs = createJobQueue({ db: database.db, log: pino({ level: 'silent' }), now: () => later, pollMs: 1_000 });
        const runs: { payload: unknown; attempt: number }[] = [];
        jobs.register('crash', (payload, context) => { runs.push({ payload, attempt: context.attempt }); });
        expect(await jobs.drain()).toBe(1);
        expect(runs).toEqual([{ payload: { from: 'committed' }, attempt: 2 }]);
        expect(await jobs.stats()).toEqual([{ queue: 'crash', state: 'done', count: 1 }]);
        if (!server) await database.close();
      } finally {
        await server?.dispose();
        if (dir) await rm(dir, { recursive: true, force: true });
      }
    }, 120_000);
  }
});
