import { expect, it } from 'vitest';
import { describeEachDatabase } from '../../../../test/helpers/databases.js';
import { TongbanError } from '../../http/index.js';
import { secretsMigrations } from '../../secrets/index.js';
import { disableClient, enableClient, getClient, listClients, machineMigrations, registerClient, removeKey, rotateKeys, seedDemoClient } from './index.js';
import { keyPair } from './testing.js';

const now = new Date('2031-03-01T08:00:00Z');
const ORG = 'CN/GOV/110000-PSB/population-system';

async function refusal(promise: Promise<unknown>): Promise<TongbanError> {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(TongbanError);
  return error as TongbanError;
}

describeEachDatabase('API client registry', [secretsMigrations, machineMigrations], (use) => {
  it('registers a client with public keys of each allowed type and reads it back', async () => {
    const { db } = use().database;
    const keys = [await keyPair('EdDSA', 'ed-1'), await keyPair('ES256', 'ec-1'), await keyPair('RS256', 'rsa-1')];
    const client = await registerClient(db, {
      clientId: 'psb-population', name: ' Population system ', organisation: ORG,
      keys: keys.map((k) => k.publicJwk), scopes: ['registries.read', 'registries.read', 'consent.check'],
    }, now);
    expect(client).toMatchObject({ clientId: 'psb-population', name: 'Population system', enabled: true, scopes: ['consent.check', 'registries.read'] });
    const stored = await getClient(db, 'psb-population');
    expect(stored?.keys.map((k) => [k.kid, k.kty, k.alg, k.use])).toEqual([
      ['ed-1', 'OKP', undefined, 'sig'], ['ec-1', 'EC', 'ES256', 'sig'], ['rsa-1', 'RSA', 'RS256', 'sig'],
    ]);
    expect(stored?.createdAt).toEqual(now);
    expect(await getClient(db, 'nobody')).toBeUndefined();
    expect((await listClients(db, { organisation: ORG })).map((c) => c.clientId)).toEqual(['psb-population']);
    expect(await listClients(db, { organisation: 'CN/GOV/OTHER' })).toEqual([]);
  });

  it('gives a key without kid its thumbprint, and a client without id a UUID', async () => {
    const { db } = use().database;
    const { publicJwk } = await keyPair('EdDSA', 'ignored');
    const { kid: _kid, ...withoutKid } = publicJwk;
    const client = await registerClient(db, { name: 'No id', organisation: 'HZ-TAX', keys: [withoutKid], scopes: ['x'] }, now);
    expect(client.clientId).toMatch(/^[0-9a-f-]{36}$/);
    expect(client.keys[0]?.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('refuses private keys, secret keys, weak or unknown keys, and bad details', async () => {
    const { db } = use().database;
    const good = (await keyPair('EdDSA', 'k')).publicJwk;
    const base = { clientId: 'bad-client', name: 'Bad', organisation: ORG, scopes: ['a'] };
    const cases: [unknown, string][] = [
      [(await keyPair('EdDSA', 'p')).privateJwk, 'TB_AUTH_CLIENT_KEY_INVALID'],
      [{ kty: 'oct', k: 'c2VjcmV0', kid: 's' }, 'TB_AUTH_CLIENT_KEY_INVALID'],
      [{ ...(await keyPair('ES256', 'e')).publicJwk, crv: 'P-384' }, 'TB_AUTH_CLIENT_KEY_INVALID'],
      [{ ...good, alg: 'HS256' }, 'TB_AUTH_CLIENT_KEY_INVALID'],
      [{ ...good, x: 'AAAA' }, 'TB_AUTH_CLIENT_KEY_INVALID'],
      [{ kty: 'RSA', n: Buffer.alloc(128, 1).toString('base64url'), e: 'AQAB' }, 'TB_AUTH_CLIENT_KEY_INVALID'],
    ];
    for (const [key, code] of cases) {
      expect((await refusal(registerClient(db, { ...base, keys: [key] }, now))).code).toBe(code);
    }
    expect((await refusal(registerClient(db, { ...base, keys: [good, good] }, now))).detail).toMatch(/already registered/);
    expect((await refusal(registerClient(db, { ...base, keys: [] }, now))).code).toBe('TB_AUTH_CLIENT_KEY_INVALID');
    const invalid = async (change: object, pointer: string) => {
      const error = await refusal(registerClient(db, { ...base, keys: [good], ...change }, now));
      expect(error.code).toBe('TB_AUTH_CLIENT_INVALID');
      expect(error.fields[0]?.pointer).toBe(pointer);
    };
    await invalid({ clientId: 'a b' }, '/clientId');
    await invalid({ organisation: 'CN//x' }, '/organisation');
    await invalid({ scopes: [] }, '/scopes');
    await invalid({ scopes: ['ok', 'not ok'] }, '/scopes/1');
    await invalid({ name: '  ' }, '/name');
    expect(await getClient(db, 'bad-client')).toBeUndefined();
  });

  it('refuses a second client with the same id', async () => {
    const { db } = use().database;
    const input = { clientId: 'twice', name: 'Twice', organisation: ORG, keys: [(await keyPair('EdDSA', 'k')).publicJwk], scopes: ['a'] };
    await registerClient(db, input, now);
    expect((await refusal(registerClient(db, input, now))).code).toBe('TB_AUTH_CLIENT_EXISTS');
  });

  it('adds keys on rotation, keeps the old ones until removed, and never removes the last', async () => {
    const { db } = use().database;
    const first = await keyPair('EdDSA', 'k1');
    await registerClient(db, { clientId: 'rotating', name: 'R', organisation: ORG, keys: [first.publicJwk], scopes: ['a'] }, now);
    const later = new Date(now.getTime() + 60_000);
    const rotated = await rotateKeys(db, 'rotating', [(await keyPair('ES256', 'k2')).publicJwk], later);
    expect(rotated.keys.map((k) => k.kid)).toEqual(['k1', 'k2']);
    expect(rotated.updatedAt).toEqual(later);
    expect((await refusal(rotateKeys(db, 'rotating', [first.publicJwk]))).detail).toMatch(/k1.*already registered/);
    // Two rotations at once both land: the row lock serialises them.
    await Promise.all([rotateKeys(db, 'rotating', [(await keyPair('EdDSA', 'k3')).publicJwk]), rotateKeys(db, 'rotating', [(await keyPair('EdDSA', 'k4')).publicJwk])]);
    expect((await getClient(db, 'rotating'))?.keys.map((k) => k.kid).sort()).toEqual(['k1', 'k2', 'k3', 'k4']);
    for (const kid of ['k1', 'k3', 'k4']) await removeKey(db, 'rotating', kid);
    expect((await getClient(db, 'rotating'))?.keys.map((k) => k.kid)).toEqual(['k2']);
    expect((await refusal(removeKey(db, 'rotating', 'k2'))).code).toBe('TB_AUTH_CLIENT_LAST_KEY');
    expect((await refusal(removeKey(db, 'rotating', 'nope'))).code).toBe('TB_AUTH_CLIENT_KEY_INVALID');
    expect((await refusal(rotateKeys(db, 'ghost', [first.publicJwk]))).code).toBe('TB_AUTH_CLIENT_NOT_FOUND');
  });

  it('disables and enables a client', async () => {
    const { db } = use().database;
    await registerClient(db, { clientId: 'toggled', name: 'T', organisation: ORG, keys: [(await keyPair('EdDSA', 'k')).publicJwk], scopes: ['a'] }, now);
    await disableClient(db, 'toggled', now);
    expect((await getClient(db, 'toggled'))?.enabled).toBe(false);
    await enableClient(db, 'toggled', now);
    expect((await getClient(db, 'toggled'))?.enabled).toBe(true);
    expect((await refusal(disableClient(db, 'ghost'))).code).toBe('TB_AUTH_CLIENT_NOT_FOUND');
  });

  it('seeds a demo client idempotently with a stable id and the same private key', async () => {
    const { db } = use().database;
    const input = { clientId: 'demo-110000-psb-population-system', name: 'Population system (demo)', organisation: ORG, scopes: ['registries.read'] };
    const first = await seedDemoClient(db, input, now);
    const second = await seedDemoClient(db, input, now);
    expect(second.privateJwk).toEqual(first.privateJwk);
    expect(first.privateJwk).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', d: expect.any(String) as string });
    expect(second.client.keys).toHaveLength(1);
    expect(second.client.keys[0]).toEqual(expect.objectContaining({ kid: first.privateJwk.kid, x: first.privateJwk.x }));
    expect(second.client.keys[0]).not.toHaveProperty('d');
  });
});
