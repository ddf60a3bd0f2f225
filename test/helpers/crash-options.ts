import { parseArgs } from 'node:util';

export type CrashDatabaseKind = 'pglite' | 'postgres';
/** What the trials kill: `tongban serve`, or PostgreSQL itself (a private cluster; PostgreSQL databases only). */
export type CrashKillKind = 'server' | 'postgres';

/** What `npm run test:crash -- …` was asked for. */
export interface CrashOptions {
  readonly trials: number;
  readonly databases: readonly CrashDatabaseKind[];
  /** A PostgreSQL database the test may connect to and create (and drop) databases from. */
  readonly postgresUrl: string;
  /** Concurrent submitting clients. */
  readonly clients: number;
  /** Concurrent clients making mediated calls alongside. */
  readonly mediatedClients: number;
  readonly kills: readonly CrashKillKind[];
}

/**
 * `--trials N` (or TONGBAN_CRASH_TRIALS), `--databases pglite,postgres` (or TONGBAN_TEST_DATABASES),
 * `--clients N`, `--mediated-clients N`, `--kill server,postgres` (both by default; killing PostgreSQL
 * applies to the PostgreSQL database only). The full run is 20 trials per database and kind of
 * kill (issue 9); CI passes a smaller count.
 */
export function crashOptions(argv: readonly string[]): CrashOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: { trials: { type: 'string' }, databases: { type: 'string' }, clients: { type: 'string' }, 'mediated-clients': { type: 'string' }, kill: { type: 'string' } },
    strict: true,
  });
  const trials = Number(values.trials ?? process.env.TONGBAN_CRASH_TRIALS ?? 20);
  const clients = Number(values.clients ?? 6);
  const mediatedClients = Number(values['mediated-clients'] ?? 2);
  if (!Number.isInteger(trials) || trials < 1) throw new Error(`--trials must be a positive whole number, not ${String(values.trials)}`);
  if (!Number.isInteger(clients) || clients < 1) throw new Error(`--clients must be a positive whole number, not ${String(values.clients)}`);
  if (!Number.isInteger(mediatedClients) || mediatedClients < 0) throw new Error(`--mediated-clients must be a whole number, not ${String(values['mediated-clients'])}`);
  const kills = (values.kill ?? 'server,postgres').split(',').map((s) => s.trim()).filter((s): s is CrashKillKind => s === 'server' || s === 'postgres');
  if (kills.length === 0) throw new Error('--kill names nothing to kill (server, postgres)');
  const databases = (values.databases ?? process.env.TONGBAN_TEST_DATABASES ?? 'pglite,postgres')
    .split(',').map((s) => s.trim()).filter((s): s is CrashDatabaseKind => s === 'pglite' || s === 'postgres');
  if (databases.length === 0) throw new Error('--databases names no database (pglite, postgres)');
  return { trials, clients, mediatedClients, kills, databases, postgresUrl: process.env.TONGBAN_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test' };
}
