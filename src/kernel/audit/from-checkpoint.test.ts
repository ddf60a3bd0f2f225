import { sql } from 'kysely';
import { beforeEach, expect, it } from 'vitest';
import { createTestDatabase, describeEachDatabase } from '../../../test/helpers/databases.js';
import { migrateToLatest } from '../db/index.js';
import type { Db } from '../db/index.js';
import { secretsMigrations } from '../secrets/index.js';
import { auditMigrations, AUDIT_CHAINS, AUDIT_LOG, chainFor, generateSigningKey, recordHash, signerFromPkcs8, type ChainRow } from './index.js';
import { emptyTrail, event, testTrail, withTriggersOff } from './test-fixtures/trail.js';
import type { AuditRecord, AuditTrail, CheckpointInfo, VerifyOptions } from './types.js';

/**
 * Verification anchored at a signed checkpoint (ADR 35): what a detached, archived partition
 * leaves behind must verify from the checkpoint that closes it, and tampering on either side of
 * that checkpoint must still be found.
 */
interface Seeded { trail: AuditTrail; main: AuditRecord[]; chain: number; closing: CheckpointInfo }

async function seed(db: Db): Promise<Seeded> {
  await emptyTrail(db);
  const trail = await testTrail(db);
  const main: AuditRecord[] = [];
  const others = Array.from({ length: 12 }, (_, i) => `req-other-${i}-xxxxx`);
  for (let i = 1; i <= 4; i++) main.push(await trail.append(db, event({ requestId: 'req-anchor-main', details: { step: i } })));
  const chain = main[0]!.chain;
  const elsewhere = others.filter((k) => chainFor(k, AUDIT_CHAINS) !== chain);
  for (const requestId of elsewhere.slice(0, 3)) await trail.append(db, event({ requestId }));
  await trail.checkpoint();
  for (const requestId of elsewhere.slice(0, 3)) await trail.append(db, event({ requestId }));
  const closing = await trail.checkpoint();
  for (let i = 5; i <= 7; i++) main.push(await trail.append(db, event({ requestId: 'req-anchor-main', details: { step: i } })));
  for (const requestId of elsewhere.slice(3, 6)) await trail.append(db, event({ requestId }));
  expect((await trail.verify()).ok).toBe(true);
  return { trail, main, chain, closing };
}

/**
 * What detaching a partition does to the table: every record of every chain up to the
 * checkpoint's head is gone, except the last `keep` of each (they fell in the next month).
 */
async function detachUpTo(db: Db, checkpoint: string, keep = 0): Promise<number> {
  let deleted = 0;
  await withTriggersOff(db, async () => {
    const r = await sql`delete from tb_audit_record r
      using (select (h->>'chain')::int as chain, (h->>'seq')::bigint as seq from tb_audit_checkpoint c, jsonb_array_elements(c.heads) h where c.id = ${checkpoint}) p
      where p.chain = r.chain and r.seq <= p.seq - ${keep}`.execute(db);
    deleted = Number(r.numAffectedRows ?? 0);
  });
  return deleted;
}

async function rowAt(db: Db, chain: number, seq: number): Promise<ChainRow> {
  const row = (await sql<ChainRow>`select * from tb_audit_record where chain = ${chain} and seq = ${seq}`.execute(db)).rows[0];
  if (!row) throw new Error(`no record at ${chain}/${seq}`);
  return row;
}

