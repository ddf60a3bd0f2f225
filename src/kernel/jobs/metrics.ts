import type { Logger } from 'pino';
import { Gauge, type Registry } from 'prom-client';
import type { JobQueue, JobState } from './types.js';

/** The states counted: each has a small partial index. Done jobs are not counted (see below). */
const GAUGED_STATES: readonly JobState[] = ['pending', 'running', 'failed'];

/**
 * `tongban_jobs{queue,state}` in /metrics: jobs waiting, running and failed per queue, counted
 * from the job table when Prometheus scrapes, so every instance reports the whole platform's queue.
 * Done jobs are left out: they are most of the table (kept TONGBAN_JOBS_RETENTION_DAYS) and
 * counting them would read all of it on every scrape. A queue with a job in one of the three
 * states reports all three, zero included. If the count fails (the database is down), the job
 * series are absent from that scrape and a warning is logged; the HTTP metrics are still served.
 */
export function registerJobMetrics(registry: Registry, jobs: Pick<JobQueue, 'stats'>, log: Logger): Gauge<'queue' | 'state'> {
  return new Gauge({
    name: 'tongban_jobs',
    help: 'Background jobs per queue and state (pending, running, failed), counted at scrape time',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      this.reset();
      let stats;
      try {
        stats = await jobs.stats(GAUGED_STATES);
      } catch (err) {
        log.warn({ err }, 'could not count jobs for /metrics');
        return;
      }
      for (const queue of new Set(stats.map((s) => s.queue))) {
        for (const state of GAUGED_STATES) this.set({ queue, state }, 0);
      }
      for (const { queue, state, count } of stats) this.set({ queue, state }, count);
    },
  });
}
