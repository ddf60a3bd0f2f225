import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, type Dialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config/index.js';
import { PGliteDialect } from './pglite-driver.js';
import { PreparingClient } from './prepared.js';

/**
 * The kernel's view of the database: no tables. Each module widens it to its own tables with
 * `db.withTables<ModuleTables>()`; modules never see each other's tables this way.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- the empty schema is the point.
export type NoTables = {};
export type Db = Kysely<NoTables>;

export interface Database {
  readonly db: Db;
  readonly kind: Config['database']['kind'];
  close(): Promise<void>;
}

// pg returns int8 (counts, bigserial) as strings; PGlite returns numbers. Make both numbers:
// every int8 we store stays far below 2^53.
const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) =>
    oid === 20 ? Number : (pg.types.getTypeParser(oid, format as 'text') as (value: string) => unknown)) as pg.CustomTypesConfig['getTypeParser'],
};

type PostgresSettings = Extract<Config['database'], { kind: 'postgres' }>;

/** How long the client waits past the server's statement_timeout before it gives up itself. */
const CLIENT_GRACE_MS = 5_000;

/**
 * The pg pool's options. Connecting gives up after 5 s. TCP keepalive (first probe after 10 s
 * idle) lets the kernel notice a server or a hop that vanished without closing the connection.
 * With `statementTimeouts` (the server's pools: `tongban serve`), a statement runs at most
 * `queryTimeoutMs` on the server (statement_timeout), and the client stops waiting 5 s after that
 * (query_timeout: a network that hangs silently), so a request is never held until the person
 * gives up. Migrations, seeds, imports and backups (the CLI) run without either: their long
 * statements (`seed --persons`, an index on a large table) must not be cut.
 */
export function poolOptions(cfg: PostgresSettings, options: { statementTimeouts?: boolean } = {}): pg.PoolConfig {
  const timeout = options.statementTimeouts ? cfg.queryTimeoutMs ?? 0 : 0;
  return {
    connectionString: cfg.url, max: cfg.poolSize, types: pgTypes, connectionTimeoutMillis: 5000,
    keepAlive: true, keepAliveInitialDelayMillis: 10_000,
    ...(timeout > 0 ? { statement_timeout: timeout, query_timeout: timeout + CLIENT_GRACE_MS } : {}),
    // PreparingClient: statements marked PREPARED run as named prepared statements (prepared.ts).
    Client: PreparingClient,
  };
}

export function createDatabase(config: Pick<Config, 'database'>, options: { statementTimeouts?: boolean } = {}): Database {
  const cfg = config.database;
  let dialect: Dialect;
  switch (cfg.kind) {
    case 'postgres': {
      const pool = new pg.Pool(poolOptions(cfg, options));
      // An idle client losing its server (restart, failover) must not crash the process:
      // the pool drops it and the next query opens a new connection.
      pool.on('error', () => {});
      // pg-pool listens for errors only on idle clients. A client in use that loses its server
      // between two queries (inside a transaction, say) would otherwise throw an uncaught
      // 'Connection terminated unexpectedly' and stop the process: the query in flight, or the
      // next one, fails instead (503), and the pool drops the client when it is released.
      pool.on('connect', (client) => { client.on('error', () => {}); });
      dialect = new PostgresDialect({ pool });
      break;
    }
    case 'pglite':
      dialect = new PGliteDialect(async () => {
        mkdirSync(cfg.dataDir, { recursive: true });
        return PGlite.create(cfg.dataDir);
      });
      break;
    case 'pglite-memory':
      dialect = new PGliteDialect(() => PGlite.create());
      break;
  }
  const db = new Kysely<NoTables>({ dialect });
  return { db, kind: cfg.kind, close: () => db.destroy() };
}
