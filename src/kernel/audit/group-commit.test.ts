import type { Kysely, Transaction } from 'kysely';
import { describe, expect, it } from 'vitest';
import { createGroupCommit } from './group-commit.js';

/**
 * A stand-in database: a transaction "commits" the rows its write staged, unless the write threw.
 * `loseAck` makes a transaction commit and then report failure (a connection lost during COMMIT);
 * a row whose id is stored already fails its transaction (the primary key).
 */
function fakeDatabase() {
  const stored: string[] = [];
  const state = { loseAck: 0, transactions: 0, down: false };
  const db = {
    transaction: () => ({
      execute: async (fn: (tx: Transaction<object>) => Promise<void>) => {
        if (state.down) throw new Error('database down');
        const staged: string[] = [];
        await fn(staged as unknown as Transaction<object>);
        for (const id of staged) if (stored.includes(id)) throw new Error(`duplicate key ${id}`);
        stored.push(...staged);
        state.transactions += 1;
        if (state.loseAck > 0) {
          state.loseAck -= 1;
          throw new Error('connection lost during COMMIT');
        }
      },
    }),
  } as unknown as Kysely<object>;
  return { db, stored, state };
}

type Item = { readonly id: string; readonly poison?: boolean };

function committerOn(fake: ReturnType<typeof fakeDatabase>) {
  return createGroupCommit<Item>({
    db: fake.db,
    maxBatch: 100,
    write: (tx, batch) => {
      for (const item of batch) {
        if (item.poison) return Promise.reject(new Error('poisoned record'));
        (tx as unknown as string[]).push(item.id);
      }
      return Promise.resolve();
    },
    present: (_db, items) => {
      if (fake.state.down) return Promise.reject(new Error('database down'));
      return Promise.resolve(new Set(items.filter((item) => fake.stored.includes(item.id))));
    },
  });
}

const items = (n: number, prefix = 'r'): Item[] => Array.from({ length: n }, (_, i) => ({ id: `${prefix}${i}` }));
const settle = (promises: Promise<void>[]) => Promise.all(promises.map((p) => p.then(() => 'ok', (e: Error) => e.message)));

describe('group commit', () => {
  it('commits items submitted together in one transaction and answers each after it', async () => {
    const fake = fakeDatabase();
    const committer = committerOn(fake);
    const all = items(30);
    expect(await settle(all.map((item) => committer.submit(item)))).toEqual(Array(30).fill('ok'));
    expect(fake.stored).toEqual(all.map((i) => i.id));
    expect(fake.state.transactions).toBe(1);
    expect(committer.stats()).toEqual({ records: 30, transactions: 1 });
  });

  it('answers a batch whose commit went through but was not acknowledged, and writes nothing twice', async () => {
    const fake = fakeDatabase();
    const committer = committerOn(fake);
    fake.state.loseAck = 1;
    const all = items(10);
    expect(await settle(all.map((item) => committer.submit(item)))).toEqual(Array(10).fill('ok'));
    expect(fake.stored).toEqual(all.map((i) => i.id));
  });

  it('a lone item whose commit was not acknowledged is found and answered, once', async () => {
    const fake = fakeDatabase();
    const committer = committerOn(fake);
    fake.state.loseAck = 1;
    expect(await settle([committer.submit({ id: 'only' })])).toEqual(['ok']);
    expect(fake.stored).toEqual(['only']);
  });

  it('fails only the bad item of a batch; the others are retried alone and answered', async () => {
    const fake = fakeDatabase();
    const committer = committerOn(fake);
    const all: Item[] = [...items(3, 'a'), { id: 'bad', poison: true }, ...items(3, 'b')];
    const answers = await settle(all.map((item) => committer.submit(item)));
    expect(answers).toEqual(['ok', 'ok', 'ok', 'poisoned record', 'ok', 'ok', 'ok']);
    expect([...fake.stored].sort()).toEqual(['a0', 'a1', 'a2', 'b0', 'b1', 'b2']);
  });

  it('without a transaction of its own, hands the database to the write, which answers for the batch being atomic', async () => {
    const fake = fakeDatabase();
    const given: unknown[] = [];
    const committer = createGroupCommit<Item>({
      db: fake.db,
      maxBatch: 100,
      transaction: false,
      write: (executor, batch) => { given.push(executor); fake.stored.push(...batch.map((b) => b.id)); return Promise.resolve(); },
      present: (_db, batch) => Promise.resolve(new Set(batch.filter((item) => fake.stored.includes(item.id)))),
    });
    expect(await settle(items(12).map((item) => committer.submit(item)))).toEqual(Array(12).fill('ok'));
    expect(given).toEqual([fake.db]);
    expect(fake.state.transactions).toBe(0);
    expect(committer.stats()).toEqual({ records: 12, transactions: 1 });
  });

  it('answers nobody as committed when the database is down, and works again when it is back', async () => {
    const fake = fakeDatabase();
    const committer = committerOn(fake);
    fake.state.down = true;
    expect(await settle(items(5).map((item) => committer.submit(item)))).toEqual(Array(5).fill('database down'));
    expect(fake.stored).toEqual([]);
    fake.state.down = false;
    expect(await settle([committer.submit({ id: 'later' })])).toEqual(['ok']);
    expect(fake.stored).toEqual(['later']);
  });
});

