import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { logLines } from '../../../test/helpers/log-lines.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources } from '../index.js';
import { closeSystemsListener, listenForSystems } from './systems-listener.js';
import { CLIENT, PERSON, PERSONS, registerCaseSystem } from './test-fixture.js';
import { loggedExchanges, seedAdmin } from './test-kit.js';
import { makeCertificate, tlsRequest, type KeyPair } from './test-tls.js';

const PUBLIC_URL = 'http://tongban.test';
const HOUSING = 'CN/GOV/110000-HUC/housing-system';
const DAY = 86_400_000;

/**
 * Calling systems that authenticate with a TLS client certificate on the systems' port (ADR 43):
 * real HTTPS between a client, the mediator and a provider on loopback, on both databases.
 */
describeEachDatabase('mediator calls with TLS client certificates', migrationSources, (use) => {
  let built: Built;
  let provider: Awaited<ReturnType<typeof registerCaseSystem>>['provider'];
  let token = '';
  let systems: Server;
  let port = 0;
  let skew = 0;
  const log = logLines();
  const server = makeCertificate('127.0.0.1', { ip: '127.0.0.1' });
  const caseSystem = makeCertificate('case-system.cab.example.cn', { days: 3 });
  const housing = makeCertificate('housing-system.huc.example.cn');
  const stranger = makeCertificate('stranger.example.cn');

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database, logger: log.logger, now: () => new Date(Date.now() + skew) });
    await built.app.ready();
    ({ provider, token } = await registerCaseSystem(built));
    const { mediator } = built.services;
    await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code: '110000-HUC', name: 'Housing', agency: '110000-HUC' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-HUC', code: 'housing-system', name: 'Housing' }, seedAdmin);
    await mediator.addCertificate({ subsystemId: CLIENT, pem: caseSystem.cert }, seedAdmin);
    await mediator.addCertificate({ subsystemId: HOUSING, pem: housing.cert }, seedAdmin);
    systems = await listenForSystems(built.app, { host: '127.0.0.1', port: 0, cert: server.cert, key: server.key });
    port = (systems.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await closeSystemsListener(systems);
    await built.app.close();
    await provider.app.close();
  });

  const call = (client: KeyPair | undefined, headers: Record<string, string> = { 'information-mediator-client': CLIENT }, path = `${PERSONS}/persons/${PERSON}`) =>
    tlsRequest(port, { path, serverCert: server.cert, client, headers });
  const problem = (body: string) => JSON.parse(body) as { code: string; detail?: string };
  const logged = async (messageId: unknown) => (await loggedExchanges(built, String(messageId)))[0];

  it('forwards a call that presents the certificate registered for the named subsystem, without a token, and logs it', async () => {
    const answer = await call(caseSystem, { 'information-mediator-client': CLIENT, 'x-road-issue': 'case 2026-114' });
    expect(answer.status).toBe(200);
    const body = JSON.parse(answer.body) as { id: string; received: { client: string; authorization: string | null; issue: string } };
    expect(body).toMatchObject({ id: PERSON, received: { client: CLIENT, authorization: null, issue: 'case 2026-114' } });
    expect(await logged(answer.headers['x-road-id'])).toMatchObject({ client: CLIENT, outcome: 'ok', status: 200, issue: 'case 2026-114' });
  });

  it('refuses a call with no token and no certificate (401), and one whose certificate is registered for no subsystem (401)', async () => {
    const bare = await call(undefined);
    expect(bare.status).toBe(401);
    expect(bare.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(problem(bare.body)).toMatchObject({ code: 'TB_MEDIATOR_UNAUTHENTICATED' });
    expect(problem(bare.body).detail).toContain('client certificate');
    const unknown = await call(stranger);
    expect(unknown.status).toBe(401);
    expect(problem(unknown.body).detail).toContain('is not registered');
    expect(await logged(unknown.headers['x-road-id'])).toMatchObject({ client: CLIENT, outcome: 'TB_MEDIATOR_UNAUTHENTICATED', status: 401 });
    // A refused certificate is a security event like a refused token, naming the service and the claimed client.
    expect(log.denials(unknown.headers['x-request-id'])).toEqual([
      expect.objectContaining({ msg: 'security.denied', code: 'TB_MEDIATOR_UNAUTHENTICATED', service: 'CN/GOV/110000-PSB/population/persons', client: CLIENT }),
    ]);
  });

  it('refuses another subsystem\'s certificate for the named client (403), though that subsystem may not call the service either', async () => {
    const answer = await call(housing);
    expect(answer.status).toBe(403);
    expect(problem(answer.body)).toMatchObject({ code: 'TB_MEDIATOR_CLIENT_MISMATCH' });
    // Naming its own subsystem, the housing system is authenticated but has no access right.
    const own = await call(housing, { 'information-mediator-client': HOUSING });
    expect(own.status).toBe(403);
    expect(problem(own.body)).toMatchObject({ code: 'TB_MEDIATOR_ACCESS_DENIED' });
  });

  it('still takes a Bearer token on the systems\' port; a token decides when both are sent', async () => {
    const withToken = await call(undefined, { 'information-mediator-client': CLIENT, authorization: `Bearer ${token}` });
    expect(withToken.status).toBe(200);
    const forged = await call(caseSystem, { 'information-mediator-client': CLIENT, authorization: 'Bearer forged.token.value' });
    expect(forged.status).toBe(401);
  });

  it('answers the metaservices and the PubSub API for a certificate, and serves nothing meant for browsers on the systems\' port', async () => {
    const allowed = await call(caseSystem, { 'information-mediator-client': CLIENT }, '/r1/CN/GOV/110000-PSB/population/allowedMethods');
    expect(allowed.status).toBe(200);
    expect(JSON.parse(allowed.body)).toMatchObject({ member: [{ serviceCode: 'persons', endpointList: { member: [{ method: 'GET', path: '/persons/*' }] } }] });
    expect((await call(caseSystem, {}, '/listClients')).status).toBe(200);
    // The PubSub API (ADR 53) under the same addresses, with the spec's own name for the client header.
    const rooms = await call(caseSystem, { 'x-govstack-client': CLIENT }, '/r1/CN/GOV/110000-PSB/population/api/v1/subs');
    expect(rooms.status).toBe(200);
    expect(JSON.parse(rooms.body)).toEqual([]);
    expect(await logged(rooms.headers['x-road-id'])).toMatchObject({ client: CLIENT, service: 'CN/GOV/110000-PSB/population/api', status: 200 });
    for (const path of ['/', '/sign-in', '/api/mediator/registry', '/admin/mediator']) {
      const page = await call(caseSystem, {}, path);
      expect(page.status, path).toBe(404);
      expect(problem(page.body).code).toBe('TB_KERNEL_NOT_FOUND');
    }
  });

  it('refuses a removed certificate from the next call on, audited', async () => {
    const { mediator } = built.services;
    const [row] = await mediator.listCertificates(HOUSING);
    expect((await call(housing, { 'information-mediator-client': HOUSING })).status).toBe(403);
    await mediator.removeCertificate(row!.sha256, seedAdmin);
    const after = await call(housing, { 'information-mediator-client': HOUSING });
    expect(after.status).toBe(401);
    const audit = await sql<{ action: string }>`select action from tb_audit_record where resource_id = ${row!.sha256} order by seq`.execute(built.kernel.db);
    expect(audit.rows.map((r) => r.action).sort()).toEqual(['mediator.certificate.add', 'mediator.certificate.remove']);
  });

  it('refuses a registered certificate once it has expired by the mediator\'s clock', async () => {
    expect((await call(caseSystem)).status).toBe(200);
    skew = 4 * DAY;
    try {
      const late = await call(caseSystem);
      expect(late.status).toBe(401);
      expect(problem(late.body).detail).toMatch(/is valid from .* to .*, not now/);
    } finally {
      skew = 0;
    }
  });
});
