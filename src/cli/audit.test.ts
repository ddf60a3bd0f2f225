import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import { sql } from 'kysely';
import { afterEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import { auditMigrations, signerFromPkcs8, type AuditRecord, type AuditTrail } from '../kernel/audit/index.js';
import { emptyTrail, event, testTrail, withTriggersOff } from '../kernel/audit/test-fixtures/trail.js';
import type { MigrationSource } from '../kernel/db/index.js';
import { secretsMigrations } from '../kernel/secrets/index.js';
import { registerAuditCommands } from './audit.js';

const messageLog: MigrationSource = { name: 'test_message_log', folder: fileURLToPath(new URL('../kernel/audit/test-fixtures/migrations', import.meta.url)) };

/** Runs `tongban audit <args>` against `trail`, capturing what it prints and its exit code. */
async function run(trail: AuditTrail, ...args: string[]) {
  const lines: string[] = [];
  const errors: string[] = [];
  let closed = 0;
  const program = new Command('tongban').exitOverride();
  registerAuditCommands(program, () => Promise.resolve({ kernel: { audit: trail }, close: () => { closed += 1; return Promise.resolve(); } }), {
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
  });
  process.exitCode = undefined;
  await program.parseAsync(['audit', ...args], { from: 'user' });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { lines, errors, exitCode, closed };
}

afterEach(() => { process.exitCode = undefined; });

describeEachDatabase('tongban audit', [secretsMigrations, auditMigrations, messageLog], (use) => {
  it('checkpoints and verifies the trail and every other chained log, and fails on tampering', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    const messages = trail.createLog({
      name: 'test.messages',
      tables: { records: 'tb_test_message', heads: 'tb_test_message_head', checkpoints: 'tb_test_message_checkpoint' },
      chains: 4,
      canonical: (row) => ({ at: row.at, digest: row.digest }),
    });
    expect(() => trail.createLog({ name: 'audit', tables: { records: 'x', heads: 'y', checkpoints: 'z' }, canonical: () => null })).toThrow(/exists/);
    for (let i = 0; i < 5; i++) {
      await trail.append(db, event({ requestId: `req-cli-${i}-abcdef` }));
      await db.transaction().execute((tx) => messages.link(tx, `call-${i}`, { at: new Date(), digest: `sha256-${i}` }));
    }

    const signed = await run(trail, 'checkpoint');
    expect(signed.lines).toEqual([
      expect.stringMatching(/^audit: checkpoint \S+ signed over \d+ chains? and 5 records/) as string,
      expect.stringMatching(/^test\.messages: checkpoint \S+ signed over \d+ chains? and 5 records/) as string,
    ]);

    const good = await run(trail, 'verify');
    expect(good).toEqual({ lines: ['audit: 5 records and 1 checkpoint verified', 'test.messages: 5 records and 1 checkpoint verified'], errors: [], exitCode: undefined, closed: 1 });

    const victim = (await sql<{ id: string; chain: number; seq: number }>`select id, chain, seq from tb_test_message order by id limit 1`.execute(db)).rows[0]!;
    await sql`alter table tb_test_message disable trigger user`.execute(db);
    await sql`update tb_test_message set digest = 'forged' where id = ${victim.id}`.execute(db);
    await sql`alter table tb_test_message enable trigger user`.execute(db);
    const bad = await run(trail, 'verify');
    expect(bad.exitCode).toBe(1);
    expect(bad.lines).toEqual(['audit: 5 records and 1 checkpoint verified']);
    expect(bad.errors).toEqual([expect.stringContaining(`test.messages: FAILED`) as string]);
    expect(bad.errors[0]).toContain(`chain ${victim.chain} seq ${victim.seq} (record ${victim.id}): record hash does not match its contents`);
  });

  it('verifies every log from a signed checkpoint once older records are archived away (--from)', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    const messages = trail.createLog({
      name: 'test.messages',
      tables: { records: 'tb_test_message', heads: 'tb_test_message_head', checkpoints: 'tb_test_message_checkpoint' },
      chains: 4,
      canonical: (row) => ({ at: row.at, digest: row.digest }),
    });
    await withTriggersOff(db, async () => {
      await sql`alter table tb_test_message disable trigger user`.execute(db);
      for (const t of ['tb_test_message', 'tb_test_message_head', 'tb_test_message_checkpoint']) await sql`delete from ${sql.table(t)}`.execute(db);
      await sql`alter table tb_test_message enable trigger user`.execute(db);
    });
    const append = async (i: number) => {
      await trail.append(db, event({ requestId: `req-from-${i}-abcdef` }));
      await db.transaction().execute((tx) => messages.link(tx, `call-${i}`, { at: new Date(), digest: `sha256-${i}` }));
    };
    for (let i = 0; i < 4; i++) await append(i);
    const signed = await run(trail, 'checkpoint');
    const auditCheckpoint = /^audit: checkpoint (\S+) /.exec(signed.lines[0] ?? '')?.[1] ?? '';
    for (let i = 4; i < 7; i++) await append(i);

    // The month before is detached: every record up to each log's checkpoint goes.
    await withTriggersOff(db, async () => {
      await sql`alter table tb_test_message disable trigger user`.execute(db);
      for (const [records, checkpoints] of [['tb_audit_record', 'tb_audit_checkpoint'], ['tb_test_message', 'tb_test_message_checkpoint']] as const) {
        await sql`delete from ${sql.table(records)} r using (select (h->>'chain')::int as chain, (h->>'seq')::bigint as seq
          from ${sql.table(checkpoints)} c, jsonb_array_elements(c.heads) h) p where p.chain = r.chain and r.seq <= p.seq`.execute(db);
      }
      await sql`alter table tb_test_message enable trigger user`.execute(db);
    });
    const plain = await run(trail, 'verify');
    expect(plain.exitCode).toBe(1);
    expect(plain.errors).toEqual([expect.stringMatching(/^audit: FAILED .*missing/) as string, expect.stringMatching(/^test\.messages: FAILED .*missing/) as string]);

    const byId = await run(trail, 'verify', '--from', auditCheckpoint);
    expect(byId).toMatchObject({ errors: [], exitCode: undefined });
    expect(byId.lines).toEqual([
      expect.stringMatching(new RegExp(`^audit: 3 records and 1 checkpoint verified from signed checkpoint ${auditCheckpoint} \\(2026-`)) as string,
      expect.stringMatching(/^test\.messages: 3 records and 1 checkpoint verified from signed checkpoint \S+ \(/) as string,
    ]);
    const byDate = await run(trail, 'verify', '--from', '2026-01-01');
    expect(byDate).toMatchObject({ errors: [], exitCode: undefined, lines: byId.lines });

    // Tampering after the checkpoint still fails, in the message log as in the trail.
    const victim = (await sql<{ id: string }>`select id from tb_test_message order by id limit 1`.execute(db)).rows[0]!;
    await sql`alter table tb_test_message disable trigger user`.execute(db);
    await sql`update tb_test_message set digest = 'forged' where id = ${victim.id}`.execute(db);
    await sql`alter table tb_test_message enable trigger user`.execute(db);
    const bad = await run(trail, 'verify', '--from', auditCheckpoint);
    expect(bad.exitCode).toBe(1);
    expect(bad.errors).toEqual([expect.stringMatching(new RegExp(`^test\\.messages: FAILED .*\\(record ${victim.id}\\): record hash does not match`)) as string]);

    for (const [args, message] of [
      [['--from', 'last tuesday'], /neither a checkpoint id nor a date/],
      [['--from', '01890000-0000-7000-8000-000000000000'], /no log has a checkpoint/],
      [['--public-key', 'short'], /--public-key: expected/],
    ] as const) {
      const refused = await run(trail, 'verify', ...args);
      expect(refused).toMatchObject({ exitCode: 2, lines: [], errors: [expect.stringMatching(message) as string] });
    }
  });

  it('makes a new signing key that signs with the public key it prints, and says how to switch (new-key)', async () => {
    const trail = await testTrail(use().database.db);
    const made = await run(trail, 'new-key');
    expect(made.exitCode).toBeUndefined();
    expect(made.closed).toBe(0);
    const [setting = '', shown = '', ...how] = made.lines;
    const key = setting.replace(/^TONGBAN_AUDIT_SIGNING_KEY=/, '');
    expect(key).not.toBe(setting);
    expect(shown).toBe(`public key: ${signerFromPkcs8(key).publicKey}`);
    expect(how.join(' ')).toContain('TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS');
    // A fresh key each time.
    expect((await run(trail, 'new-key')).lines[0]).not.toBe(setting);
  });

  it('exits non-zero when an audit record was deleted', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    const records: AuditRecord[] = [];
    for (let i = 0; i < 3; i++) records.push(await trail.append(db, event({ requestId: 'req-cli-delete' })));
    await withTriggersOff(db, async () => { await sql`delete from tb_audit_record where id = ${records[1]!.id}`.execute(db); });
    const result = await run(trail, 'verify');
    expect(result.exitCode).toBe(1);
    expect(result.errors[0]).toMatch(new RegExp(`^audit: FAILED after 1 good record: first bad entry is chain ${records[0]!.chain} seq 2: record missing`));
  });
});
