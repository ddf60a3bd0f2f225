import { fileURLToPath } from 'node:url';
import Fastify from 'fastify';
import { sql, type KyselyPlugin } from 'kysely';
import { afterAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import { createDatabase, migrateToLatest, type Db, type MigrationSource } from './db/index.js';
import { registerHealth } from './health.js';
import { errorHandlerPlugin } from './http/index.js';

const fixture: MigrationSource = { name: 'fixture', folder: fileURLToPath(new URL('./db/test-fixtures/migrations', import.meta.url)) };
const pending: MigrationSource = { name: 'fixture_pending', folder: fixture.folder };

async function appOn(db: Db, sources: readonly MigrationSource[]) {
  const app = Fastify();
  await app.register(errorHandlerPlugin);
  registerHealth(app, db, sources);
  return app;
}

describeEachDatabase('health checks', [fixture], (use) => {
  it('is alive and ready when the database answers and every migration has run', async () => {
    const app = await appOn(use().database.db, [fixture]);
    expect((await app.inject({ url: '/healthz' })).json()).toEqual({ status: 'ok' });
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ready' });
  });

  it('is not ready as soon as draining starts (graceful shutdown), while still alive', async () => {
    const app = await appOn(use().database.db, [fixture]);
    app.readiness.draining = true;
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'TB_KERNEL_UNAVAILABLE', detail: 'The instance is shutting down' });
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  });

  it('is not ready while a migration is pending', async () => {
    const app = await appOn(use().database.db, [fixture, pending]);
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(503);
    expect(res.headers['retry-after']).toBe('5');
    expect(res.json()).toMatchObject({ code: 'TB_KERNEL_UNAVAILABLE', detail: 'Database migrations are pending' });
  });
});

describeEachDatabase('health checks: a database a newer Tongban migrated', [fixture], (use) => {
  it('asks one statement per probe, and stays ready with a warning after a newer version migrated', async () => {
    let statements = 0;
    const counting: KyselyPlugin = { transformQuery: (args) => { statements++; return args.node; }, transformResult: (args) => Promise.resolve(args.result) };
    const { db } = use().database;
    const app = await appOn(db.withPlugin(counting), [fixture]);
    await app.inject({ url: '/readyz' });
    statements = 0;
    expect((await app.inject({ url: '/readyz' })).statusCode).toBe(200);
    expect(statements).toBe(1);
    // A newer build ran a migration this one does not know (the rolling upgrade's first instance).
    await sql`insert into tb_migrations_fixture (name, timestamp) values ('0002_add-colour', now()::text)`.execute(db);
    const res = await app.inject({ url: '/readyz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ready', warning: expect.stringContaining('migrated by a newer Tongban (fixture/0002_add-colour)') as string });
    // This build refuses to start on it, with what to do instead of Kysely's "corrupted migrations".
    await expect(migrateToLatest(db, [fixture])).rejects.toThrow(/^The database was migrated by a newer Tongban \(fixture\/0002_add-colour\): run that version, or undo those migrations with it \(`tongban migrate down --module <name>`/);
  });
});

const unreachable = createDatabase({ database: { kind: 'postgres', url: 'postgres://postgres@127.0.0.1:9/none', poolSize: 1 } });
afterAll(() => unreachable.close());

it('is not ready, and says so without internals, when the database is unreachable', async () => {
  const app = await appOn(unreachable.db, [fixture]);
  expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200);
  const res = await app.inject({ url: '/readyz' });
  expect(res.statusCode).toBe(503);
  expect(res.headers['retry-after']).toBe('5');
  expect(res.json()).toMatchObject({ code: 'TB_KERNEL_UNAVAILABLE', detail: 'The database is unreachable' });
  expect(res.body).not.toContain('ECONNREFUSED');
});
