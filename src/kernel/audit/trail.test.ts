import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { loadConfig } from '../config/index.js';
import { TongbanError } from '../http/errors.js';
import { secretsMigrations } from '../secrets/index.js';
import { auditMigrations, AUDIT_CHAINS, generateSigningKey, signerFromPkcs8 } from './index.js';
import { emptyTrail, event, testTrail } from './test-fixtures/trail.js';

describeEachDatabase('audit trail', [secretsMigrations, auditMigrations], (use) => {
  it('appends records that read back exactly as written', async () => {
    const { db } = use().database;
    const trail = await testTrail(db);
    const written = await trail.append(db, event());
    expect(written).toMatchObject({ ...event(), chain: expect.any(Number) as number, seq: 1, hash: expect.stringMatching(/^[0-9a-f]{64}$/) as string });
    const [read] = await trail.listBySubject('citizen-1');
    expect(read).toEqual(written);
    const minimal = await trail.append(db, { actor: { kind: 'system', id: 'scheduler' }, action: 'jobs.run' });
    expect(minimal).not.toHaveProperty('subject');
    expect(minimal).not.toHaveProperty('details');
    expect(await trail.verify()).toEqual({ ok: true, records: 2, checkpoints: 0 });
  });

  it('appends 200 records in parallel transactions and verifies them all', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    const appended = await Promise.all(Array.from({ length: 200 }, (_, i) => db.transaction().execute(async (tx) => {
      // Half share a request id, so several transactions contend for the same chain head.
      const record = await trail.append(tx, event({ subject: `person-${i}`, requestId: i % 2 ? `req-shared-${i % 6}` : `req-${i}-abcdefgh` }));
      await trail.append(tx, event({ subject: `person-${i}`, action: 'application.update', requestId: record.requestId }));
      return record;
    })));
    const chains = new Set(appended.map((r) => r.chain));
    expect(chains.size).toBeGreaterThan(AUDIT_CHAINS / 2);
    const checkpoint = await trail.checkpoint();
    expect(checkpoint.records).toBe(400);
    expect(await trail.verify()).toEqual({ ok: true, records: 400, checkpoints: 1 });
    const { rows } = await sql<{ chain: number; n: number; top: number }>`select chain, count(*)::int as n, max(seq)::int as top from tb_audit_record group by chain`.execute(db);
    for (const row of rows) expect(row.top).toBe(row.n);
  });

  it('group-commits appends of reads: each answered after its record committed, in few transactions, verifiable', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    const appended = await Promise.all(Array.from({ length: 120 }, (_, i) => trail.appendCommitted(event({ subject: `person-${i}`, requestId: `req-${i}-abcdefgh` }))));
    expect(new Set(appended.map((r) => r.id)).size).toBe(120);
    const { rows } = await sql<{ id: string }>`select id from tb_audit_record`.execute(db);
    expect(rows.map((r) => r.id).sort()).toEqual(appended.map((r) => r.id).sort());
    // 120 appends in the same turn: far fewer chains touched than records (one per batch).
    expect(new Set(appended.map((r) => r.chain)).size).toBeLessThan(10);
    expect(await trail.present(db, [appended[0]!.id, '00000000-0000-7000-8000-000000000000'])).toEqual(new Set([appended[0]!.id]));
    await expect(trail.appendCommitted(event({ action: 'Not a verb' }))).rejects.toBeInstanceOf(TongbanError);
    expect(await trail.verify()).toEqual({ ok: true, records: 120, checkpoints: 0 });
  });

  it('leaves no record and no gap behind a rolled-back transaction', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    const first = await trail.append(db, event({ requestId: 'req-rollback-1' }));
    await expect(db.transaction().execute(async (tx) => {
      await trail.append(tx, event({ requestId: 'req-rollback-1', action: 'application.delete' }));
      throw new Error('the change failed');
    })).rejects.toThrow('the change failed');
    const next = await trail.append(db, event({ requestId: 'req-rollback-1' }));
    expect(next.chain).toBe(first.chain);
    expect(next.seq).toBe(first.seq + 1);
    expect((await trail.listBySubject('citizen-1')).map((r) => r.action)).not.toContain('application.delete');
    expect(await trail.verify()).toMatchObject({ ok: true, records: 2 });
  });

  it('lists a person\'s records newest first, a page at a time', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    for (let i = 0; i < 5; i++) await trail.append(db, event({ subject: 'citizen-9', requestId: `req-list-${i}-xxxxxx`, details: { n: i } }));
    await trail.append(db, event({ subject: 'someone-else' }));
    const page1 = await trail.listBySubject('citizen-9', { limit: 3 });
    expect(page1.map((r) => r.details?.n)).toEqual([4, 3, 2]);
    const page2 = await trail.listBySubject('citizen-9', { limit: 3, before: page1.at(-1)!.at });
    expect(page2.map((r) => r.details?.n)).toEqual([1, 0]);
  });

  it('narrows a person\'s records by time, organisation, actor kind and who acted, and finds one by id', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const trail = await testTrail(db);
    const own = await trail.append(db, event({ subject: 'citizen-5', actor: { kind: 'person', id: 'citizen-5' }, action: 'application.submit' }));
    const staff = await trail.append(db, event({ subject: 'citizen-5', actor: { kind: 'staff', id: 'officer-1', organisation: 'PSB' } }));
    const system = await trail.append(db, event({ subject: 'citizen-5', actor: { kind: 'client', id: 'CN/GOV/AMR/sys', organisation: 'AMR' }, action: 'mediator.exchange' }));
    await trail.append(db, event({ subject: 'citizen-6' }));
    const ids = (records: { id: string }[]) => records.map((r) => r.id);
    expect(ids(await trail.listBySubject('citizen-5', { notBy: 'citizen-5' }))).toEqual([system.id, staff.id]);
    expect(ids(await trail.listBySubject('citizen-5', { organisation: 'PSB' }))).toEqual([staff.id]);
    expect(ids(await trail.listBySubject('citizen-5', { actorKinds: ['client', 'person'] }))).toEqual([system.id, own.id]);
    expect(await trail.listBySubject('citizen-5', { actorKinds: [] })).toEqual([]);
    expect(ids(await trail.listBySubject('citizen-5', { from: staff.at, to: system.at }))).toEqual([staff.id]);
    expect(ids(await trail.listBySubject('citizen-5', { olderThan: system, limit: 1 }))).toEqual([staff.id]);
    expect(ids(await trail.listBySubject('citizen-5', { olderThan: { at: system.at, id: 'ffffffff-ffff-7fff-bfff-ffffffffffff' } }))).toEqual([system.id, staff.id, own.id]);
    expect(await trail.recordFor('citizen-5', staff.id)).toEqual(staff);
    expect(await trail.recordFor('citizen-6', staff.id)).toBeUndefined();
    expect(await trail.recordFor('citizen-5', 'not-a-uuid')).toBeUndefined();
  });

  it('rejects UPDATE, DELETE and TRUNCATE of records and checkpoints in the database', async () => {
    const { db } = use().database;
    const trail = await testTrail(db);
    await trail.append(db, event());
    await trail.checkpoint();
    await expect(sql`update tb_audit_record set action = 'application.hidden'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from tb_audit_record`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`truncate tb_audit_record`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`update tb_audit_checkpoint set signature = 'x'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from tb_audit_checkpoint`.execute(db)).rejects.toThrow(/append-only/);
    expect((await trail.verify()).ok).toBe(true);
  });

  it('refuses malformed events with a coded error', async () => {
    const { db } = use().database;
    const trail = await testTrail(db);
    // Details over the limit are no longer refused: they are cut (details.test.ts, ADR 36).
    for (const bad of [event({ action: 'view' }), event({ actor: { kind: 'staff', id: '' } })]) {
      const error = await trail.append(db, bad).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(TongbanError);
      expect((error as TongbanError).code).toBe('TB_AUDIT_INVALID_EVENT');
    }
  });

  it('signs checkpoints with the configured key, or a stored development key shared by instances', async () => {
    const { db } = use().database;
    await emptyTrail(db);
    const key = generateSigningKey();
    const configured = await testTrail(db, loadConfig({ NODE_ENV: 'test', TONGBAN_AUDIT_SIGNING_KEY: key }));
    expect((await configured.checkpoint()).publicKey).toBe(signerFromPkcs8(key).publicKey);
    // After that key, the development key may not sign the same log (ADR 39): start it afresh.
    await expect((await testTrail(db)).checkpoint()).rejects.toMatchObject({ code: 'TB_AUDIT_SIGNING_KEY_RETIRED' });
    await emptyTrail(db);
    const [a, b] = [await testTrail(db), await testTrail(db)];
    const [ca, cb] = await Promise.all([a.checkpoint(), b.checkpoint()]);
    expect(ca.publicKey).toBe(cb.publicKey);
    expect(ca.publicKey).not.toBe(signerFromPkcs8(key).publicKey);
    expect(() => signerFromPkcs8(Buffer.from('not a key').toString('base64'))).toThrow(TongbanError);
    await expect(testTrail(db, loadConfig({ NODE_ENV: 'test', TONGBAN_AUDIT_SIGNING_KEY: Buffer.from('x'.repeat(40)).toString('base64') })))
      .rejects.toMatchObject({ code: 'TB_AUDIT_SIGNING_KEY_INVALID' });
  });
});
