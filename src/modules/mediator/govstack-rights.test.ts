import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { IM_RIGHTS_BASE, IM_RIGHTS_SCOPES } from './routes-govstack.js';
import { seedAdmin, tokenFor } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const psbService = { memberClass: 'GOV', memberCode: '110000-PSB', applicationId: 'population', serviceId: 'persons' };
const amrService = { memberClass: 'GOV', memberCode: '110000-AMR', applicationId: 'business-registry', serviceId: 'companies' };
const cab = { memberClass: 'GOV', memberCode: '110000-CAB', applicationId: 'civil-system' };
const amr = { memberClass: 'GOV', memberCode: '110000-AMR', applicationId: 'business-registry' };

/** The GovStack IM Configuration Management API's access rights over the registry, on both databases. */
describeEachDatabase('GovStack IM access rights API', migrationSources, (use) => {
  let built: Built;
  let psb = '';
  let reader = '';
  let unscoped = '';

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => m.name === 'identity' || m.name === 'mediator')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    psb = await tokenFor(built, 'test-psb-rights', DEMO.psb.subsystem, [IM_RIGHTS_SCOPES.read, IM_RIGHTS_SCOPES.write]);
    reader = await tokenFor(built, 'test-cab-reader', DEMO.cab.subsystem, [IM_RIGHTS_SCOPES.read]);
    unscoped = await tokenFor(built, 'test-cab-caller', `${DEMO.cab.member}/caller`);
  });
  afterAll(async () => { await built.app.close(); });

  const send = (method: 'GET' | 'PATCH', path: string, token: string | undefined, body?: unknown) => built.app.inject({
    method, url: `${IM_RIGHTS_BASE}${path}`, headers: token ? { authorization: `Bearer ${token}` } : {}, ...(body === undefined ? {} : { payload: body as object }),
  });
  const rightsOf = async (serviceId: string) => (await built.services.mediator.listRights({ serviceId })).map((r) => `${r.client_id} ${r.method} ${r.path}`);

  it('lists the allow list to a system with read:rights, filtered and paged by service and client pairs', async () => {
    expect((await send('GET', '/allow', undefined)).statusCode).toBe(401);
    expect((await send('GET', '/allow', unscoped)).json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    const all = await send('GET', '/allow', reader);
    expect(all.statusCode).toBe(200);
    expect(all.json()).toEqual({ allowList: [
      { instanceId: 'CN', ...amrService, rights: [{ instanceId: 'CN', ...cab }] },
      { instanceId: 'CN', ...psbService, rights: [{ instanceId: 'CN', ...cab }] },
    ] });
    expect((await send('GET', '/allow?memberCode=110000-PSB', reader)).json()).toEqual({ allowList: [{ instanceId: 'CN', ...psbService, rights: [{ instanceId: 'CN', ...cab }] }] });
    const first = (await send('GET', '/allow?pageSize=1', reader)).json<{ allowList: { serviceId: string }[]; nextPageToken: string }>();
    expect(first.allowList.map((s) => s.serviceId)).toEqual(['companies']);
    const second = (await send('GET', `/allow?pageSize=1&nextPageToken=${first.nextPageToken}`, reader)).json<{ allowList: { serviceId: string }[]; nextPageToken?: string }>();
    expect(second.allowList.map((s) => s.serviceId)).toEqual(['persons']);
    expect(second.nextPageToken).toBeUndefined();
    const forged = await send('GET', '/allow?nextPageToken=bm90LWpzb24', reader);
    expect(forged.statusCode).toBe(400);
    expect(forged.json()).toMatchObject({ errors: [{ pointer: '/query/nextPageToken' }] });
  });

  it('allows a client application a whole service of the caller\'s agency, once however often it is sent, audited as the system', async () => {
    expect((await send('PATCH', '/allow', reader, [{ ...psbService, rights: [amr] }])).json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    const allowed = await send('PATCH', '/allow', psb, [{ ...psbService, rights: [amr] }]);
    expect(allowed.statusCode).toBe(200);
    expect(allowed.json()).toEqual({ granted: 1 });
    expect(await rightsOf(DEMO.psb.service)).toEqual([`${DEMO.amr.subsystem} * /**`, `${DEMO.cab.subsystem} GET /persons/*`]);
    expect((await send('PATCH', '/allow', psb, [{ ...psbService, rights: [amr] }])).statusCode).toBe(200);
    const audited = await sql<{ actor_kind: string; actor_id: string }>`select actor_kind, actor_id from tb_audit_record where action = 'mediator.right.grant' and details->>'client' = ${DEMO.amr.subsystem}`.execute(built.kernel.db);
    expect(audited.rows).toEqual([{ actor_kind: 'client', actor_id: 'test-psb-rights' }]);
  });

  it('changes nothing when one entry is another agency\'s service or names what is not registered', async () => {
    const before = [await rightsOf(DEMO.psb.service), await rightsOf(DEMO.amr.service)];
    // The first entry alone would be a new right (the civil system has only GET /persons/* there).
    const foreign = await send('PATCH', '/allow', psb, [{ ...psbService, rights: [cab] }, { ...amrService, rights: [cab] }]);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'TB_MEDIATOR_FORBIDDEN' });
    const unknown = await send('PATCH', '/deny', psb, [{ ...psbService, serviceId: 'nothing', rights: [cab] }, { ...psbService, rights: [cab, { ...cab, applicationId: 'ghost' }] }]);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(['/0/serviceId', '/1/rights/1']);
    expect((await send('PATCH', '/allow', psb, [{ ...psbService, rights: [{ ...cab, memberClass: 'bad class' }] }])).statusCode).toBe(400);
    expect([await rightsOf(DEMO.psb.service), await rightsOf(DEMO.amr.service)]).toEqual(before);
  });

  it('denies a client application a service by revoking every right it holds there, each audited', async () => {
    const denied = await send('PATCH', '/deny', psb, [{ ...psbService, rights: [amr, cab] }]);
    expect(denied.json()).toEqual({ revoked: 2 });
    expect(await rightsOf(DEMO.psb.service)).toEqual([]);
    expect((await send('GET', '/allow?memberCode=110000-PSB', reader)).json()).toEqual({ allowList: [] });
    expect((await send('PATCH', '/deny', psb, [{ ...psbService, rights: [cab] }])).json()).toEqual({ revoked: 0 });
    const audited = await sql<{ n: string }>`select count(*) as n from tb_audit_record where action = 'mediator.right.revoke' and actor_id = 'test-psb-rights'`.execute(built.kernel.db);
    expect(Number(audited.rows[0]?.n)).toBe(2);
  });

  it('lists to a system only the rights on its agency\'s services or held by its agency\'s systems', async () => {
    // Market Regulation's system on a Public Security service: neither is Civil Affairs'.
    const right = await built.services.mediator.grant({ serviceId: DEMO.psb.service, clientId: DEMO.amr.subsystem, method: 'GET', path: '/persons/*' }, seedAdmin);
    const amrReader = await tokenFor(built, 'test-amr-reader', DEMO.amr.subsystem, [IM_RIGHTS_SCOPES.read]);
    const psbOnAmr = { instanceId: 'CN', ...psbService, rights: [{ instanceId: 'CN', ...amr }] };
    const cabOnAmr = { instanceId: 'CN', ...amrService, rights: [{ instanceId: 'CN', ...cab }] };
    expect((await send('GET', '/allow', reader)).json()).toEqual({ allowList: [cabOnAmr] });
    expect((await send('GET', '/allow?memberCode=110000-PSB', reader)).json()).toEqual({ allowList: [] });
    expect((await send('GET', '/allow', psb)).json()).toEqual({ allowList: [psbOnAmr] });
    expect((await send('GET', '/allow', amrReader)).json()).toEqual({ allowList: [cabOnAmr, psbOnAmr] });
    // Pages count the caller's pairs only.
    expect((await send('GET', '/allow?pageSize=1', reader)).json()).toEqual({ allowList: [cabOnAmr] });
    await built.services.mediator.revoke(right.id, seedAdmin);
  });
});
