import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildServer } from '../../bench/lib/processes.js';
import { submission, SERVICE } from '../../bench/scenarios/submissions.js';
import { accessToken, createBenchDatabase, startPreparedTongban, type BenchDatabase } from '../../bench/lib/tongban.js';
import { readDatabaseState, type DatabaseState } from '../../src/cli/backup.js';
import { seedDemoClient, type DemoClient } from '../../src/kernel/auth/machine/index.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { mediatedRequest, MEDIATED_CLIENT_ID, MEDIATED_SCOPES, prepareMediated, startProvider } from '../crash/mediated.js';
import { DESK, SCOPES } from '../crash/trial.js';
import { runTongban } from '../helpers/cli.js';
import { postgresAdminUrl, testDatabaseKinds } from '../helpers/databases.js';

const SUBMISSIONS = 4;
const MEDIATED_CALLS = 6;

/** What a refused CLI run printed, or a failure if it was not refused. */
async function refused(run: Promise<{ stdout: string; stderr: string }>): Promise<{ code: number; stderr: string }> {
  return run.then(
    (r) => { throw new Error(`expected a refusal, got exit 0:\n${r.stdout}`); },
    (error: { code?: number; stderr?: string }) => ({ code: error.code ?? -1, stderr: error.stderr ?? '' }),
  );
}

/**
 * Backup and restore (issue 9, ADR 0032) through the real command line: the demo data, some
 * submitted applications and mediated exchanges; `tongban backup`, `tongban restore` into a fresh
 * database; every table's row count is the same, and `tongban audit verify` passes on the restore
 * (the audit trail and the mediator's message log, with their signed checkpoints). A changed or
 * cut backup file, and a target that is not empty, are refused with a clear error.
 */
