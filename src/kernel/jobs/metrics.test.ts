import pino from 'pino';
import { Registry } from 'prom-client';
import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { jobsMigrations, registerJobMetrics } from './index.js';
import { manualClock, testQueue, uniqueQueue } from './test-kit.js';

describeEachDatabase('job metrics', [jobsMigrations], (use) => {
  it('counts pending, running and failed jobs per queue at scrape time, zero included, never done ones', async () => {
    const { db } = use().database;
    const clock = manualClock();
    const jobs = testQueue(db, clock);
    const registry = new Registry();
    registerJobMetrics(registry, jobs, pino({ level: 'silent' }));
    const [bad, ok] = [uniqueQueue('bad'), uniqueQueue('ok')];
    jobs.register(bad, () => { throw new Error('no'); });
    jobs.register(ok, () => undefined);
    await jobs.enqueue(db, bad, {}, { maxAttempts: 1 });
    await jobs.enqueue(db, ok, {});
    await jobs.enqueue(db, ok, {}, { runAt: new Date(clock.now().getTime() + 60_000) });
    await jobs.drain();

    const text = await registry.metrics();
    expect(text).toContain(`tongban_jobs{queue="${bad}",state="failed"} 1`);
    expect(text).toContain(`tongban_jobs{queue="${bad}",state="pending"} 0`);
    expect(text).toContain(`tongban_jobs{queue="${ok}",state="pending"} 1`);
    expect(text).toContain(`tongban_jobs{queue="${ok}",state="running"} 0`);
    expect(text).not.toContain('state="done"');

    await jobs.retryQueue(bad);
    const after = await registry.metrics();
    expect(after).toContain(`tongban_jobs{queue="${bad}",state="pending"} 1`);
    expect(after).toContain(`tongban_jobs{queue="${bad}",state="failed"} 0`);
  });

  it('leaves the job series out of a scrape whose count fails, and logs a warning', async () => {
    const registry = new Registry();
    const warnings: unknown[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => { warnings.push(JSON.parse(line)); } });
    registerJobMetrics(registry, { stats: () => Promise.reject(new Error('database down')) }, log);
    const text = await registry.metrics();
    expect(text).not.toMatch(/^tongban_jobs\{/m);
    expect(warnings).toEqual([expect.objectContaining({ msg: 'could not count jobs for /metrics' })]);
  });
});
