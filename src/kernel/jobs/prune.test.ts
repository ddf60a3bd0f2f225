import { sql } from 'kysely';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { jobsMigrations, JOBS_PRUNE_QUEUE, registerJobPruning } from './index.js';
import { deferred, manualClock, testQueue, uniqueQueue } from './test-kit.js';

const DAY = 24 * 3_600_000;

describeEachDatabase('job pruning', [jobsMigrations], (use) => {
  it('deletes done and failed jobs older than the retention, and keeps recent, pending and running ones', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const worker = testQueue(db, clock, { leaseMs: 30 * DAY });
    const ok = uniqueQueue('ok');
    const bad = uniqueQueue('bad');
    const slow = uniqueQueue('slow');
    const nobody = uniqueQueue('nobody');
    const hold = deferred();
    worker.register(ok, () => {});
    worker.register(bad, () => { throw new Error('broken'); });

    // Ten days ago: one done, one failed, one waiting for a handler that never comes.
    const oldDone = await worker.enqueue(db, ok, { n: 1 });
    const oldFailed = await worker.enqueue(db, bad, {}, { maxAttempts: 1 });
    const oldPending = await worker.enqueue(db, nobody, {});
    const oldDelayed = await worker.enqueue(db, ok, { n: 2 }, { runAt: new Date(clock.now().getTime() + 60 * DAY) });
    expect(await worker.drain()).toBe(2);
    // ...and one still running then, and now: its worker holds it.
    worker.register(slow, () => hold.promise);
    const oldRunning = await worker.enqueue(db, slow, {});
    const running = worker.drain();
    while ((await worker.get(oldRunning))?.state !== 'running') await new Promise((r) => setTimeout(r, 10));

    clock.advance(10 * DAY);
    const recentDone = await worker.enqueue(db, ok, { n: 3 });
    const recentFailed = await worker.enqueue(db, bad, {}, { maxAttempts: 1 });
    const other = testQueue(db, clock);
    other.register(ok, () => {});
    other.register(bad, () => { throw new Error('broken'); });
    expect(await other.drain()).toBe(2);

    // The prune runs as a periodic job, here on a third instance, with seven days' retention.
    clock.advance(DAY);
    const pruner = testQueue(db, clock);
    registerJobPruning(pruner, { retentionDays: 7, now: clock.now });
    expect(await pruner.drain()).toBe(1);

    const state = async (id: string) => (await pruner.get(id))?.state ?? 'deleted';
    expect({
      oldDone: await state(oldDone), oldFailed: await state(oldFailed), oldPending: await state(oldPending), oldDelayed: await state(oldDelayed),
      oldRunning: await state(oldRunning), recentDone: await state(recentDone), recentFailed: await state(recentFailed),
    }).toEqual({
      oldDone: 'deleted', oldFailed: 'deleted', oldPending: 'pending', oldDelayed: 'pending',
      oldRunning: 'running', recentDone: 'done', recentFailed: 'failed',
    });
    const prunes = (await pruner.stats()).filter((s) => s.queue === JOBS_PRUNE_QUEUE);
    expect(prunes).toEqual([{ queue: JOBS_PRUNE_QUEUE, state: 'done', count: 1 }]);

    hold.resolve();
    expect(await running).toBe(1);
    expect(await state(oldRunning)).toBe('done');
  });

  it('deletes a backlog larger than one delete batch', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock);
    const queue = uniqueQueue('many');
    const long = new Date(clock.now().getTime() - 30 * DAY);
    await sql`insert into kernel_job (id, queue, key, payload, state, attempts, max_attempts, run_at, created_at, updated_at, finished_at)
      select gen_random_uuid(), ${queue}, null, '{}'::jsonb, 'done', 1, 1, ${long}, ${long}, ${long}, ${long}
      from generate_series(1, 12001)`.execute(db);
    const kept = await jobs.enqueue(db, queue, {});
    expect(await jobs.prune(new Date(clock.now().getTime() - 7 * DAY))).toBe(12_001);
    expect((await jobs.stats()).filter((s) => s.queue === queue)).toEqual([{ queue, state: 'pending', count: 1 }]);
    expect((await jobs.get(kept))?.state).toBe('pending');
  });
});