for (const kind of testDatabaseKinds) {
  describe(`tongban backup and restore [${kind}]`, () => {
    const databases: BenchDatabase[] = [];
    let dir = '';
    let env: Readonly<Record<string, string>> = {};
    let original: DatabaseState;
    let provider: ChildServer | undefined;
    const file = () => join(dir, 'tongban.backup');
    const fresh = async () => {
      const database = await createBenchDatabase(kind, postgresAdminUrl);
      databases.push(database);
      // The same settings (signing key above all), another database.
      return { ...env, ...database.env };
    };

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'tongban-backup-'));
      const source = await createBenchDatabase(kind, postgresAdminUrl);
      databases.push(source);
      provider = await startProvider();
      const providerUrl = provider.url;
      const tongban = await startPreparedTongban(source, async (cli): Promise<{ desk: DemoClient; cab: DemoClient }> => ({
        desk: await seedDemoClient(cli.kernel.db, { clientId: DESK.clientId, name: 'Front desk (backup test)', organisation: DESK.organisation, scopes: SCOPES }),
        cab: await prepareMediated(cli, providerUrl),
      }));
      env = tongban.env;
      try {
        const base = tongban.server.url;
        const deskToken = await accessToken(base, { clientId: DESK.clientId, privateJwk: tongban.prepared.desk.privateJwk }, SCOPES);
        for (let n = 0; n < SUBMISSIONS; n += 1) {
          const response = await fetch(`${base}/govstack/registration/services/${SERVICE}/applications`, {
            method: 'POST',
            headers: { authorization: `Bearer ${deskToken}`, 'information-mediator-client': DESK.organisation, 'content-type': 'application/json', accept: 'application/json' },
            body: submission(700_000 + n),
          });
          expect(response.status, await response.text()).toBeLessThan(300);
        }
        const cabToken = await accessToken(base, { clientId: MEDIATED_CLIENT_ID, privateJwk: tongban.prepared.cab.privateJwk }, MEDIATED_SCOPES);
        for (let n = 0; n < MEDIATED_CALLS; n += 1) {
          const { url, headers } = mediatedRequest(base, cabToken);
          const response = await fetch(url, { headers });
          expect(response.status, await response.text()).toBe(200);
        }
      } finally {
        await tongban.server.stop();
      }
      original = await readDatabaseState(loadConfig(env));
    }, 900_000);

    afterAll(async () => {
      await provider?.stop();
      for (const database of databases) await database.dispose();
      await rm(dir, { recursive: true, force: true });
    });

    it('backs up and restores into a fresh database with every row count equal, and the audit chains verify', async () => {
      expect(original.tables.applications).toBeGreaterThanOrEqual(SUBMISSIONS);
      expect(original.tables.mediator_message_log).toBeGreaterThanOrEqual(MEDIATED_CALLS);
      expect(original.tables.tb_audit_record).toBeGreaterThan(0);

      const made = await runTongban(env, 'backup', file());
      expect(made.stdout).toMatch(new RegExp(`^backup .*: ${kind} \\((pg_dump-custom|pglite-datadir-tgz), \\d+ bytes\\), \\d+ tables, \\d+ rows`, 'm'));

      const target = await fresh();
      const restored = await runTongban(target, 'restore', file());
      expect(restored.stdout).toMatch(/every table's row count matches the backup/);

      const after = await readDatabaseState(loadConfig(target));
      expect(Object.keys(after.tables).length).toBeGreaterThan(50);
      expect(after.tables).toEqual(original.tables);
      expect(after.migrations).toEqual(original.migrations);

      const verified = await runTongban(target, 'audit', 'verify');
      expect(verified.stdout).toMatch(/^audit: \d+ records? and \d+ checkpoints? verified$/m);
      expect(verified.stdout).toMatch(/^mediator[^:]*: \d+ records? and \d+ checkpoints? verified$/m);
      expect(verified.stderr).not.toMatch(/FAILED/);
    }, 900_000);

    it('refuses a changed or cut backup file before touching the target', async () => {
      const bytes = await readFile(file());
      const target = await fresh();

      const changed = Buffer.from(bytes);
      const at = bytes.length - Math.floor(bytes.length / 3);
      changed[at] = (changed[at] ?? 0) ^ 0xff;
      await writeFile(join(dir, 'changed.backup'), changed);
      const afterChange = await refused(runTongban(target, 'restore', join(dir, 'changed.backup')));
      expect(afterChange.code).toBe(1);
      expect(afterChange.stderr).toMatch(/^error: .*changed\.backup has been changed: the database dump does not match the SHA-256 in its manifest$/m);

      await writeFile(join(dir, 'cut.backup'), bytes.subarray(0, bytes.length - 4096));
      const afterCut = await refused(runTongban(target, 'restore', join(dir, 'cut.backup')));
      expect(afterCut.stderr).toMatch(/^error: .*cut\.backup is cut short: the database dump has \d+ of its \d+ bytes$/m);

      const manifestEdited = Buffer.from(bytes.toString('latin1').replace(/"applications":(\d+)/, (_, n: string) => `"applications":${Number(n) + 1}`), 'latin1');
      await writeFile(join(dir, 'manifest.backup'), manifestEdited);
      const afterEdit = await refused(runTongban(target, 'restore', join(dir, 'manifest.backup')));
      expect(afterEdit.stderr).toMatch(/manifest\.backup has been changed: its manifest does not match the manifest's SHA-256/);

      await writeFile(join(dir, 'other.backup'), 'PGDMP and something else entirely\n');
      const notOurs = await refused(runTongban(target, 'restore', join(dir, 'other.backup')));
      expect(notOurs.stderr).toMatch(/other\.backup is not a Tongban backup/);

      // Nothing was written: the target is still empty, and a good file restores into it.
      const restored = await runTongban(target, 'restore', file());
      expect(restored.stdout).toMatch(/every table's row count matches the backup/);
    }, 900_000);

    it('refuses to restore over a database that holds data, and never overwrites a backup file', async () => {
      const overLive = await refused(runTongban(env, 'restore', file()));
      expect(overLive.stderr).toMatch(kind === 'postgres' ? /the database at DATABASE_URL is not empty \(\d+ tables\)/ : /is not empty: restore only into an empty or new folder/);
      const again = await refused(runTongban(env, 'backup', file()));
      expect(again.stderr).toMatch(/exists already: a backup never overwrites a file/);
      expect(await readDatabaseState(loadConfig(env))).toEqual(original);
    }, 600_000);
  });
}
