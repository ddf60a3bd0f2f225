import { sql } from 'kysely';
import type { FastifyInstance } from 'fastify';
import type { Db, MigrationSource } from './db/index.js';
import { migrationsCurrent } from './db/index.js';
import { TongbanError } from './http/index.js';

/**
 * `/healthz`: the process is alive. `/readyz`: the database answers and every migration has run;
 * a load balancer sends traffic only to ready instances.
 */
export function registerHealth(app: FastifyInstance, db: Db, sources: readonly MigrationSource[]): void {
  const hidden = { hide: true } as const;
  app.get('/healthz', { schema: hidden }, () => ({ status: 'ok' }));
  app.get('/readyz', { schema: hidden }, async (request) => {
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
