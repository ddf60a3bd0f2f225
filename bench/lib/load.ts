import autocannon from 'autocannon';
import { percentile } from '../report.js';

export interface LoadSpec {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** POST this body (JSON text) instead of a GET. */
  readonly body?: string;
  readonly seconds: number;
  readonly connections: number;
  /** Requests per second across all connections; unset runs flat out (throughput). */
  readonly overallRate?: number;
}

export interface LoadResult {
  /** Successful (2xx) answers per second over the whole run. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  /** Non-2xx answers plus connection errors and timeouts: a valid run has none. */
  readonly failed: number;
}

/**
 * One autocannon run on loopback. Latencies come from autocannon's per-response event (hrtime,
 * fractions of a millisecond) rather than its histogram, which rounds to whole milliseconds:
 * too coarse for "under 2 ms added".
 */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  if (!spec.url.startsWith('http://127.0.0.1:')) throw new Error(`load goes to 127.0.0.1 only, not ${spec.url}`);
  const latencies: number[] = [];
  let settle: (value: autocannon.Result) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => { settle = resolve; fail = reject; });
  const instance = autocannon({
    url: spec.url,
    headers: { ...spec.headers },
    ...(spec.body !== undefined ? { method: 'POST' as const, body: spec.body } : {}),
    duration: spec.seconds,
    connections: spec.connections,
    ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
    timeout: 10,
  }, (error: unknown, result: autocannon.Result) => (error ? fail(error) : settle(result)));
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
  });
  const result = await done;
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    ok,
    failed: result.non2xx + result.errors,
  };
}
