import type { JWK } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { keyPair } from '../../kernel/auth/machine/testing.js';
import { createTestBrowser, signIn } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { CALL_SCOPE, MEDIATOR_DEMO as DEMO } from './index.js';
import { seedAdmin } from './test-kit.js';

const PUBLIC_URL = 'http://127.0.0.1:9';
const POPULATION_CLIENT = 'CN:GOV:110000-PSB:population';

/** Agency administrators register their subsystems' access-token keys (ADR 47), on both databases. */
describeEachDatabase('mediator subsystems\' access-token keys', migrationSources, (use) => {
  let built: Built;
  let psbAdmin = '';

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => m.name === 'identity' || m.name === 'mediator')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, 'agency-admin');
    psbAdmin = browser.cookie(SESSION_COOKIE) ?? '';
  });
  afterAll(async () => { await built.app.close(); });

  const api = (method: 'POST' | 'DELETE', url: string, body?: object) => built.app.inject({
    method, url, headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${psbAdmin}` }, ...(body ? { payload: body } : {}),
  });
  /** What the subsystem then does: a token with its private key, and a metaservice call with it. */
  const callWith = async (clientId: string, privateJwk: JWK) => {
    const assertion = await createClientAssertion({ clientId, privateJwk, audience: built.app.machineAuth.tokenUrl });
    const token = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, [CALL_SCOPE]) });
    if (token.statusCode !== 200) return token.statusCode;
    const call = await built.app.inject({
      url: `/r1/${DEMO.amr.subsystem}/allowedMethods`, headers: { authorization: `Bearer ${token.json<{ access_token: string }>().access_token}`, 'information-mediator-client': DEMO.psb.subsystem },
    });
    return call.statusCode;
  };
  const audited = async () => (await sql<{ action: string; kid: string }>`
    select action, details->>'kid' as kid from tb_audit_record where action like 'mediator.client-key.%' order by at, seq`.execute(built.kernel.db)).rows;

  it('registers the first key of a subsystem as its API client (mediator.call only), which then authenticates its calls', async () => {
    const first = await keyPair('EdDSA', 'population-1');
    expect(await callWith(POPULATION_CLIENT, first.privateJwk)).toBe(401);
    const added = await api('POST', '/api/mediator/keys', { subsystemId: DEMO.psb.subsystem, key: first.publicJwk });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toEqual({ subsystemId: DEMO.psb.subsystem, clientId: POPULATION_CLIENT, kid: 'population-1', type: 'OKP Ed25519' });
    const subsystem = (await built.services.mediator.listSubsystems()).find((s) => s.id === DEMO.psb.subsystem);
    expect(subsystem?.client_id).toBe(POPULATION_CLIENT);
    expect(await callWith(POPULATION_CLIENT, first.privateJwk)).toBe(200);
    const asked = await built.app.inject({
      method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: tokenRequestBody(await createClientAssertion({ clientId: POPULATION_CLIENT, privateJwk: first.privateJwk, audience: built.app.machineAuth.tokenUrl }), ['registries:read']),
    });
    expect(asked.json()).toMatchObject({ error: 'invalid_scope' });
    expect(await audited()).toEqual([{ action: 'mediator.client-key.add', kid: 'population-1' }]);
  });

  it('rolls the key: a second works once added, the first is refused once removed, the last cannot be removed', async () => {
    const second = await keyPair('EdDSA', 'population-2');
    expect((await api('POST', '/api/mediator/keys', { subsystemId: DEMO.psb.subsystem, key: second.publicJwk })).statusCode).toBe(201);
    expect(await callWith(POPULATION_CLIENT, second.privateJwk)).toBe(200);
    expect((await api('DELETE', `/api/mediator/keys?subsystemId=${encodeURIComponent(DEMO.psb.subsystem)}&kid=population-1`)).statusCode).toBe(204);
    expect(await built.services.mediator.clientKeysOf(await built.services.mediator.listSubsystems())).toEqual(expect.arrayContaining([
      { subsystemId: DEMO.psb.subsystem, clientId: POPULATION_CLIENT, kid: 'population-2', type: 'OKP Ed25519' },
    ]));
    const last = await api('DELETE', `/api/mediator/keys?subsystemId=${encodeURIComponent(DEMO.psb.subsystem)}&kid=population-2`);
    expect(last.statusCode).toBe(409);
    expect(last.json()).toMatchObject({ code: 'TB_AUTH_CLIENT_LAST_KEY', errors: [{ pointer: '/key' }] });
    expect(await callWith(POPULATION_CLIENT, second.privateJwk)).toBe(200);
    expect((await audited()).map((r) => `${r.action} ${r.kid}`)).toEqual(['mediator.client-key.add population-1', 'mediator.client-key.add population-2', 'mediator.client-key.remove population-1']);
  });

  it('refuses a private key, another agency\'s subsystem and a client of another organisation, changing nothing', async () => {
    const leaked = await keyPair('EdDSA', 'leaked');
    const privateKey = await api('POST', '/api/mediator/keys', { subsystemId: DEMO.psb.subsystem, key: leaked.privateJwk });
    expect(privateKey.statusCode).toBe(422);
    expect(privateKey.json()).toMatchObject({ errors: [{ pointer: '/key' }] });
    expect(privateKey.body).not.toContain(String(leaked.privateJwk.d));
    const foreign = await api('POST', '/api/mediator/keys', { subsystemId: DEMO.cab.subsystem, key: leaked.publicJwk });
    expect(foreign.json()).toMatchObject({ code: 'TB_MEDIATOR_FORBIDDEN' });
    // A client the operator registered for the whole agency, named by a subsystem: not the administrator's to change.
    await seedDemoClient(built.kernel.db, { clientId: 'psb-operations', name: 'PSB operations', organisation: DEMO.psb.agency, scopes: [CALL_SCOPE] });
    await built.services.mediator.addSubsystem({ memberId: DEMO.psb.member, code: 'operations', name: 'Operations', clientId: 'psb-operations' }, seedAdmin);
    const other = await api('POST', '/api/mediator/keys', { subsystemId: `${DEMO.psb.member}/operations`, key: leaked.publicJwk });
    expect(other.statusCode).toBe(403);
    expect(other.json<{ detail: string }>().detail).toContain('platform operator');
    const duplicate = await api('POST', '/api/mediator/keys', { subsystemId: DEMO.psb.subsystem, key: { ...(await keyPair('EdDSA', 'population-2')).publicJwk } });
    expect(duplicate.statusCode).toBe(422);
    expect(await audited()).toHaveLength(3);
  });
});
