import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { migrationSources } from '../index.js';
import { call, CLIENT, instance, registerCaseSystem, SERVICE, untilCached } from './test-fixture.js';
import { closeSystemsListener, listenForSystems } from './systems-listener.js';
import { seedAdmin } from './test-kit.js';
import { makeCertificate, tlsRequest } from './test-tls.js';

/** Waits for `check` to hold, for at most `ms`; returns how long it took. */
async function within(ms: number, check: () => Promise<boolean>): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (await check()) return Date.now() - started;
    if (Date.now() - started > ms) throw new Error(`not within ${ms} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describeEachDatabase('mediator registry cache', migrationSources, (use) => {
  let one: Built;
  let two: Built;
  let provider: { app: FastifyInstance; url: string };
  let token: string;
  let rightId: string;

  beforeAll(async () => {
    one = await instance(use());
    two = await instance(use(), true);
    ({ provider, token, rightId } = await registerCaseSystem(one));
    await untilCached(one, token);
    await untilCached(two, token);
  });
  afterAll(async () => {
    await two.app.close();
    await one.app.close();
    await provider.app.close();
  });

  it('answers from memory, and a revoked right takes effect at once on the instance that revoked it', async () => {
    expect((await call(one, token)).statusCode).toBe(200);
    await one.services.mediator.revoke(rightId, seedAdmin);
    const res = await call(one, token);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'TB_MEDIATOR_ACCESS_DENIED' });
  });

  it('a grant on one instance reaches the other long before the cache would expire', async () => {
    expect((await call(two, token)).statusCode).toBe(403);
    const right = await one.services.mediator.grant({ serviceId: SERVICE, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
    // The notification arrives in milliseconds; the 5 s lifetime of an entry is only a safety net.
    expect(await within(1_000, async () => (await call(two, token)).statusCode === 200)).toBeLessThan(1_000);
    rightId = right.id;
  });

  it('a right revoked on one instance is refused by the other at once', async () => {
    expect((await call(two, token)).statusCode).toBe(200);
    await one.services.mediator.revoke(rightId, seedAdmin);
    expect(await within(1_000, async () => (await call(two, token)).statusCode === 403)).toBeLessThan(1_000);
    expect((await call(one, token)).statusCode).toBe(403);
  });

  it('a client certificate removed on one instance is refused by the other at once', async () => {
    const server = makeCertificate('127.0.0.1', { ip: '127.0.0.1' });
    const client = makeCertificate('case-system.cab.example.cn');
    const systems = await listenForSystems(two.app, { host: '127.0.0.1', port: 0, cert: server.cert, key: server.key });
    try {
      const port = (systems.address() as AddressInfo).port;
      const byCertificate = async () => (await tlsRequest(port, { path: `/r1/${SERVICE}/persons/110101199003072359`, serverCert: server.cert, client, headers: { 'information-mediator-client': CLIENT } })).status;
      // The previous test revoked the case system's right.
      await one.services.mediator.grant({ serviceId: SERVICE, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
      const row = await one.services.mediator.addCertificate({ subsystemId: CLIENT, pem: client.cert }, seedAdmin);
      expect(await within(1_000, async () => (await byCertificate()) === 200)).toBeLessThan(1_000);
      await one.services.mediator.removeCertificate(row.sha256, seedAdmin);
      expect(await within(1_000, async () => (await byCertificate()) === 401)).toBeLessThan(1_000);
    } finally {
      await closeSystemsListener(systems);
    }
  });

  it('a service that moves to another base URL is called there by both instances', async () => {
    await one.services.mediator.grant({ serviceId: SERVICE, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
    await within(1_000, async () => (await call(two, token)).statusCode === 200);
    await two.services.mediator.saveService({ subsystemId: 'CN/GOV/110000-PSB/population', code: 'persons', name: 'Persons', baseUrl: 'http://127.0.0.1:9' }, seedAdmin);
    expect((await call(two, token)).statusCode).toBe(502);
    expect(await within(1_000, async () => (await call(one, token)).statusCode === 502)).toBeLessThan(1_000);
  });
});