/** A database whose transactions commit only when the test releases them, recording how many were open at once. */
function gatedDatabase() {
  const stored: string[] = [];
  const open: (() => void)[] = [];
  const state = { atOnce: 0, mostAtOnce: 0, batches: [] as string[][] };
  const db = {
    transaction: () => ({
      execute: async (fn: (tx: Transaction<object>) => Promise<void>) => {
        const staged: string[] = [];
        await fn(staged as unknown as Transaction<object>);
        state.batches.push(staged);
        state.atOnce += 1;
        state.mostAtOnce = Math.max(state.mostAtOnce, state.atOnce);
        await new Promise<void>((resolve) => { open.push(resolve); });
        state.atOnce -= 1;
        stored.push(...staged);
      },
    }),
  } as unknown as Kysely<object>;
  const releaseOne = () => open.shift()?.();
  return { db, stored, state, releaseOne, openCount: () => open.length };
}

const turn = () => new Promise<void>((resolve) => { setImmediate(resolve); });

describe('group commit: batches committing at once (concurrency)', () => {
  const committer = (gated: ReturnType<typeof gatedDatabase>, concurrency?: number) => createGroupCommit<Item>({
    db: gated.db, maxBatch: 100, ...(concurrency !== undefined ? { concurrency } : {}),
    write: (tx, batch) => { for (const item of batch) (tx as unknown as string[]).push(item.id); return Promise.resolve(); },
    present: (_db, items) => Promise.resolve(new Set(items.filter((item) => gated.stored.includes(item.id)))),
  });

  it('by default, items arriving while a batch commits wait for it and go in the next one', async () => {
    const gated = gatedDatabase();
    const log = committer(gated);
    const first = log.submit({ id: 'a' });
    await turn();
    const later = [log.submit({ id: 'b' }), log.submit({ id: 'c' })];
    await turn();
    expect(gated.openCount()).toBe(1);
    gated.releaseOne();
    await first;
    await turn();
    await turn();
    gated.releaseOne();
    await Promise.all(later);
    expect(gated.state.batches).toEqual([['a'], ['b', 'c']]);
    expect(gated.state.mostAtOnce).toBe(1);
  });

  it('with 2, items arriving while a batch commits start their own at once; each is answered after its own commit only', async () => {
    const gated = gatedDatabase();
    const log = committer(gated, 2);
    const answered: string[] = [];
    const first = log.submit({ id: 'a' }).then(() => { answered.push('a'); });
    await turn();
    const second = [log.submit({ id: 'b' }), log.submit({ id: 'c' })].map((p, i) => p.then(() => { answered.push(i === 0 ? 'b' : 'c'); }));
    await turn();
    // Both batches are committing; a third arrival waits for a free slot.
    expect(gated.openCount()).toBe(2);
    const third = log.submit({ id: 'd' }).then(() => { answered.push('d'); });
    await turn();
    expect(gated.openCount()).toBe(2);
    expect(answered).toEqual([]);
    gated.releaseOne();
    await first;
    expect(answered).toEqual(['a']);
    await turn();
    await turn();
    expect(gated.openCount()).toBe(2);
    gated.releaseOne();
    gated.releaseOne();
    await Promise.all([...second, third]);
    expect(gated.state.batches).toEqual([['a'], ['b', 'c'], ['d']]);
    expect(gated.state.mostAtOnce).toBe(2);
    expect(log.stats()).toEqual({ records: 4, transactions: 3 });
  });
});
