import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { migrationSources, modules } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { mediatorDemoApp, personaBrowsers, tokenFor } from './test-kit.js';
import { makeCertificate } from './test-tls.js';

// A closed port: the demo providers (served under this address) are unreachable, deterministically.
const PUBLIC_URL = 'http://127.0.0.1:9';

describeEachDatabase('mediator registry, metaservices and traffic page', migrationSources, (use) => {
  let built: Built;
  let token: string;
  const sessions = new Map<string, string>();

  beforeAll(async () => {
    built = await mediatorDemoApp(use(), PUBLIC_URL);
    // Seeding again changes nothing.
    for (const mod of modules.filter((m) => m.name === 'mediator')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    token = await tokenFor(built, DEMO.cab.clientId, DEMO.cab.subsystem);
    for (const [persona, browser] of await personaBrowsers(built, PUBLIC_URL, ['citizen', 'officer', 'agency-admin', 'platform-admin'])) {
      sessions.set(persona, browser.cookie(SESSION_COOKIE) ?? '');
    }
  });
  afterAll(async () => { await built.app.close(); });

  const meta = (url: string, options: { auth?: boolean } = {}) => built.app.inject({
    url, headers: { 'information-mediator-client': DEMO.cab.subsystem, ...(options.auth === false ? {} : { authorization: `Bearer ${token}` }) },
  });
  const api = (method: 'GET' | 'POST' | 'DELETE', url: string, as: string, body?: object) => built.app.inject({
    method, url, headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${sessions.get(as)}` }, ...(body ? { payload: body } : {}),
  });

  it('seeds the demo registry once, deny by default with rights for the civil affairs system', async () => {
    const { mediator } = built.services;
    expect((await mediator.listMembers()).map((m) => m.id)).toEqual([DEMO.amr.member, DEMO.cab.member, DEMO.psb.member]);
    expect((await mediator.listServices()).map((s) => s.id)).toEqual([DEMO.amr.service, DEMO.psb.service]);
    expect((await mediator.listRights()).map((r) => [r.service_id, r.client_id, r.method, r.path])).toEqual([
      [DEMO.amr.service, DEMO.cab.subsystem, 'GET', '/companies/*'],
      [DEMO.psb.service, DEMO.cab.subsystem, 'GET', '/persons/*'],
    ]);
    const person = await built.app.inject({ url: '/demo-providers/psb/population/persons/110101199003072359' });
    expect(person.json()).toMatchObject({ name: '张伟' });
  });

  it('answers the directory metaservices to an authenticated system', async () => {
    expect((await meta('/listClients', { auth: false })).json()).toMatchObject({ code: 'TB_MEDIATOR_UNAUTHENTICATED' });
    const clients = (await meta('/listClients?instanceId=CN')).json<{ member: { name: string; id: { objectType: string; applicationCode?: string } }[] }>();
    expect(clients.member).toContainEqual({ name: '北京市公安局', id: { objectType: 'MEMBER', instanceId: 'CN', memberClass: 'GOV', memberCode: '110000-PSB' } });
    expect(clients.member).toContainEqual({ name: '人口信息系统', id: { objectType: 'APPLICATION', instanceId: 'CN', memberClass: 'GOV', memberCode: '110000-PSB', applicationCode: 'population' } });
    expect((await meta('/listClients?instanceId=XX')).json()).toEqual({ member: [] });

    const methods = await meta('/r1/CN/GOV/110000-PSB/population/listMethods');
    expect(methods.json()).toEqual({ member: [expect.objectContaining({ serviceCode: 'persons', serviceType: 'REST', serviceVersion: '1.0.0', endpointList: { member: [{ method: 'GET', path: '/persons/{idNumber}' }] } })] });
    const allowed = await meta('/r1/CN/GOV/110000-AMR/business-registry/allowedMethods');
    expect(allowed.json()).toEqual({ member: [expect.objectContaining({ serviceCode: 'companies', endpointList: { member: [{ method: 'GET', path: '/companies/*' }] } })] });
    const openapi = await meta('/r1/CN/GOV/110000-PSB/population/getOpenAPI?serviceCode=persons');
    expect(openapi.json()).toMatchObject({ openapi: '3.1.0', info: { title: 'Population' } });
    expect((await meta('/r1/CN/GOV/110000-PSB/nothing/listMethods')).statusCode).toBe(404);
    const mismatch = await built.app.inject({ url: '/r1/CN/GOV/110000-PSB/population/listMethods', headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.psb.subsystem } });
    expect(mismatch.json()).toMatchObject({ code: 'TB_MEDIATOR_CLIENT_MISMATCH' });
  });

  it('lets an agency administrator grant and revoke rights on their own agency\'s services only, audited', async () => {
    const right = { serviceId: DEMO.psb.service, clientId: DEMO.cab.subsystem, method: 'get', path: '/persons/*/photo' };
    expect((await api('POST', '/api/mediator/rights', 'officer', right)).json()).toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    const other = await api('POST', '/api/mediator/rights', 'agency-admin', { ...right, serviceId: DEMO.amr.service });
    expect(other.statusCode).toBe(403);
    expect(other.json()).toMatchObject({ code: 'TB_MEDIATOR_FORBIDDEN' });
    expect((await api('POST', '/api/mediator/rights', 'agency-admin', { ...right, path: 'persons' })).json()).toMatchObject({ code: 'TB_MEDIATOR_INVALID' });
    const granted = await api('POST', '/api/mediator/rights', 'agency-admin', right);
    expect(granted.statusCode).toBe(201);
    const { id } = granted.json<{ id: string; method: string }>();
    expect(granted.json()).toMatchObject({ method: 'GET', path: '/persons/*/photo', granted_by: '0190a1b2-0000-7000-8000-000000000005' });
    expect((await api('DELETE', `/api/mediator/rights/${id}`, 'agency-admin')).statusCode).toBe(204);
    expect((await api('DELETE', `/api/mediator/rights/${id}`, 'agency-admin')).json()).toMatchObject({ code: 'TB_MEDIATOR_NOT_FOUND' });
    const audited = await sql<{ action: string }>`select action from tb_audit_record where resource_id = ${id} order by seq`.execute(built.kernel.db);
    expect(audited.rows.map((r) => r.action).sort()).toEqual(['mediator.right.grant', 'mediator.right.revoke']);
    const registry = await api('GET', '/api/mediator/registry', 'platform-admin');
    expect(registry.json<{ members: unknown[] }>().members).toHaveLength(3);
  });

  it('registers and removes TLS client certificates of the own agency\'s subsystems through the API, refusing what is not one certificate, audited', async () => {
    const pair = makeCertificate('population.psb.example.cn');
    const add = (as: string, body: object) => api('POST', '/api/mediator/certificates', as, body);
    expect((await add('officer', { subsystemId: DEMO.psb.subsystem, certificate: pair.cert })).json()).toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    const foreign = await add('agency-admin', { subsystemId: DEMO.cab.subsystem, certificate: pair.cert });
    expect(foreign.json()).toMatchObject({ code: 'TB_MEDIATOR_FORBIDDEN' });
    for (const [certificate, detail] of [[pair.key, 'That is a private key'], ['not a certificate', 'not a PEM X.509 certificate'], [`${pair.cert}${pair.cert}`, 'exactly one']] as const) {
      const refused = await add('agency-admin', { subsystemId: DEMO.psb.subsystem, certificate });
      expect(refused.statusCode).toBe(422);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(refused.json()).toMatchObject({ code: 'TB_MEDIATOR_INVALID', errors: [{ pointer: '/certificate', detail: expect.stringContaining(detail) as unknown }] });
      // A refused private key is never echoed back.
      expect(refused.body).not.toContain('PRIVATE KEY');
    }
    expect((await add('agency-admin', { subsystemId: `${DEMO.psb.member}/nothing`, certificate: pair.cert })).json()).toMatchObject({ code: 'TB_MEDIATOR_NOT_FOUND' });

    const added = await add('agency-admin', { subsystemId: DEMO.psb.subsystem, certificate: pair.cert });
    expect(added.statusCode).toBe(201);
    const { sha256 } = added.json<{ sha256: string }>();
    expect(added.json()).toMatchObject({ subsystem_id: DEMO.psb.subsystem, subject: 'CN=population.psb.example.cn, O=Tongban test', added_by: '0190a1b2-0000-7000-8000-000000000005' });
    expect((await add('agency-admin', { subsystemId: DEMO.psb.subsystem, certificate: pair.cert })).json()).toMatchObject({ code: 'TB_MEDIATOR_EXISTS' });
    const registry = await api('GET', '/api/mediator/registry', 'platform-admin');
    expect(registry.json<{ certificates: { sha256: string }[] }>().certificates.map((c) => c.sha256)).toEqual([sha256]);

    // The fingerprint as openssl prints it (colons, capitals) names the same certificate.
    const grouped = (sha256.match(/.{2}/g) ?? []).join(':').toUpperCase();
    expect((await api('DELETE', '/api/mediator/certificates/not-a-fingerprint', 'agency-admin')).statusCode).toBe(400);
    expect((await api('DELETE', `/api/mediator/certificates/${grouped}`, 'agency-admin')).statusCode).toBe(204);
    expect((await api('DELETE', `/api/mediator/certificates/${sha256}`, 'agency-admin')).json()).toMatchObject({ code: 'TB_MEDIATOR_NOT_FOUND' });
    const audited = await sql<{ action: string }>`select action from tb_audit_record where resource_id = ${sha256} order by seq`.execute(built.kernel.db);
    expect(audited.rows.map((r) => r.action).sort()).toEqual(['mediator.certificate.add', 'mediator.certificate.remove']);
  });

  it('shows traffic per service to administrators, their own agency\'s only to an agency administrator', async () => {
    const call = await built.app.inject({ url: `/r1/${DEMO.amr.service}/companies/91110108MA01TB8N59`, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem } });
    // Nothing listens at the demo provider's address here: the refusal is logged all the same.
    expect(call.statusCode).toBe(502);
    await built.app.inject({ url: `/r1/${DEMO.psb.service}/other`, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem } });
    const page = (as: string) => built.app.inject({ url: '/admin/mediator?lang=en', headers: { accept: 'text/html', cookie: `${SESSION_COOKIE}=${sessions.get(as)}` } });
    const all = await page('platform-admin');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('Information mediator traffic');
    expect(all.body).toContain(`<code>${DEMO.amr.service}</code>`);
    expect(all.body).toContain(`<code>${DEMO.psb.service}</code>`);
    const psb = await page('agency-admin');
    expect(psb.body).toContain(`<code>${DEMO.psb.service}</code>`);
    expect(psb.body).not.toContain(DEMO.amr.service);
    expect((await page('citizen')).statusCode).toBe(403);
  });

  it('registers a member only under its agency\'s own code, so no system of one agency presents as another (ADR 56)', async () => {
    const transport = { instance: 'CN', memberClass: 'GOV', code: '110000-TRA', name: 'Transport', agency: '110000-PSB' };
    for (const persona of ['agency-admin', 'platform-admin']) {
      const refused = await api('POST', '/api/mediator/members', persona, transport);
      expect(refused.statusCode, persona).toBe(422);
      expect(refused.json()).toMatchObject({ code: 'TB_MEDIATOR_MEMBER_NOT_AGENCY' });
    }
    expect((await built.services.mediator.listMembers()).map((m) => m.id)).not.toContain('CN/GOV/110000-TRA');
    const audited = await sql<{ n: string }>`select count(*) as n from tb_audit_record where action = 'mediator.member.add' and resource_id = 'CN/GOV/110000-TRA'`.execute(built.kernel.db);
    expect(Number(audited.rows[0]?.n)).toBe(0);
    // Its own code, in another instance: registered.
    const own = await api('POST', '/api/mediator/members', 'agency-admin', { ...transport, instance: 'CN-TEST', code: '110000-PSB' });
    expect(own.statusCode, own.body).toBe(201);
    expect(own.json()).toMatchObject({ id: 'CN-TEST/GOV/110000-PSB', agency: '110000-PSB' });
  });
});
