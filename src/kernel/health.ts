import type { FastifyInstance } from 'fastify';
import type { Db, MigrationSource } from './db/index.js';
import { migrationDrift, newerDatabaseMessage } from './db/index.js';
import { TongbanError } from './http/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set `draining` when a graceful shutdown starts: `/readyz` fails at once (issue 9). */
    readiness: { draining: boolean };
  }
}

/**
 * `/healthz`: the process is alive. `/readyz`: the database answers and every migration has run
 * (one statement over the migration tables); a load balancer sends traffic only to ready
 * instances. A database a newer Tongban has migrated since this instance started stays ready (a
 * migration keeps the previous version working, so a rolling upgrade goes on serving), and the
 * answer says so in `warning`. Once draining starts (`tongban serve` on
 * SIGTERM) `/readyz` answers 503 without asking the database, so the balancer stops at once.
 */
export function registerHealth(app: FastifyInstance, db: Db, sources: readonly MigrationSource[]): void {
  const hidden = { hide: true } as const;
  app.get('/healthz', { schema: hidden }, () => ({ status: 'ok' }));
  app.decorate('readiness', { draining: false });
  app.get('/readyz', { schema: hidden }, async (request) => {
    if (app.readiness.draining) {
      throw new TongbanError('TB_KERNEL_UNAVAILABLE', { detail: 'The instance is shutting down', headers: { 'retry-after': '5' } });
    }
    let drift: Awaited<ReturnType<typeof migrationDrift>>;
    try {
      drift = await migrationDrift(db, sources);
    } catch (error) {
      request.log.warn({ err: error }, 'readiness check failed');
      throw new TongbanError('TB_KERNEL_UNAVAILABLE', { detail: 'The database is unreachable', cause: error, headers: { 'retry-after': '5' } });
    }
    if (drift.pending.length > 0) {
      throw new TongbanError('TB_KERNEL_UNAVAILABLE', { detail: 'Database migrations are pending', headers: { 'retry-after': '5' } });
    }
    return drift.unknown.length > 0 ? { status: 'ready', warning: newerDatabaseMessage(drift.unknown) } : { status: 'ready' };
  });
}
