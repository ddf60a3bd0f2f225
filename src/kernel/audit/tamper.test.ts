import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Db } from '../db/index.js';
import { secretsMigrations } from '../secrets/index.js';
import { checkpointMessage } from './hashing.js';
import { auditMigrations, AUDIT_CHAINS, AUDIT_LOG, chainFor, generateSigningKey, recordHash, signerFromPkcs8, type ChainRow } from './index.js';
import { emptyTrail, event, testTrail, withTriggersOff } from './test-fixtures/trail.js';
import type { AuditRecord, AuditTrail } from './types.js';

interface Seeded { trail: AuditTrail; main: AuditRecord[]; chain: number }

/** Six records in one chain (one request) and a few elsewhere. */
async function seed(db: Db): Promise<Seeded> {
  await emptyTrail(db);
  const trail = await testTrail(db);
  const main: AuditRecord[] = [];
  for (let i = 1; i <= 6; i++) main.push(await trail.append(db, event({ requestId: 'req-tamper-main', details: { step: i } })));
  const others = Array.from({ length: 12 }, (_, i) => `req-other-${i}-xxxxx`).filter((k) => chainFor(k, AUDIT_CHAINS) !== main[0]!.chain);
  for (const requestId of others.slice(0, 4)) await trail.append(db, event({ requestId }));
  expect((await trail.verify()).ok).toBe(true);
  return { trail, main, chain: main[0]!.chain };
}

async function rowAt(db: Db, chain: number, seq: number): Promise<ChainRow> {
  const row = (await sql<ChainRow>`select * from tb_audit_record where chain = ${chain} and seq = ${seq}`.execute(db)).rows[0];
  if (!row) throw new Error(`no record at ${chain}/${seq}`);
  return row;
}

/** What a knowledgeable attacker writes: a row whose own hash is right. */
async function insertRow(db: Db, unsigned: Omit<ChainRow, 'hash'> & Record<string, unknown>): Promise<ChainRow> {
  const row = { ...unsigned, hash: recordHash(AUDIT_LOG, unsigned as ChainRow) } as ChainRow;
  const names = Object.keys(row);
  const value = (v: unknown) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v);
  await sql`insert into tb_audit_record (${sql.join(names.map((n) => sql.ref(n)))}) values (${sql.join(names.map((n) => value(row[n])))})`.execute(db);
  return row;
}

