import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/helpers/databases.js';
import { secretsMigrations } from '../../secrets/index.js';
import { machineMigrations, registerClient } from './index.js';
import { getToken, keyPair, testApp, testClock, type KeyPair } from './testing.js';

const ROUTE = '/test/registry-records';
/** An Ed25519 key as configured (PKCS#8, base64 DER) and its raw public key (base64url). */
const newKey = () => {
  const { privateKey } = generateKeyPairSync('ed25519');
  const pkcs8 = privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  return { pkcs8, x: String(createPublicKey(privateKey).export({ format: 'jwk' }).x) };
};

describeEachDatabase('the access-token signing key from configuration, rotated with trusted keys (ADR 41)', [secretsMigrations, machineMigrations], (use) => {
  const clock = testClock();
  const apps: FastifyInstance[] = [];
  let client: KeyPair;
  const [oldKey, newKeyOf] = [newKey(), newKey()];
  const start = async (keys: Parameters<typeof testApp>[2]) => {
    const app = await testApp(use().database.db, clock, keys);
    apps.push(app);
    return app;
  };
  const tokenFrom = async (app: FastifyInstance) => {
    const res = await getToken(app, clock, 'psb', client.privateJwk, ['registries.read']);
    expect(res.statusCode).toBe(200);
    return res.json<{ access_token: string }>().access_token;
  };
  const call = (app: FastifyInstance, token: string) => app.inject({ url: ROUTE, headers: { authorization: `Bearer ${token}` } });
  const published = async (app: FastifyInstance) => (await app.inject({ url: '/oauth/jwks' })).json<{ keys: { x: string; kid: string }[] }>().keys;

  beforeAll(async () => {
    client = await keyPair('EdDSA', 'ed-1');
    await registerClient(use().database.db, { clientId: 'psb', name: 'Population system', organisation: 'CN/GOV/110000-PSB/population-system', keys: [client.publicJwk], scopes: ['registries.read'] });
  });
  afterAll(async () => { await Promise.all(apps.map((app) => app.close())); });

  it('signs with the configured key and publishes it', async () => {
    const app = await start({ signingKey: oldKey.pkcs8 });
    const token = await tokenFrom(app);
    const keys = await published(app);
    expect(keys.map((k) => k.x)).toEqual([oldKey.x]);
    expect(decodeProtectedHeader(token).kid).toBe(keys[0]?.kid);
    expect((await call(app, token)).statusCode).toBe(200);
  });

  it('rotates without refusing a token: each instance trusts the other key while both are in use', async () => {
    // Step 1 done everywhere (the old key signs, the new one is trusted); step 2 rolling (the new key signs, the old one is trusted).
    const before = await start({ signingKey: oldKey.pkcs8, trustedPublicKeys: [newKeyOf.x] });
    const after = await start({ signingKey: newKeyOf.pkcs8, trustedPublicKeys: [oldKey.x] });
    const [oldToken, newToken] = [await tokenFrom(before), await tokenFrom(after)];
    expect(decodeProtectedHeader(oldToken).kid).not.toBe(decodeProtectedHeader(newToken).kid);
    for (const app of [before, after]) {
      for (const token of [oldToken, newToken]) expect((await call(app, token)).statusCode).toBe(200);
    }
    expect((await published(before)).map((k) => k.x)).toEqual([oldKey.x, newKeyOf.x]);
    expect((await published(after)).map((k) => k.x)).toEqual([newKeyOf.x, oldKey.x]);
    // Step 3, once the old tokens have expired: the old key is no longer trusted.
    const done = await start({ signingKey: newKeyOf.pkcs8 });
    expect((await call(done, newToken)).statusCode).toBe(200);
    const refused = await call(done, oldToken);
    expect([refused.statusCode, refused.json<{ code: string }>().code]).toEqual([401, 'TB_AUTH_CLIENT_TOKEN_INVALID']);
    // A trusted key that is the signing key itself is published once.
    expect((await published(await start({ signingKey: newKeyOf.pkcs8, trustedPublicKeys: [newKeyOf.x] }))).map((k) => k.x)).toEqual([newKeyOf.x]);
  });

  it('refuses a token of a key it neither signs with nor trusts, and a configured key that is not one at start-up', async () => {
    const stranger = await tokenFrom(await start({ signingKey: newKey().pkcs8 }));
    const res = await call(await start({ signingKey: oldKey.pkcs8 }), stranger);
    expect(res.statusCode).toBe(401);
    await expect(start({ signingKey: 'bm90IGEga2V5IGF0IGFsbCwganVzdCB0ZXh0IG9mIGZvcnR5' })).rejects.toThrow(/TONGBAN_ACCESS_TOKEN_SIGNING_KEY is not an Ed25519 private key/);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
    await expect(start({ signingKey: rsa })).rejects.toThrow(/TONGBAN_ACCESS_TOKEN_SIGNING_KEY is not an Ed25519 key/);
  });
});
