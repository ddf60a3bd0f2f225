import type { FastifyInstance } from 'fastify';
import { importJWK, SignJWT, type JWK, type JWTPayload } from 'jose';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/helpers/databases.js';
import { secretsMigrations } from '../../secrets/index.js';
import { createClientAssertion, disableClient, machineMigrations, registerClient, tokenRequestBody } from './index.js';
import { getToken, keyPair, PUBLIC_URL, requestToken, testApp, testClock, TOKEN_URL, type KeyPair } from './testing.js';

const ORG = 'CN/GOV/110000-PSB/population-system';
const SCOPES = ['registries.read', 'consent.check'];
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describeEachDatabase('POST /oauth/token', [secretsMigrations, machineMigrations], (use) => {
  const clock = testClock();
  let app: FastifyInstance;
  let ed: KeyPair;
  const epoch = () => Math.floor(clock.now.getTime() / 1000);
  /** Claims of a valid assertion for `psb`, to be spoiled one at a time. */
  const claims = (): JWTPayload => ({ iss: 'psb', sub: 'psb', aud: TOKEN_URL, iat: epoch(), exp: epoch() + 60, jti: crypto.randomUUID() });
  const sign = async (payload: JWTPayload, key: JWK = ed.privateJwk, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: 'EdDSA', kid: key.kid, ...header }).sign(await importJWK(key, 'EdDSA'));
  const exchange = (assertion: string, scopes: readonly string[] = ['registries.read']) => requestToken(app, tokenRequestBody(assertion, scopes));
  const expectRefused = async (assertion: string, description: RegExp, error = 'invalid_client') => {
    const res = await exchange(assertion);
    expect(res.statusCode).toBe(error === 'invalid_client' ? 401 : 400);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toEqual({ error, error_description: expect.stringMatching(description) as string });
  };

  beforeAll(async () => {
    const { db } = use().database;
    ed = await keyPair('EdDSA', 'ed-1');
    await registerClient(db, { clientId: 'psb', name: 'Population system', organisation: ORG, keys: [ed.publicJwk], scopes: SCOPES });
    app = await testApp(db, clock);
    return () => app.close();
  });

  it('issues a Bearer access token for a valid assertion, granting requested ∩ allowed scopes', async () => {
    const res = await getToken(app, clock, 'psb', ed.privateJwk, ['registries.read', 'payments.write']);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.headers.pragma).toBe('no-cache');
    const body = res.json<{ access_token: string }>();
    expect(body).toEqual({ access_token: expect.any(String) as string, token_type: 'Bearer', expires_in: 300, scope: 'registries.read' });
    const [header] = body.access_token.split('.');
    expect(JSON.parse(Buffer.from(header ?? '', 'base64url').toString())).toMatchObject({ alg: 'EdDSA', typ: 'at+jwt' });
  });

  it('accepts ES256 and RS256 clients, the issuer URL as audience, and the matching client_id parameter', async () => {
    const { db } = use().database;
    for (const [alg, id] of [['ES256', 'tax-es'], ['RS256', 'tax-rs']] as const) {
      const pair = await keyPair(alg, `${id}-key`);
      await registerClient(db, { clientId: id, name: id, organisation: 'HZ-TAX', keys: [pair.publicJwk], scopes: ['registries.read'] });
      expect((await getToken(app, clock, id, pair.privateJwk, ['registries.read'])).statusCode).toBe(200);
    }
    const toIssuer = await createClientAssertion({ clientId: 'psb', privateJwk: ed.privateJwk, audience: PUBLIC_URL, now: clock.now });
    const body = `${tokenRequestBody(toIssuer, ['consent.check'])}&client_id=psb`;
    expect((await requestToken(app, body)).json()).toMatchObject({ scope: 'consent.check' });
  });

  it('refuses expired and not-yet-valid assertions, and ones that live too long', async () => {
    await expectRefused(await sign({ ...claims(), iat: epoch() - 600, exp: epoch() - 120 }), /expired/);
    await expectRefused(await sign({ ...claims(), nbf: epoch() + 600, exp: epoch() + 240 }), /nbf/);
    await expectRefused(await sign({ ...claims(), iat: epoch() + 120 }), /issued in the future/);
    await expectRefused(await sign({ ...claims(), exp: epoch() + 3600 }), /within 300 seconds/);
    // Within the 60 s leeway both ways: a little clock skew is tolerated.
    expect((await exchange(await sign({ ...claims(), iat: epoch() + 30, nbf: epoch() + 30 }))).statusCode).toBe(200);
  });

  it('refuses a wrong audience, a wrong issuer, and missing claims', async () => {
    await expectRefused(await sign({ ...claims(), aud: 'https://elsewhere.test/oauth/token' }), /aud/);
    await expectRefused(await sign({ ...claims(), iss: 'someone-else' }), /both iss and sub/);
    await expectRefused(await sign({ ...claims(), iss: 'tax-es', sub: 'tax-es' }), /not signed with a registered key/);
    const { jti: _jti, ...noJti } = claims();
    await expectRefused(await sign(noJti), /jti/);
    const { exp: _exp, ...noExp } = claims();
    await expectRefused(await sign(noExp), /exp/);
  });

  it('refuses alg none, HS256 keyed with the public key, and a key the client never registered', async () => {
    await expectRefused(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`, /must be signed with one of EdDSA, Ed25519, ES256, RS256/);
    for (const secret of [JSON.stringify(ed.publicJwk), ed.publicJwk.x ?? '']) {
      const hs = await new SignJWT(claims()).setProtectedHeader({ alg: 'HS256', kid: 'ed-1' }).sign(new TextEncoder().encode(secret));
      await expectRefused(hs, /must be signed with one of EdDSA, Ed25519, ES256, RS256/);
    }
    const stranger = await keyPair('EdDSA', 'ed-1');
    await expectRefused(await sign(claims(), stranger.privateJwk), /not signed with a registered key/);
    await expectRefused(await sign(claims(), stranger.privateJwk, { kid: 'unknown-kid' }), /not signed with a registered key/);
    await expectRefused('not-a-jwt', /not a signed JWT/);
  });

  it('refuses unknown and disabled clients alike', async () => {
    const { db } = use().database;
    await expectRefused(await sign({ ...claims(), iss: 'ghost', sub: 'ghost' }), /Unknown or disabled client/);
    const pair = await keyPair('EdDSA', 'k');
    await registerClient(db, { clientId: 'retired', name: 'Retired', organisation: ORG, keys: [pair.publicJwk], scopes: SCOPES });
    expect((await getToken(app, clock, 'retired', pair.privateJwk, SCOPES)).statusCode).toBe(200);
    await disableClient(db, 'retired');
    const res = await getToken(app, clock, 'retired', pair.privateJwk, SCOPES);
    expect(res.statusCode).toBe(401);
    expect(res.json()).toEqual({ error: 'invalid_client', error_description: 'Unknown or disabled client' });
  });

  it('refuses a replayed assertion, also when both copies arrive at once', async () => {
    const assertion = await sign(claims());
    expect((await exchange(assertion)).statusCode).toBe(200);
    await expectRefused(assertion, /used before/);
    const twin = await sign(claims());
    const results = await Promise.all([exchange(twin), exchange(twin), exchange(twin)]);
    expect(results.map((r) => r.statusCode).sort()).toEqual([200, 401, 401]);
    // Even long after, while the assertion itself would still be accepted.
    clock.advance(50);
    await expectRefused(twin, /used before/);
  });

  it('answers malformed requests with RFC 6749 errors, not problem+json', async () => {
    const assertion = await sign(claims());
    const form = (params: Record<string, string>) => new URLSearchParams(params).toString();
    const cases: [string, number, string][] = [
      [form({ grant_type: 'authorization_code', client_assertion: assertion }), 400, 'unsupported_grant_type'],
      [form({ client_assertion: assertion }), 400, 'invalid_request'],
      [form({ grant_type: 'client_credentials', scope: 'registries.read' }), 401, 'invalid_client'],
      [tokenRequestBody(assertion, []), 400, 'invalid_scope'],
      [tokenRequestBody(assertion, ['payments.write']), 400, 'invalid_scope'],
      [`${tokenRequestBody(assertion, ['a'])}&scope=b`, 400, 'invalid_request'],
      [`${tokenRequestBody(assertion, ['registries.read'])}&client_id=other`, 401, 'invalid_client'],
    ];
    for (const [body, status, error] of cases) {
      const res = await requestToken(app, body);
      expect([res.statusCode, res.json<{ error: string }>().error]).toEqual([status, error]);
    }
    const json = await app.inject({ method: 'POST', url: '/oauth/token', payload: { grant_type: 'client_credentials' } });
    expect([json.statusCode, json.json<{ error: string }>().error]).toEqual([400, 'invalid_request']);
    const broken = await app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect([broken.statusCode, broken.json<{ error: string }>().error]).toEqual([400, 'invalid_request']);
  });
});