describeEachDatabase('audit trail tampering', [secretsMigrations, auditMigrations], (use) => {
  let db: Db;
  let s: Seeded;
  beforeEach(async () => {
    db = use().database.db;
    s = await seed(db);
  });
  const firstBad = async () => {
    const result = await s.trail.verify();
    if (result.ok) throw new Error('tampering went unnoticed');
    return result.firstBad;
  };

  it('names a record whose field was changed', async () => {
    await withTriggersOff(db, async () => { await sql`update tb_audit_record set purpose = 'curiosity' where id = ${s.main[2]!.id}`.execute(db); });
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 3, id: s.main[2]!.id, reason: expect.stringMatching(/hash does not match/) as string });
  });

  it('names the gap left by a deleted middle record', async () => {
    await withTriggersOff(db, async () => { await sql`delete from tb_audit_record where id = ${s.main[2]!.id}`.execute(db); });
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 3, id: undefined, reason: expect.stringMatching(/missing/) as string });
  });

  it('notices the last records deleted, from the head, and from a checkpoint when the head is rewound too', async () => {
    await s.trail.checkpoint();
    await withTriggersOff(db, async () => { await sql`delete from tb_audit_record where chain = ${s.chain} and seq > 4`.execute(db); });
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 5, id: undefined, reason: expect.stringMatching(/head is at seq 6/) as string });
    await sql`update tb_audit_chain_head set seq = 4, hash = ${s.main[3]!.hash} where chain = ${s.chain}`.execute(db);
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 5, id: undefined, reason: expect.stringMatching(/checkpoint .* covers this chain up to seq 6/) as string });
  });

  it('notices two records whose seq were swapped', async () => {
    await withTriggersOff(db, async () => {
      await sql`update tb_audit_record set seq = -1 where id = ${s.main[1]!.id}`.execute(db);
      await sql`update tb_audit_record set seq = 2 where id = ${s.main[3]!.id}`.execute(db);
      await sql`update tb_audit_record set seq = 4 where id = ${s.main[1]!.id}`.execute(db);
    });
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 2, id: s.main[3]!.id, reason: expect.stringMatching(/does not link/) as string });
  });

  it('notices a forged record inserted in the middle with a correct hash of its own', async () => {
    const third = await rowAt(db, s.chain, 3);
    await withTriggersOff(db, async () => {
      for (const seq of [6, 5, 4]) await sql`update tb_audit_record set seq = ${seq + 1} where chain = ${s.chain} and seq = ${seq}`.execute(db);
      await insertRow(db, { ...third, id: uuidv7(), seq: 4, prev_hash: third.hash, action: 'application.approve' });
    });
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 5, id: s.main[3]!.id, reason: expect.stringMatching(/does not link/) as string });
  });

  it('notices a forged record appended behind the chain head', async () => {
    const last = await rowAt(db, s.chain, 6);
    const forged = await insertRow(db, { ...last, id: uuidv7(), seq: 7, prev_hash: last.hash });
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 7, id: forged.id, reason: expect.stringMatching(/beyond the chain head/) as string });
  });

  it('notices history rewritten with every hash recomputed, against a signed checkpoint', async () => {
    await s.trail.checkpoint();
    let prev = (await rowAt(db, s.chain, 2)).hash;
    await withTriggersOff(db, async () => {
      for (let seq = 3; seq <= 6; seq++) {
        const row = await rowAt(db, s.chain, seq);
        const { hash: _old, ...unsigned } = { ...row, prev_hash: prev, purpose: seq === 3 ? 'curiosity' : row.purpose };
        const hash = recordHash(AUDIT_LOG, unsigned);
        await sql`update tb_audit_record set purpose = ${unsigned.purpose}, prev_hash = ${prev}, hash = ${hash} where id = ${row.id}`.execute(db);
        prev = hash;
      }
      await sql`update tb_audit_chain_head set hash = ${prev} where chain = ${s.chain}`.execute(db);
    });
    expect(await firstBad()).toEqual({ chain: s.chain, seq: 6, id: s.main[5]!.id, reason: expect.stringMatching(/differs from signed checkpoint/) as string });
  });

  it('names a checkpoint whose signature, key or heads were forged', async () => {
    const cp = await s.trail.checkpoint();
    await s.trail.checkpoint();
    const stored = (await sql<{ heads: unknown }>`select heads from tb_audit_checkpoint where id = ${cp.id}`.execute(db)).rows[0]!;
    const attacker = signerFromPkcs8(generateSigningKey());
    const expected = (reason: RegExp) => ({ chain: -1, seq: -1, id: cp.id, checkpoint: cp.id, reason: expect.stringMatching(reason) as string });
    const tamper = (change: ReturnType<typeof sql>) => withTriggersOff(db, async () => { await change.execute(db); });

    const wrong = attacker.sign(checkpointMessage(AUDIT_LOG.name, { id: cp.id, at: cp.at, heads: stored.heads, publicKey: cp.publicKey }));
    await tamper(sql`update tb_audit_checkpoint set signature = ${wrong} where id = ${cp.id}`);
    expect(await firstBad()).toEqual(expected(/signature is not valid/));

    const own = attacker.sign(checkpointMessage(AUDIT_LOG.name, { id: cp.id, at: cp.at, heads: stored.heads, publicKey: attacker.publicKey }));
    await tamper(sql`update tb_audit_checkpoint set signature = ${own}, public_key = ${attacker.publicKey} where id = ${cp.id}`);
    expect(await firstBad()).toEqual(expected(/key other than the audit signing key/));

    await tamper(sql`delete from tb_audit_checkpoint where id = ${cp.id}`);
    const later = (await sql<{ id: string }>`select id from tb_audit_checkpoint`.execute(db)).rows[0]!;
    await tamper(sql`update tb_audit_checkpoint set heads = '[]'::jsonb where id = ${later.id}`);
    expect(await firstBad()).toMatchObject({ id: later.id, reason: expect.stringMatching(/signature is not valid/) as string });
  });
});
