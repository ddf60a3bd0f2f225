import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { TongbanError } from '../http/errors.js';
import { jobsMigrations } from './index.js';
import { manualClock, testQueue, uniqueQueue } from './test-kit.js';
import type { JobContext } from './types.js';

describeEachDatabase('job queue', [jobsMigrations], (use) => {
  it('keeps a job enqueued in a committed transaction and never one whose transaction rolled back', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock);
    const queue = uniqueQueue('notify');
    const seen: unknown[] = [];
    jobs.register<{ to: string }>(queue, (payload) => { seen.push(payload); });

    const kept = await db.transaction().execute((tx) => jobs.enqueue(tx, queue, { to: 'kept' }));
    let lost = '';
    await expect(db.transaction().execute(async (tx) => {
      lost = await jobs.enqueue(tx, queue, { to: 'lost' });
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');

    expect(await jobs.get(lost)).toBeUndefined();
    expect((await jobs.get(kept))?.state).toBe('pending');
    expect(await jobs.drain()).toBe(1);
    expect(seen).toEqual([{ to: 'kept' }]);
    const done = await jobs.get(kept);
    expect(done).toMatchObject({ state: 'done', attempts: 1, finishedAt: clock.now(), lockedBy: undefined });
  });

  it('treats a second enqueue with the same key in the same queue as a no-op returning the first id', async () => {
    const { db } = use().database;
    const jobs = testQueue(db, manualClock());
    const queue = uniqueQueue('remind');
    const first = await jobs.enqueue(db, queue, { n: 1 }, { key: 'application-7' });
    const again = await db.transaction().execute((tx) => jobs.enqueue(tx, queue, { n: 2 }, { key: 'application-7' }));
    const elsewhere = await jobs.enqueue(db, uniqueQueue('other'), { n: 3 }, { key: 'application-7' });
    expect(again).toBe(first);
    expect(elsewhere).not.toBe(first);
    expect((await jobs.get(first))?.payload).toEqual({ n: 1 });

    const payloads: unknown[] = [];
    jobs.register(queue, (p) => { payloads.push(p); });
    expect(await jobs.drain()).toBe(1);
    // The key stays taken once the job is done: a late retry of the caller creates nothing.
    expect(await jobs.enqueue(db, queue, { n: 4 }, { key: 'application-7' })).toBe(first);
    expect(await jobs.drain()).toBe(0);
    expect(payloads).toEqual([{ n: 1 }]);
  });

  it('retries with exponential backoff, then fails keeping the last error, and can be retried by hand', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock, { backoff: { baseMs: 1_000, maxMs: 3_000 } });
    const queue = uniqueQueue('flaky');
    const attempts: JobContext[] = [];
    jobs.register(queue, (_p, context) => {
      attempts.push(context);
      throw new Error(`mail server down (try ${context.attempt})`);
    });
    const id = await jobs.enqueue(db, queue, {}, { maxAttempts: 4 });

    expect(await jobs.drain()).toBe(1);
    expect(await jobs.get(id)).toMatchObject({ state: 'pending', attempts: 1, lastError: 'Error: mail server down (try 1)' });
    // Waits 1 s, 2 s, then 3 s (the cap) before attempts 2, 3 and 4.
    for (const wait of [1_000, 2_000, 3_000]) {
      clock.advance(wait - 1);
      expect(await jobs.drain()).toBe(0);
      clock.advance(1);
      expect(await jobs.drain()).toBe(1);
    }
    expect(attempts.map((c) => c.attempt)).toEqual([1, 2, 3, 4]);
    expect(attempts.every((c) => c.maxAttempts === 4 && c.id === id && c.queue === queue)).toBe(true);
    const failed = await jobs.get(id);
    expect(failed).toMatchObject({ state: 'failed', attempts: 4, lastError: 'Error: mail server down (try 4)', finishedAt: clock.now() });

    clock.advance(24 * 3_600_000);
    expect(await jobs.drain()).toBe(0);
    expect(await jobs.retry(id)).toBe(true);
    expect(await jobs.retry(id)).toBe(false);
    expect(await jobs.drain()).toBe(1);
    expect(attempts.at(-1)?.attempt).toBe(1);
  });

  it('lists failed jobs latest failure first, narrowed to a queue, and retries every failed job of a queue', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock);
    const [mail, sms] = [uniqueQueue('mail'), uniqueQueue('sms')];
    const runs: string[] = [];
    let failing = true;
    for (const queue of [mail, sms]) {
      jobs.register<{ n: number }>(queue, ({ n }) => {
        runs.push(`${queue}:${n}`);
        if (failing) throw new Error(`down ${n}`);
      });
    }
    const ids: string[] = [];
    for (const [queue, n] of [[mail, 1], [sms, 2], [mail, 3]] as const) {
      ids.push(await jobs.enqueue(db, queue, { n }, { maxAttempts: 1 }));
      await jobs.drain();
      clock.advance(1_000);
    }
    const done = await jobs.enqueue(db, mail, { n: 4 }, { maxAttempts: 1 });
    failing = false;
    await jobs.drain();

    const mine = <T extends { queue: string }>(list: T[]) => list.filter((j) => j.queue === mail || j.queue === sms);
    expect(mine(await jobs.failed()).map((j) => [j.id, j.lastError])).toEqual([[ids[2], 'Error: down 3'], [ids[1], 'Error: down 2'], [ids[0], 'Error: down 1']]);
    expect((await jobs.failed({ queue: mail })).map((j) => j.id)).toEqual([ids[2], ids[0]]);
    expect((await jobs.failed({ queue: mail, limit: 1 })).map((j) => j.id)).toEqual([ids[2]]);
    expect((await jobs.failed({ queue: mail })).some((j) => j.id === done)).toBe(false);
    await expect(jobs.failed({ limit: 0 })).rejects.toMatchObject({ code: 'TB_JOBS_INVALID_OPTIONS' });
    expect(mine(await jobs.stats(['failed']))).toEqual([{ queue: mail, state: 'failed', count: 2 }, { queue: sms, state: 'failed', count: 1 }]);
    expect(await jobs.stats([])).toEqual([]);

    expect(await jobs.retryQueue(mail)).toBe(2);
    expect(await jobs.retryQueue(mail)).toBe(0);
    expect(await jobs.failed({ queue: mail })).toEqual([]);
    runs.length = 0;
    expect(await jobs.drain()).toBe(2);
    expect(runs.sort()).toEqual([`${mail}:1`, `${mail}:3`]);
    expect((await jobs.failed({ queue: sms })).map((j) => j.id)).toEqual([ids[1]]);
  });

  it('does not run a job before its runAt', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock);
    const queue = uniqueQueue('deadline');
    const ran: Date[] = [];
    jobs.register(queue, (_p, context) => { ran.push(context.runAt); });
    const runAt = new Date(clock.now().getTime() + 3_600_000);
    await jobs.enqueue(db, queue, {}, { runAt });

    expect(await jobs.drain()).toBe(0);
    clock.advance(3_600_000 - 1);
    expect(await jobs.drain()).toBe(0);
    clock.advance(1);
    expect(await jobs.drain()).toBe(1);
    expect(ran).toEqual([runAt]);
  });

  it('leaves a job of a queue nobody handles pending until a handler is registered', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock);
    const queue = uniqueQueue('later');
    const id = await jobs.enqueue(db, queue, { keep: true });
    clock.advance(7 * 24 * 3_600_000);
    expect(await jobs.drain()).toBe(0);
    expect((await jobs.stats()).filter((s) => s.queue === queue)).toEqual([{ queue, state: 'pending', count: 1 }]);

    const late = testQueue(db, clock);
    const got: unknown[] = [];
    late.register(queue, (p) => { got.push(p); });
    expect(await late.drain()).toBe(1);
    expect(got).toEqual([{ keep: true }]);
    expect((await late.get(id))?.state).toBe('done');
  });

  it('counts jobs per queue and state, and prunes old finished jobs', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock);
    const ok = uniqueQueue('ok');
    const bad = uniqueQueue('bad');
    jobs.register(ok, async () => {});
    jobs.register(bad, () => { throw new TongbanError('TB_JOBS_INVALID_OPTIONS', { detail: 'bad input' }); });
    for (let i = 0; i < 3; i += 1) await jobs.enqueue(db, ok, { i });
    await jobs.enqueue(db, bad, {}, { maxAttempts: 1 });
    await jobs.enqueue(db, ok, {}, { runAt: new Date(clock.now().getTime() + 60_000) });
    expect(await jobs.drain()).toBe(4);

    const mine = (await jobs.stats()).filter((s) => s.queue === ok || s.queue === bad);
    expect(mine).toEqual(expect.arrayContaining([
      { queue: ok, state: 'done', count: 3 },
      { queue: ok, state: 'pending', count: 1 },
      { queue: bad, state: 'failed', count: 1 },
    ]));
    expect(mine).toHaveLength(3);
    const failed = (await jobs.stats()).find((s) => s.queue === bad);
    expect(failed?.count).toBe(1);

    expect(await jobs.prune(clock.now())).toBe(0);
    clock.advance(1);
    expect(await jobs.prune(clock.now())).toBeGreaterThanOrEqual(4);
    const after = (await jobs.stats()).filter((s) => s.queue === ok || s.queue === bad);
    expect(after).toEqual([{ queue: ok, state: 'pending', count: 1 }]);
  });

  it('stores the error code of a failing TongbanError', async () => {
    const { db } = use().database;
    const jobs = testQueue(db, manualClock());
    const queue = uniqueQueue('coded');
    jobs.register(queue, () => { throw new TongbanError('TB_JOBS_INVALID_OPTIONS', { detail: 'no template' }); });
    const id = await jobs.enqueue(db, queue, {}, { maxAttempts: 1 });
    await jobs.drain();
    expect((await jobs.get(id))?.lastError).toBe('TB_JOBS_INVALID_OPTIONS: TongbanError: no template');
  });

  it('refuses what it could not honour: bad options, non-JSON payloads, a second handler', async () => {
    const { db } = use().database;
    const jobs = testQueue(db, manualClock());
    const queue = uniqueQueue('strict');
    const code = (p: Promise<unknown>) => p.then(() => 'no error', (e: unknown) => (e instanceof TongbanError ? e.code : String(e)));
    expect(await code(jobs.enqueue(db, queue, {}, { maxAttempts: 0 }))).toBe('TB_JOBS_INVALID_OPTIONS');
    expect(await code(jobs.enqueue(db, queue, {}, { runAt: new Date('nonsense') }))).toBe('TB_JOBS_INVALID_OPTIONS');
    expect(await code(jobs.enqueue(db, queue, { n: 1n }))).toBe('TB_JOBS_PAYLOAD_NOT_JSON');
    expect(await code(jobs.enqueue(db, queue, undefined))).toBe('TB_JOBS_PAYLOAD_NOT_JSON');
    jobs.register(queue, async () => {});
    expect(() => jobs.register(queue, async () => {})).toThrow(expect.objectContaining({ code: 'TB_JOBS_HANDLER_TAKEN' }));
    expect(() => jobs.every(queue, 0, {})).toThrow(expect.objectContaining({ code: 'TB_JOBS_INVALID_OPTIONS' }));
    expect(await jobs.get('not-a-uuid')).toBeUndefined();
    expect((await jobs.stats()).some((s) => s.queue === queue)).toBe(false);
  });
});
