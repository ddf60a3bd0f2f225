import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Db, MigrationSource } from './db/index.js';
import { migrationsCurrent } from './db/index.js';
import { TongbanError } from './http/index.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Set `draining` when a graceful shutdown starts: `/readyz` fails at once (issue 9). */
    readiness: { draining: boolean };
  }
}

/**
 * `/healthz`: the process is alive. `/readyz`: the database answers and every migration has run;
 * a load balancer sends traffic only to ready instances. Once draining starts (`tongban serve` on
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
    try {
      await sql`select 1`.execute(db);
      if (!(await migrationsCurrent(db, sources))) {
        throw new TongbanError('TB_KERNEL_UNAVAILABLE', { detail: 'Database migrations are pending', headers: { 'retry-after': '5' } });
      }
    } catch (error) {
      if (error instanceof TongbanError) throw error;
      request.log.warn({ err: error }, 'readiness check failed');
      throw new TongbanError('TB_KERNEL_UNAVAILABLE', { detail: 'The database is unreachable', cause: error, headers: { 'retry-after': '5' } });
    }
    return { status: 'ready' };
  });
}
