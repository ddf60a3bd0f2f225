import autocannon from 'autocannon';
import { percentile } from '../report.js';

export interface LoadSpec {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** POST this body (JSON text) instead of a GET; a function gives each request its own. */
  readonly body?: string | (() => string);
  readonly seconds: number;
  readonly connections: number;
  /** Requests per second across all connections; unset runs flat out (throughput). */
  readonly overallRate?: number;
  /** For an https url: the client certificate and key every connection presents (mutual TLS). */
  readonly clientCertificate?: { readonly cert: string; readonly key: string };
}

export interface LoadResult {
  /** Successful (2xx) answers per second over the whole run. */
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly ok: number;
  /** Non-2xx answers plus connection errors and timeouts: a valid run has none. */
  readonly failed: number;
  readonly problems?: string;
}

/**
 * One autocannon run on loopback. Latencies come from autocannon's per-response event (hrtime,
 * fractions of a millisecond) rather than its histogram, which rounds to whole milliseconds:
 * too coarse for "under 2 ms added".
 */
export async function load(spec: LoadSpec): Promise<LoadResult> {
  if (!/^https?:\/\/127\.0\.0\.1:/.test(spec.url)) throw new Error(`load goes to 127.0.0.1 only, not ${spec.url}`);
  const latencies: number[] = [];
  let settle: (value: autocannon.Result) => void = () => undefined;
  let fail: (error: unknown) => void = () => undefined;
  const done = new Promise<autocannon.Result>((resolve, reject) => { settle = resolve; fail = reject; });
  const instance = autocannon({
    url: spec.url,
    headers: { ...spec.headers },
    ...(typeof spec.body === 'string' ? { method: 'POST' as const, body: spec.body } : {}),
    ...(typeof spec.body === 'function' ? { requests: [{ method: 'POST' as const, setupRequest: (request: autocannon.Request) => ({ ...request, body: (spec.body as () => string)() }) }] } : {}),
    duration: spec.seconds,
    connections: spec.connections,
    ...(spec.overallRate !== undefined ? { overallRate: spec.overallRate } : {}),
    // autocannon connects without checking the server's certificate; loopback only (above).
    ...(spec.clientCertificate ? { tlsOptions: { cert: spec.clientCertificate.cert, key: spec.clientCertificate.key } } : {}),
    timeout: 10,
  }, (error: unknown, result: autocannon.Result) => (error ? fail(error) : settle(result)));
  const statuses = new Map<number, number>();
  instance.on('response', (_client, status, _bytes, ms) => {
    if (status >= 200 && status < 300) latencies.push(ms);
    else statuses.set(status, (statuses.get(status) ?? 0) + 1);
  });
  const result = await done;
  const ok = result['2xx'];
  return {
    rps: ok / result.duration,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    ok,
    failed: result.non2xx + result.errors,
    // What went wrong, when something did: status → count, and connection errors and timeouts.
    problems: [...[...statuses].map(([status, n]) => `${n}×${status}`), ...(result.errors > 0 ? [`${result.errors} errors (${result.timeouts} timeouts)`] : [])].join(', '),
  };
}
