import { parseArgs } from 'node:util';

export type DatabaseKind = 'pglite' | 'postgres';

/** What `npm run bench -- …` was asked for. */
export interface BenchOptions {
  /** Scenario names to run; empty runs all. */
  readonly only: readonly string[];
  readonly databases: readonly DatabaseKind[];
  /** Seconds of each measured load run. */
  readonly durationSeconds: number;
  /** Seconds of the warm-up before each measured run (at most the run's own). */
  readonly warmupSeconds: number;
  /** Requests per second of the fixed-rate latency runs. */
  readonly rate: number;
  /** Concurrent connections of the throughput runs. */
  readonly connections: number;
  /** A PostgreSQL database the bench may connect to and create (and drop) databases from. */
  readonly postgresUrl: string;
  readonly out: string;
}

export const DEFAULTS: BenchOptions = {
  only: [],
  databases: ['pglite', 'postgres'],
  // 7 s runs after 2 s warm-ups, so that the whole bench, a fresh clone's seeding included, stays
  // under the 15-minute budget (issue 8); docs/performance.md, "How long a run takes".
  durationSeconds: 7,
  warmupSeconds: 2,
  // 1,000 req/s (issue 8) saturates this 2-core machine with load generator, proxy and provider
  // on the same cores; 200 is a moderate load here (docs/performance.md).
  rate: 200,
  connections: 32,
  postgresUrl: 'postgres://postgres@127.0.0.1:5432/postgres',
  out: 'bench/results/latest.json',
};

const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);

function positive(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, not "${raw}"`);
  return n;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      only: { type: 'string' }, db: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, rate: { type: 'string' },
      connections: { type: 'string' }, 'postgres-url': { type: 'string' }, out: { type: 'string' },
    },
    strict: true,
  });
  const dbs = values.db === undefined ? DEFAULTS.databases : list(values.db);
  for (const db of dbs) if (db !== 'pglite' && db !== 'postgres') throw new Error(`--db: unknown database "${db}" (pglite, postgres)`);
  return {
    only: list(values.only),
    databases: dbs as DatabaseKind[],
    durationSeconds: positive('duration', values.duration, DEFAULTS.durationSeconds),
    warmupSeconds: positive('warmup', values.warmup, DEFAULTS.warmupSeconds),
    rate: positive('rate', values.rate, DEFAULTS.rate),
    connections: Math.round(positive('connections', values.connections, DEFAULTS.connections)),
    postgresUrl: values['postgres-url'] ?? DEFAULTS.postgresUrl,
    out: values.out ?? DEFAULTS.out,
  };
}
