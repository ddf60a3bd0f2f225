import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Db, MigrationSource } from '../db/index.js';
import { secretsMigrations } from '../secrets/index.js';
import { appendDrafted, appendTogether, isMovedHead } from './append-together.js';
import { createHashChain, type ChainLog, type ChainSpec } from './chain.js';
import { createGroupCommit } from './group-commit.js';
import { chainFor } from './hashing.js';
import { auditMigrations } from './index.js';
import { emptyTrail, event, testTrail, withTriggersOff } from './test-fixtures/trail.js';
import type { AuditTrail } from './types.js';

const messageLog: MigrationSource = { name: 'test_message_log', folder: fileURLToPath(new URL('./test-fixtures/migrations', import.meta.url)) };

const MESSAGES: ChainSpec = {
  name: 'test.messages',
  tables: { records: 'tb_test_message', heads: 'tb_test_message_head', checkpoints: 'tb_test_message_checkpoint' },
  chains: 4,
  canonical: (row) => ({ at: row.at, digest: row.digest }),
};

const message = (digest: string) => ({ at: new Date(), digest });
const ids = (n: number) => Array.from({ length: n }, () => uuidv7());

/** Another instance of the platform on the same database: its own heads in memory. */
function otherInstance(db: Db): ChainLog {
  return createHashChain(MESSAGES, { db, now: () => new Date(), signer: () => Promise.reject(new Error('no checkpoints in this test')) });
}

/** A key that `linkMany` sends to `chain`. */
function keyFor(chain: number): string {
  for (let i = 0; ; i += 1) if (chainFor(`key-${i}`, MESSAGES.chains ?? 16) === chain) return `key-${i}`;
}

const count = async (db: Db, table: string) => Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(db)).rows[0]?.n);

