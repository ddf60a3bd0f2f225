import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';
import { percentile } from '../report.js';
import type { LoadResult } from './load.js';

export interface PacedSpec {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly seconds: number;
  /** Requests per second, sent evenly spaced. */
  readonly rate: number;
  /** The path (and query) of request number n, when they differ (e.g. a different record each time); the url's otherwise. */
  readonly pathAt?: (n: number) => string;
}

/**
 * An open-loop load at a steady rate: one request every 1/rate seconds, whether or not earlier
 * ones have been answered. autocannon's `overallRate` is not
 * steady: each connection sends its share of the second back to back and then waits for the next
 * second, so its latencies at "200 req/s" measure a burst of 200 queueing behind each other.
 */
export async function paced(spec: PacedSpec): Promise<LoadResult> {
  const target = new URL(spec.url);
  if (target.hostname !== '127.0.0.1') throw new Error(`load goes to 127.0.0.1 only, not ${spec.url}`);
  const path = `${target.pathname}${target.search}`;
  const pool = new Pool(target.origin, { connections: 64, keepAliveTimeout: 10_000 });
  try {
    return await pacedSends(spec, async (n) => {
      const answer = await pool.request({ method: 'GET', path: spec.pathAt ? spec.pathAt(n) : path, headers: { ...spec.headers } });
      await answer.body.dump();
      return answer.statusCode >= 200 && answer.statusCode < 300;
    });
  } finally {
    await pool.close();
  }
}

/**
 * The steady open loop itself, for any operation: `send(n)` starts operation number n when it is
 * due and settles true when it succeeded; a false or a rejection counts as failed.
 *
 * Each success is timed from when it was sent, not from when it was due. Nothing the server does
 * can hold a send back (none waits for an earlier answer, and a request waiting for a free pooled
 * connection is already sent), so the gap between the two is this process's own timer: Node's
 * timers have millisecond granularity, and it measured 0.5 ms at the median and 1.2 ms at p99 at
 * 200/s with a no-op send. Counted in, it inflated the baseline and the subject alike and widened
 * the noise of their difference.
 */
export async function pacedSends(spec: { readonly rate: number; readonly seconds: number }, send: (n: number) => Promise<boolean>): Promise<LoadResult> {
  const latencies: number[] = [];
  let failed = 0;
  const pending: Promise<void>[] = [];
  const start1 = (n: number) => {
    const sentAt = performance.now();
    return send(n).then((ok) => {
      if (ok) latencies.push(performance.now() - sentAt);
      else failed += 1;
    }, () => { failed += 1; });
  };

  const interval = 1000 / spec.rate;
  const total = Math.round(spec.rate * spec.seconds);
  const start = performance.now();
  for (let sent = 0; sent < total;) {
    const now = performance.now();
    // Everything due by now goes out now (a late timer never thins the load out).
    while (sent < total && start + sent * interval <= now) {
      pending.push(start1(sent));
      sent += 1;
    }
    const next = start + sent * interval - performance.now();
    if (next > 0) await sleep(Math.max(0, next - 0.5));
  }
  await Promise.all(pending);
  const elapsed = (performance.now() - start) / 1000;
  return { rps: latencies.length / elapsed, p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), ok: latencies.length, failed };
}
