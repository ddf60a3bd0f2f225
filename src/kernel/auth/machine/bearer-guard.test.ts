import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import { createLocalJWKSet, importJWK, jwtVerify, type JWK } from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/helpers/databases.js';
import { errorHandlerPlugin } from '../../http/index.js';
import { securityPlugin } from '../../http/security.js';
import { secretsMigrations } from '../../secrets/index.js';
import { changeClient, CLIENT_STATE_SECONDS, createClientAssertion, disableClient, enableClient, forgetClientState, machineAuthPlugin, machineMigrations, registerClient, removeKey, rotateKeys, tokenRequestBody } from './index.js';
import { loadPlatformKey } from './platform-key.js';
import { getToken, keyPair, PUBLIC_URL, requestToken, testApp, testClock, TOKEN_URL, type KeyPair } from './testing.js';
import { issueAccessToken } from './tokens.js';

const ORG = 'CN/GOV/110000-PSB/population-system';
const ROUTE = '/test/registry-records';

describeEachDatabase('Bearer access tokens on API routes', [secretsMigrations, machineMigrations], (use) => {
  const clock = testClock();
  let app: FastifyInstance;
  let ed: KeyPair;
  const call = (token?: string) => app.inject({ url: ROUTE, headers: token === undefined ? {} : { authorization: `Bearer ${token}` } });
  const tokenFor = async (privateJwk: JWK = ed.privateJwk, scopes = ['registries.read']) => {
    const res = await getToken(app, clock, 'psb', privateJwk, scopes);
    expect(res.statusCode).toBe(200);
    return res.json<{ access_token: string }>().access_token;
  };
  const expectUnauthorised = async (token: string | undefined, code = 'TB_AUTH_CLIENT_TOKEN_INVALID') => {
    const res = await call(token);
    expect(res.statusCode).toBe(401);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code, status: 401 });
    expect(res.headers['www-authenticate']).toBe(code === 'TB_AUTH_CLIENT_TOKEN_INVALID' ? 'Bearer error="invalid_token"' : 'Bearer scope="registries.read"');
  };

  beforeAll(async () => {
    const { db } = use().database;
    ed = await keyPair('EdDSA', 'ed-1');
    await registerClient(db, { clientId: 'psb', name: 'Population system', organisation: ORG, keys: [ed.publicJwk], scopes: ['registries.read', 'consent.check'] });
    app = await testApp(db, clock);
    return () => app.close();
  });

  it('lets a token with the scope through and tells the route which system calls', async () => {
    const res = await call(await tokenFor());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ client: { clientId: 'psb', organisation: ORG, scopes: ['registries.read'] } });
  });

  it('refuses a missing, malformed, expired or tampered token', async () => {
    await expectUnauthorised(undefined, 'TB_AUTH_CLIENT_TOKEN_MISSING');
    const token = await tokenFor();
    const basic = await app.inject({ url: ROUTE, headers: { authorization: `Basic ${Buffer.from('psb:x').toString('base64')}` } });
    expect([basic.statusCode, basic.json<{ code: string }>().code]).toEqual([401, 'TB_AUTH_CLIENT_TOKEN_INVALID']);
    await expectUnauthorised('garbage');
    const [header, payload, signature] = token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'registries.read registries.write' })).toString('base64url');
    await expectUnauthorised(`${header}.${widened}.${signature}`);
    await expectUnauthorised(`${header}.${payload}.${signature.slice(0, -4)}AAAA`);
    // Valid for 300 s plus 60 s of leeway between instances' clocks.
    clock.advance(330);
    expect((await call(token)).statusCode).toBe(200);
    clock.advance(60);
    await expectUnauthorised(token);
  });

  it('refuses the tokens of a disabled client before they expire: within seconds, at once where it was disabled', async () => {
    const { db } = use().database;
    const token = await tokenFor();
    expect((await call(token)).statusCode).toBe(200);
    // Disabled elsewhere (another instance, the CLI): this instance reads the client again within seconds.
    await disableClient(db, 'psb', clock.now);
    expect((await call(token)).statusCode).toBe(200);
    clock.advance(CLIENT_STATE_SECONDS);
    await expectUnauthorised(token);
    expect((await call(token)).json()).toMatchObject({ detail: 'The API client of this access token is disabled' });
    // "Disabled" is never kept: enabled again, the same token works at the next call.
    await enableClient(db, 'psb', clock.now);
    expect((await call(token)).statusCode).toBe(200);
    // Disabled in this process: refused at once.
    await disableClient(db, 'psb', clock.now);
    forgetClientState(db, 'psb');
    await expectUnauthorised(token);
    await enableClient(db, 'psb', clock.now);
    expect((await call(token)).statusCode).toBe(200);
  });

  it('drops a scope taken away from the client from the tokens it holds, within seconds', async () => {
    const { db } = use().database;
    const token = await tokenFor();
    expect((await call(token)).statusCode).toBe(200);
    await changeClient(db, 'psb', { scopes: ['consent.check'] }, clock.now);
    clock.advance(CLIENT_STATE_SECONDS);
    const refused = await call(token);
    expect([refused.statusCode, refused.json<{ code: string }>().code]).toEqual([403, 'TB_AUTH_CLIENT_SCOPE_MISSING']);
    await changeClient(db, 'psb', { scopes: ['registries.read', 'consent.check'] }, clock.now);
    clock.advance(CLIENT_STATE_SECONDS);
    expect((await call(token)).statusCode).toBe(200);
  });

  it('refuses tokens for another audience or issuer, other token types and other signers', async () => {
    const key = await loadPlatformKey(use().database.db);
    const settings = { issuer: PUBLIC_URL, audience: PUBLIC_URL, lifetimeSeconds: 300, leewaySeconds: 60 };
    const client = { clientId: 'psb', organisation: ORG };
    expect((await call(await issueAccessToken(key, settings, client, ['registries.read'], clock.now))).statusCode).toBe(200);
    await expectUnauthorised(await issueAccessToken(key, { ...settings, audience: 'https://elsewhere.test' }, client, ['registries.read'], clock.now));
    await expectUnauthorised(await issueAccessToken(key, { ...settings, issuer: 'https://elsewhere.test' }, client, ['registries.read'], clock.now));
    // Same kid, same claims, another signer: only the platform's own key counts.
    const other = await keyPair('EdDSA', key.kid);
    const forged = { ...key, privateKey: (await importJWK(other.privateJwk, 'EdDSA')) as CryptoKey };
    await expectUnauthorised(await issueAccessToken(forged, settings, client, ['registries.read'], clock.now));
    // A client assertion is a JWT too, but not an access token.
    await expectUnauthorised(await createClientAssertion({ clientId: 'psb', privateJwk: ed.privateJwk, audience: PUBLIC_URL, now: clock.now }));
  });

  it('refuses a valid token without the route\'s scope with 403', async () => {
    const res = await call(await tokenFor(ed.privateJwk, ['consent.check']));
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING', detail: 'This call needs the scope registries.read' });
    expect(res.headers['www-authenticate']).toBe('Bearer error="insufficient_scope", scope="registries.read"');
  });

  it('accepts a rotated key alongside the old one, and stops accepting a removed key', async () => {
    const { db } = use().database;
    const next = await keyPair('ES256', 'ec-2');
    await rotateKeys(db, 'psb', [next.publicJwk]);
    expect((await call(await tokenFor(next.privateJwk))).statusCode).toBe(200);
    expect((await call(await tokenFor(ed.privateJwk))).statusCode).toBe(200);
    // Without kid in the header both keys are candidates; the one that verifies wins.
    const { kid: _kid, ...anonymous } = ed.privateJwk;
    expect((await call(await tokenFor(anonymous))).statusCode).toBe(200);
    await removeKey(db, 'psb', 'ed-1');
    const refused = await getToken(app, clock, 'psb', ed.privateJwk, ['registries.read']);
    expect([refused.statusCode, refused.json<{ error: string }>().error]).toEqual([401, 'invalid_client']);
    expect((await call(await tokenFor(next.privateJwk))).statusCode).toBe(200);
  });

  it('publishes the platform public key so that tokens verify offline', async () => {
    const res = await app.inject({ url: '/oauth/jwks' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('public, max-age=300');
    const jwks = res.json<{ keys: JWK[] }>();
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig', kid: expect.any(String) as string });
    expect(jwks.keys[0]).not.toHaveProperty('d');
    const token = await tokenFor(await rotateToFresh());
    const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { issuer: PUBLIC_URL, audience: PUBLIC_URL, currentDate: clock.now });
    expect(payload).toMatchObject({ sub: 'psb', client_id: 'psb', organisation: ORG, scope: 'registries.read' });
  });

  async function rotateToFresh(): Promise<JWK> {
    const fresh = await keyPair('EdDSA', `fresh-${Date.now()}`);
    await rotateKeys(use().database.db, 'psb', [fresh.publicJwk]);
    return fresh.privateJwk;
  }

  it('needs no CSRF token at the token endpoint when the security plugin guards form posts', async () => {
    const secured = Fastify();
    await secured.register(errorHandlerPlugin);
    await secured.register(cookie, { secret: 'a-test-cookie-secret-of-at-least-32-chars' });
    const limits = { bodyBytes: 1_000_000, uploadBytes: 1_000_000, apiRequestsPerMinute: 1000, signInAttemptsPerMinute: 10 };
    await secured.register(securityPlugin, { config: { publicUrl: PUBLIC_URL, oidc: { kind: 'builtin' }, limits } });
    await secured.register(machineAuthPlugin, { db: use().database.db, publicUrl: PUBLIC_URL, now: () => clock.now });
    const privateJwk = await rotateToFresh();
    const assertion = await createClientAssertion({ clientId: 'psb', privateJwk, audience: TOKEN_URL, now: clock.now });
    const res = await requestToken(secured, tokenRequestBody(assertion, ['registries.read']));
    expect(res.statusCode).toBe(200);
    await secured.close();
  });
});
