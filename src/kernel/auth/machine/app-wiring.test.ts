import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../../app.js';
import { migrationSources } from '../../../modules/index.js';
import { loadConfig } from '../../config/index.js';
import { createClientAssertion, describeDemoClient, seedDemoClient, tokenRequestBody } from './index.js';

const PUBLIC_URL = 'http://tongban.test';

describeEachDatabase('machine clients in the whole app', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
  });
  afterAll(async () => { await built.app.close(); });

  it('gives a seeded demo system a token through the full plugin stack (CSRF, rate limits, form parsing)', async () => {
    const demo = await seedDemoClient(built.kernel.db, {
      clientId: 'demo-110000-psb-population-system', name: 'Population system (demo)',
      organisation: 'CN/GOV/110000-PSB/population-system', scopes: ['registries.read'],
    });
    expect(describeDemoClient(demo, built.app.machineAuth.tokenUrl)).toContain(`token URL:    ${PUBLIC_URL}/oauth/token`);
    const assertion = await createClientAssertion({ clientId: demo.client.clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const res = await built.app.inject({
      method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: tokenRequestBody(assertion, ['registries.read']),
    });
    expect(res.statusCode).toBe(200);
    const client = await built.app.machineAuth.verifyAccessToken(res.json<{ access_token: string }>().access_token);
    expect(client).toEqual({ clientId: 'demo-110000-psb-population-system', organisation: 'CN/GOV/110000-PSB/population-system', scopes: ['registries.read'] });
    expect((await built.app.inject({ url: '/oauth/jwks' })).json()).toMatchObject({ keys: [{ kty: 'OKP', crv: 'Ed25519' }] });
  });
});
