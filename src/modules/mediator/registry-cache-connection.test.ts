import { createServer, Socket, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testDatabaseKinds, type TestDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createDatabase, migrateToLatest, type Database } from '../../kernel/db/index.js';
import { migrationSources } from '../index.js';
import { createRegistryCache, type RegistryCache } from './registry-cache.js';
import { createMediatorStore } from './store.js';
import { CLIENT, instance, registerCaseSystem, SERVICE } from './test-fixture.js';
import { seedAdmin } from './test-kit.js';

/**
 * A TCP hop to PostgreSQL that can go silent: the connections through it stay open but nothing
 * passes any more, in either direction (a failover to another host, a firewall that forgot the
 * connection). New connections go through: the database is reachable again, on a new connection.
 */
async function startSilenceableHop(target: { host: string; port: number }): Promise<{ port: number; silence(): void; close(): Promise<void> }> {
  const pairs = new Set<{ client: Socket; upstream: Socket; silent: boolean }>();
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    const pair = { client, upstream, silent: false };
    pairs.add(pair);
    const drop = () => { client.destroy(); upstream.destroy(); pairs.delete(pair); };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    client.on('data', (chunk: Buffer) => { if (!pair.silent) upstream.write(chunk); });
    upstream.on('data', (chunk: Buffer) => { if (!pair.silent) client.write(chunk); });
    upstream.connect(target.port, target.host);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : 0,
    silence() { for (const pair of pairs) pair.silent = true; },
    async close() {
      for (const pair of pairs) { pair.client.destroy(); pair.upstream.destroy(); }
      await new Promise<void>((resolve) => { server.close(() => resolve()); });
    },
  };
}

async function within(ms: number, what: string, check: () => Promise<boolean> | boolean): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The registry cache's LISTEN connection cut off silently: no error, no end, no notification. The
 * cache must not stay on, deaf, serving what it holds until its entries' lifetime (here a minute, so
 * a deaf cache shows); it finds out within seconds, forgets, and listens again on a new connection.
 * PostgreSQL only: PGlite has no listening connection.
 */
for (const kind of testDatabaseKinds.filter((k) => k === 'postgres')) describe(`mediator registry cache, its listener cut off silently [${kind}]`, () => {
  let test: TestDatabase;
  let one: Built;
  let hop: Awaited<ReturnType<typeof startSilenceableHop>>;
  let cache: RegistryCache;
  let own: Database;
  let rightId: string;
  let provider: Awaited<ReturnType<typeof registerCaseSystem>>['provider'];
  const errors: unknown[] = [];

  beforeAll(async () => {
    test = await createTestDatabase('postgres');
    await migrateToLatest(test.database.db, migrationSources);
    one = await instance(test);
    ({ provider, rightId } = await registerCaseSystem(one));
    const direct = new URL(test.config.database.kind === 'postgres' ? test.config.database.url : '');
    hop = await startSilenceableHop({ host: direct.hostname, port: Number(direct.port || 5432) });
    const viaHop = new URL(direct);
    viaHop.port = String(hop.port);
    // Another instance's cache, with a pool of its own (a cache on the same pool object would be
    // cleared by the revoke directly): rows read directly, changes heard through the hop.
    own = createDatabase(test.config);
    cache = createRegistryCache(createMediatorStore(own.db), { postgresUrl: viaHop.toString(), ttlMs: 60_000, onError: (error) => errors.push(error) });
  }, 60_000);
  afterAll(async () => {
    await cache.close();
    await own.close();
    await hop.close();
    await one.app.close();
    await provider.app.close();
    await test.dispose();
  });

  it('forgets and stops caching within seconds, and hears changes again on a new connection', async () => {
    await within(10_000, 'listening', async () => { await cache.rights(SERVICE, CLIENT); return cache.active; });
    expect(await cache.rights(SERVICE, CLIENT)).toHaveLength(1);

    hop.silence();
    // Revoked by the other instance: the notification never reaches this one.
    await one.services.mediator.revoke(rightId, seedAdmin);
    await within(5_000, 'the revoked right no longer served', async () => (await cache.rights(SERVICE, CLIENT)).length === 0);
    expect(errors.length).toBeGreaterThan(0);

    // A new connection listens: a grant is heard at once, not after the minute-long lifetime.
    await within(10_000, 'listening again', async () => { await cache.rights(SERVICE, CLIENT); return cache.active; });
    expect(await cache.rights(SERVICE, CLIENT)).toHaveLength(0);
    await one.services.mediator.grant({ serviceId: SERVICE, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
    expect(await within(1_000, 'the grant heard', async () => (await cache.rights(SERVICE, CLIENT)).length === 1)).toBeLessThan(1_000);
  }, 60_000);
});
