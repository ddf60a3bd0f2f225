import { createServer, Socket, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { migrationSources } from '../../modules/index.js';
import { loadConfig } from '../config/index.js';
import { createDatabase, migrateToLatest } from './index.js';
import { isDatabaseUnreachable } from './unreachable.js';

describe('isDatabaseUnreachable', () => {
  const coded = (code: string, message = 'x') => Object.assign(new Error(message), { code });
  it('knows the network, PostgreSQL connection states and node-postgres messages', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', '08006', '08001', '57P01', '57P03']) expect(isDatabaseUnreachable(coded(code)), code).toBe(true);
    expect(isDatabaseUnreachable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(isDatabaseUnreachable(new Error('timeout exceeded when trying to connect'))).toBe(true);
    expect(isDatabaseUnreachable(new AggregateError([coded('ECONNREFUSED')]))).toBe(true);
    expect(isDatabaseUnreachable(new Error('wrapped', { cause: coded('ECONNRESET') }))).toBe(true);
  });
  it('does not take bugs or bad data for an outage', () => {
    for (const code of ['23505', '42P01', '22P02', '40001']) expect(isDatabaseUnreachable(coded(code)), code).toBe(false);
    expect(isDatabaseUnreachable(new TypeError('x is undefined'))).toBe(false);
    expect(isDatabaseUnreachable('ECONNREFUSED')).toBe(false);
  });
});

/** A TCP hop to PostgreSQL that the test can cut (every connection dropped, new ones refused) and mend. */
async function startCuttableProxy(target: { host: string; port: number }): Promise<{ port: number; cut(): Promise<void>; mend(): Promise<void>; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const listen = (port: number) => new Promise<Server>((resolve, reject) => {
    const server = createServer((client) => {
      const upstream = new Socket();
      sockets.add(client).add(upstream);
      const drop = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(target.port, target.host, () => { client.pipe(upstream).pipe(client); });
    });
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
  let server: Server | undefined = await listen(0);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const stop = async () => {
    const closing = server;
    server = undefined;
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (closing) await new Promise<void>((resolve) => { closing.close(() => resolve()); });
  };
  return { port, cut: stop, async mend() { server ??= await listen(port); }, close: stop };
}

// Only a server can go away: PGlite is inside the process.
for (const kind of testDatabaseKinds.filter((k) => k === 'postgres')) describe(`the database unreachable [${kind}]`, () => {
  let test: TestDatabase;
  let built: Built;
  let proxy: Awaited<ReturnType<typeof startCuttableProxy>>;

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    const direct = new URL(test.config.database.kind === 'postgres' ? test.config.database.url : '');
    proxy = await startCuttableProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaProxy = new URL(direct);
    viaProxy.port = String(proxy.port);
    const config = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', DATABASE_URL: viaProxy.toString(), DATABASE_POOL_SIZE: '4' });
    const database = createDatabase(config);
    await migrateToLatest(database.db, migrationSources);
    built = await buildApp({ config, database });
    await built.app.ready();
  }, 60_000);
  afterAll(async () => {
    await built.app.close();
    await proxy.close();
    await test.dispose();
  });

  const get = (url: string, accept = 'application/json') => built.app.inject({ method: 'GET', url, headers: { accept } });

  it('answers 503 with Retry-After while the database is away, and recovers by itself when it returns', async () => {
    expect((await get('/readyz')).statusCode).toBe(200);
    expect((await get('/api/catalog/services')).statusCode).toBe(200);

    await proxy.cut();
    const ready = await get('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.headers['retry-after']).toBe('5');
    const api = await get('/api/catalog/services');
    expect(api.statusCode).toBe(503);
    expect(api.headers['retry-after']).toBe('5');
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toMatchObject({ code: 'TB_KERNEL_UNAVAILABLE', status: 503 });
    const page = await get('/services', 'text/html');
    expect(page.statusCode).toBe(503);
    expect(page.headers['retry-after']).toBe('5');
    expect(page.body).not.toMatch(/ECONNREFUSED|at .*\.js:\d+/);

    await proxy.mend();
    let status = 0;
    for (let i = 0; i < 50 && status !== 200; i++) {
      status = (await get('/readyz')).statusCode;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect((await get('/api/catalog/services')).statusCode).toBe(200);
  }, 60_000);
});