describeEachDatabase('appending several logs in one statement', [secretsMigrations, auditMigrations, messageLog], (use) => {
  let db: Db;
  let trail: AuditTrail;
  let messages: ChainLog;
  beforeEach(async () => {
    db = use().database.db;
    await emptyTrail(db);
    await withTriggersOff(db, async () => {
      await sql`alter table tb_test_message disable trigger user`.execute(db);
      for (const t of ['tb_test_message', 'tb_test_message_head', 'tb_test_message_checkpoint']) await sql`delete from ${sql.table(t)}`.execute(db);
      await sql`alter table tb_test_message enable trigger user`.execute(db);
    });
    trail = await testTrail(db);
    messages = trail.createLog(MESSAGES);
  });

  it('appends a log\'s records and audit records together, each chain linked and its head moved', async () => {
    const [m, a] = await appendDrafted(db, [
      (x, lock) => messages.draft(x, 'key-a', [message('one'), message('two'), message('three')], ids(3), { lock }),
      (x, lock) => trail.draft(x, [event({ requestId: 'req-together-1' }), event({ requestId: 'req-together-2' })], ids(2), { lock }),
    ]);
    expect(m?.rows.map((r) => r.seq)).toEqual([1, 2, 3]);
    expect(a?.rows.map((r) => r.seq)).toEqual([1, 2]);
    const head = (await sql<{ seq: string; hash: string }>`select seq, hash from tb_test_message_head where chain = ${m?.chain}`.execute(db)).rows[0];
    expect({ seq: Number(head?.seq), hash: head?.hash }).toEqual({ seq: 3, hash: m?.rows[2]?.hash });

    // The next drafts start from the heads held in memory, and the logs verify.
    const [next] = await appendDrafted(db, [(x, lock) => messages.draft(x, 'key-a', [message('four')], ids(1), { lock })]);
    expect(next?.rows[0]).toMatchObject({ chain: m?.chain, seq: 4, prev_hash: m?.rows[2]?.hash });
    expect(await messages.verify()).toMatchObject({ ok: true, records: 4 });
    expect(await trail.verify()).toMatchObject({ ok: true, records: 2 });
  });

  it('reuses a shape\'s compiled text with each append\'s own values, and refuses a draft whose values are not its statement\'s', async () => {
    // The same shape three times, with different numbers of records: each row stored as drafted.
    for (const n of [1, 3, 2]) {
      const [m] = await appendDrafted(db, [(x, lock) => messages.draft(x, 'key-shape', Array.from({ length: n }, (_, i) => message(`d-${n}-${i}`)), ids(n), { lock })]);
      const stored = (await sql<{ id: string; digest: string; hash: string }>`select id, digest, hash from tb_test_message where id in (${sql.join(m?.rows.map((r) => r.id) ?? [])}) order by seq`.execute(db)).rows;
      expect(stored).toEqual(m?.rows.map((r) => ({ id: r.id, digest: r.digest, hash: r.hash })));
    }
    expect(await messages.verify()).toMatchObject({ ok: true, records: 6 });

    // A draft of a shape not seen before whose parameter list disagrees with its statement.
    const good = await messages.draft(db, 'key-bad', [message('x')], ids(1));
    const bad = { ...good, shape: `${good.shape} (a test's own)`, parameters: { head: good.parameters.head, insert: [...good.parameters.insert].reverse() } };
    await expect(appendTogether(db, [bad])).rejects.toThrow(/parameters .* are not the statement's/);
    expect(await count(db, 'tb_test_message')).toBe(6);
  });

  it('refuses to draft records of different columns together, in another order or with one more', async () => {
    const at = new Date();
    for (const second of [{ digest: 'b', at }, { at, digest: 'b', extra: 1 }, { at }]) {
      await expect(messages.draft(db, 'key-columns', [{ at, digest: 'a' }, second], ids(2))).rejects.toThrow(/must have the same columns/);
    }
    // The chain is free again: a good draft on the same key appends.
    const [m] = await appendDrafted(db, [(x, lock) => messages.draft(x, 'key-columns', [message('a'), message('b')], ids(2), { lock })]);
    expect(m?.rows.map((r) => r.seq)).toEqual([1, 2]);
  });

  it('refuses the whole statement when one head moved meanwhile, then appends from the head read again', async () => {
    await appendDrafted(db, [(x, lock) => messages.draft(x, 'key-a', [message('first')], ids(1), { lock })]);
    const drafts = [
      await trail.draft(db, [event({ requestId: 'req-moved-audit' })], ids(1)),
      await messages.draft(db, 'key-a', [message('second'), message('third')], ids(2)),
    ];
    const messageDraft = drafts[1]!;
    // Another instance appends to the chain the draft was linked on.
    await otherInstance(db).linkMany(db, keyFor(messageDraft.chain), [message('elsewhere')]);

    const refused = await appendTogether(db, drafts).then(() => undefined, (error: unknown) => error);
    expect(isMovedHead(refused)).toBe(true);
    expect(await trail.present(db, drafts[0]!.rows.map((r) => r.id))).toEqual(new Set());
    expect(await messages.present(db, messageDraft.rows.map((r) => r.id))).toEqual(new Set());
    expect(await count(db, 'tb_audit_record')).toBe(0);

    const [audit, again] = await appendDrafted(db, [
      (x, lock) => trail.draft(x, [event({ requestId: 'req-moved-audit' })], ids(1), { lock }),
      (x, lock) => messages.draft(x, 'key-a', [message('second'), message('third')], ids(2), { lock }),
    ]);
    expect(audit?.rows).toHaveLength(1);
    // The same chain (this instance's first choice), after the other instance's record.
    expect(again?.chain).toBe(messageDraft.chain);
    expect(again?.rows.map((r) => r.seq)).toEqual([3, 4]);
    expect(await messages.verify()).toMatchObject({ ok: true, records: 4 });
    expect(await trail.verify()).toMatchObject({ ok: true, records: 1 });
  });

  it('appends even when a transaction holding the head moves it under the draft: the last attempt locks the head', async () => {
    await appendDrafted(db, [(x, lock) => messages.draft(x, 'key-a', [message('first')], ids(1), { lock })]);
    let release = () => {};
    const held = new Promise<void>((resolve) => { release = resolve; });
    let locked = () => {};
    const holding = new Promise<void>((resolve) => { locked = resolve; });
    const holder = db.transaction().execute(async (tx) => {
      await messages.linkMany(tx, 'key-a', [message('held')]);
      locked();
      await held;
    });
    await holding;
    // A lone unlocked attempt meets the moved head; two attempts end with one that waits for the lock.
    const appended = appendDrafted(db, [(x, lock) => messages.draft(x, 'key-a', [message('after')], ids(1), { lock })], { attempts: 2 });
    setTimeout(release, 300);
    await holder;
    const [done] = await appended;
    expect(done?.rows[0]?.seq).toBe(3);
    expect(await messages.verify()).toMatchObject({ ok: true, records: 3 });
  });

  it('writes what `within` writes in the same transaction, or nothing', async () => {
    const failing = appendDrafted(db, [(x, lock) => messages.draft(x, 'key-a', [message('with bodies')], ids(1), { lock })], {
      within: async (tx) => { await sql`select 1 / 0`.execute(tx); },
    });
    await expect(failing).rejects.toThrow(/division by zero/);
    expect(await count(db, 'tb_test_message')).toBe(0);

    const [done] = await appendDrafted(db, [(x, lock) => messages.draft(x, 'key-a', [message('with bodies')], ids(1), { lock })], {
      within: async (tx) => { await trail.appendMany(tx, [event({ requestId: 'req-within' })]); },
    });
    expect(done?.rows[0]?.seq).toBe(1);
    expect(await count(db, 'tb_test_message')).toBe(1);
    expect(await count(db, 'tb_audit_record')).toBe(1);
  });

  it('loses and doubles nothing with two instances and lock-taking appends on the same chains at once', async () => {
    const instances = [messages, otherInstance(db)];
    const committers = instances.map((log) => createGroupCommit<{ id: string; digest: string }>({
      db,
      maxBatch: 50,
      concurrency: 2,
      transaction: false,
      write: async (executor, batch) => { await appendDrafted(executor, [(x, lock) => log.draft(x, batch[0]?.id, batch.map((b) => message(b.digest)), batch.map((b) => b.id), { lock })], { attempts: 3 }); },
      present: async (executor, items) => {
        const there = await log.present(executor, items.map((i) => i.id));
        return new Set(items.filter((i) => there.has(i.id)));
      },
    }));
    const submitted = Array.from({ length: 300 }, (_, i) => ({ id: uuidv7(), digest: `d-${i}` }));
    const locking = Array.from({ length: 40 }, (_, i) => db.transaction().execute((tx) => messages.linkMany(tx, keyFor(i % 4), [message(`locked-${i}`)])));
    await Promise.all([...submitted.map((item, i) => committers[i % 2]!.submit(item)), ...locking]);

    expect(await count(db, 'tb_test_message')).toBe(340);
    expect(await messages.present(db, submitted.map((s) => s.id))).toEqual(new Set(submitted.map((s) => s.id)));
    expect(await messages.verify()).toMatchObject({ ok: true, records: 340 });
  });
});
