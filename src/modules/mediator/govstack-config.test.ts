import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { TongbanError } from '../../kernel/http/index.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { createGovstackConfig } from './govstack-config.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { IM_API_BASE, IM_CONF_SCOPES, IM_RIGHTS_SCOPES } from './routes-govstack.js';
import type { MediatorStore } from './store.js';
import { tokenFor } from './test-kit.js';

const PUBLIC_URL = 'https://tongban.test';

/** GET /govstack/im/api/v1/config and /status over the registry, on both databases. */
describeEachDatabase('GovStack IM configuration API', migrationSources, (use) => {
  let built: Built;
  let psb = '';
  let rightsOnly = '';

  const get = (path: string, token: string | undefined) => built.app.inject({ method: 'GET', url: `${IM_API_BASE}${path}`, headers: token ? { authorization: `Bearer ${token}` } : {} });

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    psb = await tokenFor(built, 'test-psb-conf', DEMO.psb.subsystem, [IM_CONF_SCOPES.read]);
    rightsOnly = await tokenFor(built, 'test-psb-rights-only', DEMO.psb.subsystem, [IM_RIGHTS_SCOPES.read]);
  });
  afterAll(async () => { await built.app.close(); });

  it('answers the status of an empty registry as running but not configured, and refuses callers without read:conf', async () => {
    expect((await get('/status', undefined)).statusCode).toBe(401);
    expect((await get('/status', rightsOnly)).json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    const empty = await get('/status', psb);
    expect(empty.statusCode).toBe(200);
    expect(empty.json()).toMatchObject({ status: 'ok', configured: false, members: 0, applications: 0, services: 0 });
    const none = await get('/config', psb);
    expect(none.statusCode).toBe(404);
    expect(none.json()).toMatchObject({ code: 'TB_MEDIATOR_NOT_FOUND' });
  });

  it('gives the instance\'s configuration in the spec\'s shape, with services and rights of the caller\'s own agency only', async () => {
    for (const mod of modules.filter((m) => m.name === 'identity' || m.name === 'mediator')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    expect((await get('/status', psb)).json()).toMatchObject({ status: 'ok', configured: true, members: 3, applications: 3, services: 2 });
    expect((await get('/config', rightsOnly)).statusCode).toBe(403);

    const answer = await get('/config', psb);
    expect(answer.statusCode).toBe(200);
    const conf = answer.json<{ domain: string; instance: string; members: { name: string; code: string; applications: unknown[] }[] }>();
    expect(conf).toMatchObject({ domain: 'tongban.test', instance: 'CN' });
    expect(conf.members.map((m) => m.code)).toEqual(['110000-AMR', '110000-CAB', '110000-PSB']);
    const byCode = new Map(conf.members.map((m) => [m.code, m]));
    expect(byCode.get('110000-PSB')).toEqual({
      name: '北京市公安局', class: 'GOV', code: '110000-PSB',
      applications: [{
        id: 'population', connection: 'https',
        services: [{
          id: 'persons',
          specUrl: `${PUBLIC_URL}/r1/CN/GOV/110000-PSB/population/getOpenAPI?serviceCode=persons`,
          serviceUrl: `${PUBLIC_URL}/demo-providers/psb/population`,
          rights: [{ member: '北京市民政局', application: 'civil-system', memberClass: 'GOV', memberCode: '110000-CAB' }],
        }],
      }],
    });
    // Another agency's application is named (rights refer to it) but its provider's address is not shown.
    expect(byCode.get('110000-AMR')?.applications).toEqual([{ id: 'business-registry' }]);
    expect(byCode.get('110000-CAB')?.applications).toEqual([{ id: 'civil-system' }]);
    expect(answer.body).not.toContain('/demo-providers/amr');
  });

  it('names an instance by query and refuses one with no members', async () => {
    expect((await get('/config?instanceId=CN', psb)).json()).toMatchObject({ instance: 'CN' });
    const unknown = await get('/config?instanceId=FI', psb);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json<{ detail: string }>().detail).toContain('FI');
    expect((await get('/config?instanceId=bad%20id', psb)).statusCode).toBe(400);
  });
});

describe('GovStack IM status without a database', () => {
  it('is a 503 with Retry-After, not an "ok", when the registry cannot be read', async () => {
    const down = () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:5432'));
    const store = { listMembers: down, listSubsystems: down, listServices: down } as unknown as MediatorStore;
    const error = await createGovstackConfig(store, { publicUrl: PUBLIC_URL, registryCached: () => false }).status().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TongbanError);
    expect(error).toMatchObject({ code: 'TB_KERNEL_UNAVAILABLE', headers: { 'retry-after': '5' } });
  });
});
