import { setTimeout as sleep } from 'node:timers/promises';
import { expect, it } from 'vitest';
import { describeEachDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { createDatabase, type Database } from '../db/index.js';
import { jobsMigrations } from './index.js';
import { claimJobs, finishDone, jobDb } from './store.js';
import { deferred, manualClock, testQueue, uniqueQueue } from './test-kit.js';

/** A second connection to the same database, as a second instance would have (PGlite: one process, one connection). */
async function secondConnection(test: TestDatabase, body: (db: Database['db']) => Promise<void>): Promise<void> {
  const other = test.kind === 'postgres' ? createDatabase(test.config) : undefined;
  try {
    await body((other ?? test.database).db);
  } finally {
    await other?.close();
  }
}

function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  return Promise.race([promise, sleep(ms, undefined, { ref: false }).then(() => { throw new Error(`${what} did not happen within ${ms} ms`); })]);
}

describeEachDatabase('job queue workers', [jobsMigrations], (use) => {
  it('re-runs a job whose worker died once its lease expires, and fences the dead worker off', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock, { leaseMs: 30_000 });
    const queue = uniqueQueue('lease');
    const attempts: number[] = [];
    const deadWorkerReports: boolean[] = [];
    jobs.register(queue, async (_p, context) => {
      attempts.push(context.attempt);
      // The dead worker comes back while the job runs again and tries to record its outcome.
      deadWorkerReports.push(await finishDone(jobDb(db), { id: context.id, attempt: 1 }, clock.now()));
    });
    const id = await jobs.enqueue(db, queue, {});

    // A worker claims the job exactly as a queue does, then dies: it never reports back.
    const [claimed] = await claimJobs(jobDb(db), { queues: [queue], limit: 1, instanceId: 'dead-worker', now: clock.now(), leaseMs: 30_000 });
    expect(claimed?.id).toBe(id);
    expect(await jobs.get(id)).toMatchObject({ state: 'running', lockedBy: 'dead-worker' });

    clock.advance(29_999);
    expect(await jobs.drain()).toBe(0);
    clock.advance(1);
    expect(await jobs.drain()).toBe(1);
    expect(attempts).toEqual([2]);
    expect(deadWorkerReports).toEqual([false]);
    expect(await jobs.get(id)).toMatchObject({ state: 'done', attempts: 2 });
  });

  it('gives a job up when the worker running its last attempt died, rather than run it again', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock, { leaseMs: 10_000 });
    const queue = uniqueQueue('poison');
    let ran = 0;
    jobs.register(queue, () => { ran += 1; });
    const id = await jobs.enqueue(db, queue, {}, { maxAttempts: 1 });
    await claimJobs(jobDb(db), { queues: [queue], limit: 1, instanceId: 'crashed', now: clock.now(), leaseMs: 10_000 });
    clock.advance(10_000);
    expect(await jobs.drain()).toBe(0);
    expect(ran).toBe(0);
    expect(await jobs.get(id)).toMatchObject({ state: 'failed', lastError: expect.stringContaining('worker running the last one stopped') as string });
  });

  it('renews the lease of a running handler so no other instance takes the job', async () => {
    const test = use();
    const clock = manualClock();
    const queue = uniqueQueue('long');
    const hold = deferred();
    const started = deferred();
    const leaseMs = 300;
    const runs: string[] = [];
    const a = testQueue(test.database.db, clock, { leaseMs, instanceId: 'a' });
    a.register(queue, async () => { runs.push('a'); started.resolve(); await hold.promise; });
    const id = await a.enqueue(test.database.db, queue, {});
    const draining = a.drain();
    await started.promise;
    await secondConnection(test, async (db) => {
      const b = testQueue(db, clock, { leaseMs, instanceId: 'b' });
      b.register(queue, () => { runs.push('b'); });
      clock.advance(leaseMs - 50);
      // The worker renews every leaseMs / 3 of real time, from the (moved) clock.
      const renewed = clock.now().getTime() + leaseMs;
      await expect.poll(async () => (await a.get(id))?.lockedUntil?.getTime(), { timeout: 5_000 }).toBe(renewed);
      clock.advance(100); // past the first lease, inside the renewed one
      expect(await b.drain()).toBe(0);
      hold.resolve();
      expect(await draining).toBe(1);
      expect(await b.drain()).toBe(0);
    });
    expect(runs).toEqual(['a']);
  });

  it('runs each of N jobs exactly once with two instances draining concurrently', async () => {
    const test = use();
    const clock = manualClock();
    const queue = uniqueQueue('fanout');
    const n = 40;
    const calls = new Map<string, string[]>();
    const handler = (who: string) => async (_p: unknown, context: { id: string }) => {
      calls.set(context.id, [...(calls.get(context.id) ?? []), who]);
      await sleep(2);
    };
    const a = testQueue(test.database.db, clock, { instanceId: 'a', concurrency: 3 });
    a.register(queue, handler('a'));
    const ids = new Set<string>();
    for (let i = 0; i < n; i += 1) ids.add(await a.enqueue(test.database.db, queue, { i }));

    await secondConnection(test, async (db) => {
      const b = testQueue(db, clock, { instanceId: 'b', concurrency: 3 });
      b.register(queue, handler('b'));
      const [ranA, ranB] = await Promise.all([a.drain(), b.drain()]);
      expect(ranA + ranB).toBe(n);
    });
    expect(new Set(calls.keys())).toEqual(ids);
    expect([...calls.values()].every((who) => who.length === 1)).toBe(true);
    expect((await a.stats()).filter((s) => s.queue === queue)).toEqual([{ queue, state: 'done', count: n }]);
  });

  it('creates one periodic job per time slot across two instances', async () => {
    const test = use();
    const clock = manualClock('2030-01-01T00:00:30.000Z');
    const queue = uniqueQueue('checkpoint');
    const slots: { runAt: string; key: string | undefined; who: string; payload: unknown }[] = [];
    await secondConnection(test, async (db) => {
      const instances = [testQueue(test.database.db, clock, { instanceId: 'a' }), testQueue(db, clock, { instanceId: 'b' })];
      instances.forEach((q, i) => {
        q.register(queue, (payload, context) => { slots.push({ runAt: context.runAt.toISOString(), key: context.key, who: String(i), payload }); });
        q.every(queue, 60_000, { chain: 'main' });
      });
      const drainAll = async () => (await Promise.all(instances.map((q) => q.drain()))).reduce((x, y) => x + y, 0);
      expect(await drainAll()).toBe(1);
      clock.advance(20_000);
      expect(await drainAll()).toBe(0);
      clock.advance(10_000); // 00:01:00, the next slot
      expect(await drainAll()).toBe(1);
      clock.advance(5 * 60_000); // slots missed while nobody looked are not made up
      expect(await drainAll()).toBe(1);
    });
    expect(slots.map((s) => s.runAt)).toEqual(['2030-01-01T00:00:00.000Z', '2030-01-01T00:01:00.000Z', '2030-01-01T00:06:00.000Z']);
    expect(slots.map((s) => s.key)).toEqual(slots.map((s) => `every:60000:${s.runAt}`));
    expect(slots.every((s) => JSON.stringify(s.payload) === '{"chain":"main"}')).toBe(true);
  });

  it('runs a job right after enqueue once started, without waiting for the next poll', async () => {
    const { db } = use().database;
    const jobs = testQueue(db, manualClock(), { pollMs: 60_000 });
    const queue = uniqueQueue('fast');
    const seen: number[] = [];
    const ran = [deferred(), deferred()];
    jobs.register<{ n: number }>(queue, ({ n }) => { seen.push(n); ran[n]?.resolve(); });
    jobs.start();
    try {
      await sleep(50); // the first poll has come and gone; the next is a minute away
      await jobs.enqueue(db, queue, { n: 0 });
      await within(ran[0]!.promise, 5_000, 'running a job enqueued outside a transaction');
      await db.transaction().execute((tx) => jobs.enqueue(tx, queue, { n: 1 }));
      await within(ran[1]!.promise, 5_000, 'running a job enqueued in a committed transaction');
    } finally {
      await jobs.stop();
    }
    expect(seen).toEqual([0, 1]);
  });

  it('polls for jobs another instance enqueued', async () => {
    const test = use();
    const clock = manualClock();
    const queue = uniqueQueue('polled');
    const ran = deferred();
    const worker = testQueue(test.database.db, clock, { pollMs: 50 });
    worker.register(queue, () => { ran.resolve(); });
    worker.start();
    try {
      await sleep(100);
      await secondConnection(test, async (db) => {
        await testQueue(db, clock).enqueue(db, queue, {});
      });
      await within(ran.promise, 5_000, 'polling');
    } finally {
      await worker.stop();
    }
  });

  it('stop() waits for a running handler to finish and record its outcome', async () => {
    const { db } = use().database;
    const jobs = testQueue(db, manualClock(), { pollMs: 20 });
    const queue = uniqueQueue('graceful');
    const started = deferred();
    const hold = deferred();
    jobs.register(queue, async () => { started.resolve(); await hold.promise; });
    const id = await jobs.enqueue(db, queue, {});
    jobs.start();
    await within(started.promise, 5_000, 'starting the handler');

    let stopped = false;
    const stopping = jobs.stop().then(() => { stopped = true; });
    await sleep(100);
    expect(stopped).toBe(false);
    expect((await jobs.get(id))?.state).toBe('running');
    hold.resolve();
    await stopping;
    expect((await jobs.get(id))?.state).toBe('done');
    // Stopped means stopped: a new job waits for the next start or drain.
    const next = await jobs.enqueue(db, queue, {});
    await sleep(100);
    expect((await jobs.get(next))?.state).toBe('pending');
  });
});