describeEachDatabase('audit verification from a signed checkpoint', [secretsMigrations, auditMigrations], (use) => {
  let db: Db;
  let s: Seeded;
  beforeEach(async () => {
    db = use().database.db;
    s = await seed(db);
  });
  const firstBad = async (options: VerifyOptions) => {
    const result = await s.trail.verify(options);
    if (result.ok) throw new Error('tampering went unnoticed');
    return result.firstBad;
  };
  const fromClosing = (): VerifyOptions => ({ from: { checkpoint: s.closing.id } });

  it('verifies what is left after the records up to a checkpoint were detached, only from that checkpoint', async () => {
    const total = (await sql<{ n: number }>`select count(*)::int as n from tb_audit_record`.execute(db)).rows[0]!.n;
    const deleted = await detachUpTo(db, s.closing.id);
    expect(deleted).toBe(total - 6);
    expect(await s.trail.verify()).toMatchObject({ ok: false, firstBad: { reason: expect.stringMatching(/record missing|records missing/) as string } });

    expect(await s.trail.verify(fromClosing())).toEqual({ ok: true, records: 6, checkpoints: 2, from: { id: s.closing.id, at: s.closing.at } });
    // A time picks the first checkpoint at or after it: the closing one, not the one before.
    expect(await s.trail.verify({ from: { at: new Date(s.closing.at.getTime() - 1) } })).toMatchObject({ ok: true, records: 6, from: { id: s.closing.id } });
    // After the last checkpoint there is none to start at: from the first record, which is gone.
    expect((await s.trail.verify({ from: { at: new Date(s.closing.at.getTime() + 60_000) } })).ok).toBe(false);
  });

  it('checks the records up to the checkpoint that are still there against it', async () => {
    await detachUpTo(db, s.closing.id, 1);
    const result = await s.trail.verify(fromClosing());
    expect(result).toMatchObject({ ok: true, from: { id: s.closing.id } });
    expect(result.records).toBeGreaterThan(6);

    // Changed below the checkpoint: its hash is wrong.
    await withTriggersOff(db, async () => { await sql`update tb_audit_record set purpose = 'curiosity' where id = ${s.main[3]!.id}`.execute(db); });
    expect(await firstBad(fromClosing())).toEqual({ chain: s.chain, seq: 4, id: s.main[3]!.id, reason: expect.stringMatching(/hash does not match/) as string });

    // ...and with its hash recomputed by someone who knows how: the checkpoint disagrees.
    const row = await rowAt(db, s.chain, 4);
    const { hash: _old, ...unsigned } = row;
    await withTriggersOff(db, async () => { await sql`update tb_audit_record set hash = ${recordHash(AUDIT_LOG, unsigned)} where id = ${row.id}`.execute(db); });
    expect(await firstBad(fromClosing())).toEqual({ chain: s.chain, seq: 4, id: row.id, reason: expect.stringMatching(/differs from signed checkpoint/) as string });
  });

  it('finds a gap left below the checkpoint among the records still there', async () => {
    await detachUpTo(db, s.closing.id, 2);
    await withTriggersOff(db, async () => { await sql`delete from tb_audit_record where id = ${s.main[3]!.id}`.execute(db); });
    expect(await firstBad(fromClosing())).toEqual({ chain: s.chain, seq: 4, id: undefined, reason: expect.stringMatching(/record missing: seq 4 is absent/) as string });
  });

  it('finds tampering after the checkpoint: a changed record, deleted records', async () => {
    await detachUpTo(db, s.closing.id);
    await withTriggersOff(db, async () => { await sql`update tb_audit_record set action = 'application.approve' where id = ${s.main[5]!.id}`.execute(db); });
    expect(await firstBad(fromClosing())).toEqual({ chain: s.chain, seq: 6, id: s.main[5]!.id, reason: expect.stringMatching(/hash does not match/) as string });

    await withTriggersOff(db, async () => { await sql`delete from tb_audit_record where chain = ${s.chain}`.execute(db); });
    expect(await firstBad(fromClosing())).toEqual({ chain: s.chain, seq: 5, id: undefined, reason: expect.stringMatching(/seq 5 to 7 are absent/) as string });
  });

  it('finds the first record after the checkpoint when it does not link to the signed head', async () => {
    await detachUpTo(db, s.closing.id);
    const fifth = await rowAt(db, s.chain, 5);
    const { hash: _old, ...unsigned } = { ...fifth, prev_hash: 'f'.repeat(64) };
    await withTriggersOff(db, async () => {
      await sql`update tb_audit_record set prev_hash = ${unsigned.prev_hash}, hash = ${recordHash(AUDIT_LOG, unsigned)} where id = ${fifth.id}`.execute(db);
    });
    expect(await firstBad(fromClosing())).toEqual({ chain: s.chain, seq: 5, id: fifth.id, reason: expect.stringMatching(/does not link/) as string });
  });

  it('trusts a checkpoint only with a valid signature of the trusted key', async () => {
    await detachUpTo(db, s.closing.id);
    const attacker = signerFromPkcs8(generateSigningKey());
    // The right public key given explicitly (offline verification of an archive) is as good as the configured key.
    expect(await s.trail.verify({ ...fromClosing(), publicKey: s.closing.publicKey })).toMatchObject({ ok: true, records: 6 });
    expect(await firstBad({ ...fromClosing(), publicKey: attacker.publicKey })).toMatchObject({ chain: -1, reason: expect.stringMatching(/key other than/) as string });

    // Heads moved back to cover a rewritten past: the signature no longer matches.
    await withTriggersOff(db, async () => {
      await sql`update tb_audit_checkpoint set heads = (select jsonb_agg(jsonb_set(h, '{hash}', '"forged"')) from jsonb_array_elements(heads) h) where id = ${s.closing.id}`.execute(db);
    });
    expect(await firstBad(fromClosing())).toEqual({ chain: -1, seq: -1, id: s.closing.id, checkpoint: s.closing.id, reason: expect.stringMatching(/signature is not valid/) as string });
  });

  it('verifies an archive offline as docs/operations.md describes: records up to the closing heads, checkpoints, the public key', async () => {
    const pin = sql`select (h->>'chain')::int as chain, (h->>'seq')::bigint as seq, h->>'hash' as hash
      from tb_audit_checkpoint c, jsonb_array_elements(c.heads) h where c.id = ${s.closing.id}`;
    const records = (await sql<Record<string, unknown>>`with pin as (${pin}) select r.* from tb_audit_record r join pin using (chain) where r.seq <= pin.seq`.execute(db)).rows;
    const checkpoints = (await sql<Record<string, unknown>>`select * from tb_audit_checkpoint where at <= ${s.closing.at}`.execute(db)).rows;
    const heads = (await sql<{ chain: number; seq: number; hash: string }>`${pin}`.execute(db)).rows;
    expect(records.length).toBe(heads.reduce((n, h) => n + Number(h.seq), 0));

    const scratch = await createTestDatabase(use().kind);
    try {
      const other = scratch.database.db;
      await migrateToLatest(other, [secretsMigrations, auditMigrations]);
      const copy = async (table: string, rows: readonly Record<string, unknown>[]) => {
        for (const row of rows) {
          const names = Object.keys(row);
          const value = (v: unknown) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v);
          await sql`insert into ${sql.table(table)} (${sql.join(names.map((n) => sql.ref(n)))}) values (${sql.join(names.map((n) => value(row[n])))})`.execute(other);
        }
      };
      await copy('tb_audit_record', records);
      await copy('tb_audit_checkpoint', checkpoints);
      for (const h of heads) await sql`insert into tb_audit_chain_head (chain, seq, hash) values (${h.chain}, ${h.seq}, ${h.hash})`.execute(other);
      // Another database, another development key: only the public key given vouches for the checkpoints.
      const archive = await testTrail(other);
      expect(await archive.verify({ publicKey: s.closing.publicKey })).toEqual({ ok: true, records: records.length, checkpoints: 2 });
      expect(await archive.verify()).toMatchObject({ ok: false, firstBad: { reason: expect.stringMatching(/key other than/) as string } });
      const victim = records.find((r) => r.id === s.main[1]!.id)!;
      await withTriggersOff(other, async () => { await sql`update tb_audit_record set purpose = 'curiosity' where id = ${victim.id}`.execute(other); });
      expect(await archive.verify({ publicKey: s.closing.publicKey })).toMatchObject({ ok: false, firstBad: { id: s.main[1]!.id, reason: expect.stringMatching(/hash does not match/) as string } });
    } finally {
      await scratch.dispose();
    }
  });

  it('refuses a checkpoint this log does not have', async () => {
    expect(await firstBad({ from: { checkpoint: '01890000-0000-7000-8000-000000000000' } })).toMatchObject({ checkpoint: '01890000-0000-7000-8000-000000000000', reason: 'no such checkpoint in this log' });
    expect(await s.trail.findCheckpoint('not-a-uuid')).toBeUndefined();
    expect(await s.trail.findCheckpoint(s.closing.id.toUpperCase())).toEqual({ id: s.closing.id, at: s.closing.at });
  });
});
