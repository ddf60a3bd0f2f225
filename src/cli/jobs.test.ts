import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import type { Built } from '../app.js';
import { manualClock, testQueue } from '../kernel/jobs/test-kit.js';
import type { JobQueue } from '../kernel/jobs/index.js';
import { demoApp } from '../modules/applications/test-kit.js';
import { migrationSources } from '../modules/index.js';
import { registerJobsCommands } from './jobs.js';
import { runCli } from './test-kit.js';

afterEach(() => { process.exitCode = undefined; });

/** An operator lists the jobs that gave up and runs them again, on both databases (ADR 4). */
describeEachDatabase('tongban jobs', migrationSources, (use) => {
  let built: Built;
  // A worker of its own for two test queues: the app's handlers are not run here.
  let worker: JobQueue;
  const clock = manualClock('2031-01-01T00:00:00.000Z');
  const [mail, sms] = ['test.cli-mail', 'test.cli-sms'];
  let mailDown = true;
  const ran: string[] = [];
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    built = await demoApp(use());
    worker = testQueue(built.kernel.db, clock);
    worker.register<{ to: string }>(mail, ({ to }) => {
      ran.push(to);
      if (mailDown) throw new Error(`mail server refused ${to}\n  caused by: connection reset`);
    });
    worker.register(sms, () => { throw new Error('no SMS gateway'); });
    for (const [name, queue] of [['a', mail], ['b', sms], ['c', mail]] as const) {
      ids[name] = await worker.enqueue(built.kernel.db, queue, { to: name }, { maxAttempts: 2 });
      await worker.drain();
      clock.advance(60_000);
      await worker.drain();
    }
    ids.pending = await worker.enqueue(built.kernel.db, mail, { to: 'later' }, { runAt: new Date(clock.now().getTime() + 3_600_000) });
  });
  afterAll(async () => { await built.app.close(); });

  const run = (...args: string[]) => runCli((program, output) => registerJobsCommands(program, () => Promise.resolve({ kernel: built.kernel, close: () => Promise.resolve() }), output), ['jobs', ...args]);
  const audited = async () => (await sql<{ resource_id: string | null; queue: string; jobs: number; actor_id: string }>`
    select resource_id, details->>'queue' as queue, (details->>'jobs')::int as jobs, actor_id from tb_audit_record
    where action = 'jobs.retry' order by at, seq`.execute(built.kernel.db)).rows;
  const ours = (lines: string[]) => lines.filter((l) => l.includes('\ttest.cli-'));

  it('lists failed jobs, the latest failure first, one line each; narrows to a queue; prints JSON with the full error', async () => {
    const listed = await run('failed');
    expect(ours(listed.lines)).toEqual([
      `${ids.c}\t${mail}\t2/2\t2031-01-01T00:03:00.000Z\tError: mail server refused c caused by: connection reset`,
      `${ids.b}\t${sms}\t2/2\t2031-01-01T00:02:00.000Z\tError: no SMS gateway`,
      `${ids.a}\t${mail}\t2/2\t2031-01-01T00:01:00.000Z\tError: mail server refused a caused by: connection reset`,
    ]);
    expect(listed.exitCode).toBeUndefined();

    expect((await run('failed', '--queue', mail)).lines).toEqual(ours(listed.lines).filter((l) => l.includes(mail)));
    const json = await run('failed', '--queue', mail, '--json');
    expect(JSON.parse(json.lines.join('\n'))).toEqual([
      { id: ids.c, queue: mail, attempts: 2, maxAttempts: 2, failedAt: '2031-01-01T00:03:00.000Z', lastError: 'Error: mail server refused c\n  caused by: connection reset' },
      { id: ids.a, queue: mail, attempts: 2, maxAttempts: 2, failedAt: '2031-01-01T00:01:00.000Z', lastError: 'Error: mail server refused a\n  caused by: connection reset' },
    ]);
    const limited = await run('failed', '--queue', mail, '--limit', '1');
    expect(limited).toEqual({ lines: [ours(listed.lines)[0]], errors: ['showing the latest 1; there may be more (--limit)'], exitCode: undefined });
    expect((await run('failed', '--queue', 'test.cli-none')).lines).toEqual(['no failed jobs in queue test.cli-none']);
    expect(await run('failed', '--queue', 'test.cli-none', '--json')).toEqual({ lines: ['[]'], errors: [], exitCode: undefined });
  });

  it('retries one failed job with fresh attempts, then every failed job of a queue; audited as cli', async () => {
    mailDown = false;
    expect(await run('retry', ids.a ?? '')).toEqual({ lines: [`job ${ids.a} (queue ${mail}) will run again`], errors: [], exitCode: undefined });
    expect(await worker.drain()).toBe(1);
    expect(ran.at(-1)).toBe('a');
    expect(await built.kernel.jobs.get(ids.a ?? '')).toMatchObject({ state: 'done', attempts: 1 });

    expect((await run('retry', '--queue', sms, '--all')).lines).toEqual([`1 failed job of queue ${sms} will run again`]);
    expect((await built.kernel.jobs.get(ids.b ?? ''))?.state).toBe('pending');
    expect((await run('retry', '--queue', sms, '--all')).lines).toEqual([`no failed jobs in queue ${sms}`]);
    expect(ours((await run('failed')).lines).map((l) => l.split('\t')[0])).toEqual([ids.c]);

    expect(await audited()).toEqual([
      { resource_id: ids.a, queue: mail, jobs: 1, actor_id: 'cli' },
      { resource_id: null, queue: sms, jobs: 1, actor_id: 'cli' },
    ]);
  });

  it('shows the counts per queue and state in /metrics', async () => {
    const metrics = (await built.app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain(`tongban_jobs{queue="${mail}",state="failed"} 1`);
    expect(metrics).toContain(`tongban_jobs{queue="${mail}",state="pending"} 1`);
    expect(metrics).toContain(`tongban_jobs{queue="${sms}",state="pending"} 1`);
    expect(metrics).toContain(`tongban_jobs{queue="${sms}",state="failed"} 0`);
  });

  it('refuses what it cannot do, changing nothing: a job that is not failed, an unknown id, a bad combination, a bad limit', async () => {
    const before = await audited();
    expect(await run('retry', ids.pending ?? '')).toEqual({ lines: [], errors: [`Job ${ids.pending} is pending, not failed: nothing to retry`], exitCode: 1 });
    expect(await run('retry', 'not-a-job')).toEqual({ lines: [], errors: ['No job not-a-job'], exitCode: 1 });
    for (const args of [[], ['--all'], ['--queue', mail], [ids.c ?? '', '--queue', mail, '--all'], [ids.c ?? '', '--all']]) {
      expect(await run('retry', ...args)).toEqual({ lines: [], errors: ['Give a job id, or --queue <queue> --all'], exitCode: 1 });
    }
    for (const limit of ['0', 'x', '1.5']) {
      expect(await run('failed', '--limit', limit)).toEqual({ lines: [], errors: ['--limit must be a whole number of at least 1'], exitCode: 1 });
    }
    expect((await built.kernel.jobs.get(ids.c ?? ''))?.state).toBe('failed');
    expect(await audited()).toEqual(before);
  });
});
