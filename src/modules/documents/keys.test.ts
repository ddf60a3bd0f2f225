import { randomBytes } from 'node:crypto';
import { CompactSign, compactVerify, importJWK } from 'jose';
import { afterAll, beforeAll, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Kernel } from '../../kernel/context.js';
import { demoApp } from '../applications/test-kit.js';
import { migrationSources } from '../index.js';
import { seal, sealedText } from '../../kernel/secrets/seal.js';
import { aadOf, createKeyring, secretName, WRAPPING_KEY_SECRET } from './keys.js';
import { createDocumentsStore } from './store.js';

type Secrets = { tb_secret: { name: string; value: string } };

describeEachDatabase('documents: certificate signing keys sealed at rest (ADR 40)', migrationSources, (use) => {
  let built: Built;
  const store = createDocumentsStore();
  const wrapping = randomBytes(32).toString('base64');
  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => { await built.app.close(); });

  const kernelWith = (secrets: Kernel['config']['secrets'], env: Kernel['config']['env'] = built.kernel.config.env): Kernel =>
    ({ ...built.kernel, config: { ...built.kernel.config, env, secrets: { ...built.kernel.config.secrets, ...secrets } } });
  const secrets = () => built.kernel.db.withTables<Secrets>();
  const stored = async (name: string) => (await secrets().selectFrom('tb_secret').select('value').where('name', '=', name).executeTakeFirst())?.value;
  const signs = async (key: { kid: string; privateJwk: Parameters<typeof importJWK>[0] }, publicX: string) => {
    const jws = await new CompactSign(Buffer.from('{"ok":true}')).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).sign(await importJWK(key.privateJwk, 'EdDSA'));
    const verified = await compactVerify(jws, await importJWK({ kty: 'OKP', crv: 'Ed25519', x: publicX }, 'EdDSA'));
    return Buffer.from(verified.payload).toString('utf8');
  };

  it('keeps the private half sealed under the configured key, and signs with it', async () => {
    const keyring = createKeyring(kernelWith({ certificateWrappingKey: wrapping }), store);
    const key = await built.kernel.db.transaction().execute((tx) => keyring.signingKey(tx, 'T-SEALED-1'));
    const row = await store.currentKey(built.kernel.db, 'T-SEALED-1');
    expect(row?.kid).toBe(key.kid);
    const value = (await stored(secretName(key.kid))) ?? '';
    expect(value).toMatch(/^aes-256-gcm:[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(value).not.toContain(String(key.privateJwk.d));
    expect(await signs(key, row?.public_jwk.x ?? '')).toBe('{"ok":true}');
    // Read again (the path of every later certificate): the same key.
    expect((await keyring.signingKey(built.kernel.db, 'T-SEALED-1')).privateJwk).toEqual(key.privateJwk);
  });

  it('does not open under another wrapping key, nor when moved onto another kid', async () => {
    const keyring = createKeyring(kernelWith({ certificateWrappingKey: wrapping }), store);
    const first = await keyring.signingKey(built.kernel.db, 'T-SEALED-1');
    const other = createKeyring(kernelWith({ certificateWrappingKey: randomBytes(32).toString('base64url') }), store);
    await expect(other.signingKey(built.kernel.db, 'T-SEALED-1')).rejects.toThrow(/does not open with the configured TONGBAN_CERTIFICATE_WRAPPING_KEY/);

    const second = await keyring.signingKey(built.kernel.db, 'T-SEALED-2');
    const [a, b] = [await stored(secretName(first.kid)), await stored(secretName(second.kid))];
    const put = (kid: string, value: string | undefined) => secrets().updateTable('tb_secret').set({ value: value ?? '' }).where('name', '=', secretName(kid)).execute();
    await put(first.kid, b);
    await expect(keyring.signingKey(built.kernel.db, 'T-SEALED-1')).rejects.toThrow(/does not open/);
    await put(first.kid, a);
    expect((await keyring.signingKey(built.kernel.db, 'T-SEALED-1')).privateJwk).toEqual(first.privateJwk);
  });

  it('still reads a key stored unsealed before ADR 40, and warns once to rotate it', async () => {
    const keyring = createKeyring(kernelWith({ certificateWrappingKey: wrapping }), store);
    const sealed = await keyring.signingKey(built.kernel.db, 'T-LEGACY');
    await secrets().updateTable('tb_secret').set({ value: JSON.stringify(sealed.privateJwk) }).where('name', '=', secretName(sealed.kid)).execute();
    const warn = vi.spyOn(built.kernel.log, 'warn');
    try {
      const legacy = createKeyring(kernelWith({ certificateWrappingKey: wrapping }), store);
      expect((await legacy.signingKey(built.kernel.db, 'T-LEGACY')).privateJwk).toEqual(sealed.privateJwk);
      await legacy.signingKey(built.kernel.db, 'T-LEGACY');
      expect(warn.mock.calls.filter(([, message]) => String(message).includes('stored unsealed'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }
    // Rotating puts a sealed key in its place.
    const rotated = await built.kernel.db.transaction().execute((tx) => keyring.rotate(tx, 'T-LEGACY'));
    expect(await stored(secretName(rotated.kid))).toMatch(/^aes-256-gcm:/);
  });

  it('generates a wrapping key in development, and refuses to sign in production without one', async () => {
    const development = createKeyring(kernelWith({ certificateWrappingKey: undefined }, 'development'), store);
    const key = await development.signingKey(built.kernel.db, 'T-DEV');
    expect(await stored(WRAPPING_KEY_SECRET)).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(await stored(secretName(key.kid))).toMatch(/^aes-256-gcm:/);
    const production = createKeyring(kernelWith({ certificateWrappingKey: undefined }, 'production'), store);
    await expect(production.signingKey(built.kernel.db, 'T-DEV')).rejects.toMatchObject({ code: 'TB_SECRETS_REQUIRED' });
    await expect(production.signingKey(built.kernel.db, 'T-PROD')).rejects.toMatchObject({ code: 'TB_SECRETS_REQUIRED' });
    expect(await store.currentKey(built.kernel.db, 'T-PROD')).toBeUndefined();
  });

  it('opens keys sealed under an accepted wrapping key, and reseal moves them onto the current one (ADR 42)', async () => {
    const previous = randomBytes(32).toString('base64');
    const next = randomBytes(32).toString('base64url');
    const before = createKeyring(kernelWith({ certificateWrappingKey: previous }), store);
    const retired = await before.signingKey(built.kernel.db, 'T-RESEAL-1');
    await built.kernel.db.transaction().execute((tx) => before.rotate(tx, 'T-RESEAL-1'));
    const rotated = await before.signingKey(built.kernel.db, 'T-RESEAL-1');
    const other = await before.signingKey(built.kernel.db, 'T-RESEAL-2');
    const kids = [retired.kid, rotated.kid, other.kid];
    const valuesBefore = await Promise.all(kids.map((kid) => stored(secretName(kid))));

    // The new key alone does not open them yet; with the previous one accepted, signing goes on (one warning).
    const onlyNext = createKeyring(kernelWith({ certificateWrappingKey: next, certificateAcceptedWrappingKeys: undefined }), store);
    await expect(onlyNext.signingKey(built.kernel.db, 'T-RESEAL-2')).rejects.toThrow(/nor any of TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS/);
    const during = createKeyring(kernelWith({ certificateWrappingKey: next, certificateAcceptedWrappingKeys: [randomBytes(32).toString('base64'), previous] }), store);
    const warn = vi.spyOn(built.kernel.log, 'warn');
    try {
      expect((await during.signingKey(built.kernel.db, 'T-RESEAL-2')).privateJwk).toEqual(other.privateJwk);
      await during.signingKey(built.kernel.db, 'T-RESEAL-1');
      expect(warn.mock.calls.filter(([, message]) => String(message).includes('tongban keys reseal'))).toHaveLength(1);
    } finally {
      warn.mockRestore();
    }

    const report = await during.reseal(built.kernel.db);
    expect(report.resealed).toEqual(expect.arrayContaining(kids));
    const valuesAfter = await Promise.all(kids.map((kid) => stored(secretName(kid))));
    valuesAfter.forEach((value, i) => {
      expect(value).toMatch(/^aes-256-gcm:/);
      expect(value).not.toBe(valuesBefore[i]);
    });
    // Now the new key alone opens them, the retired one included; the previous key no longer does.
    expect((await onlyNext.signingKey(built.kernel.db, 'T-RESEAL-2')).privateJwk).toEqual(other.privateJwk);
    expect((await onlyNext.signingKey(built.kernel.db, 'T-RESEAL-1')).privateJwk).toEqual(rotated.privateJwk);
    const retiredReport = await onlyNext.reseal(built.kernel.db);
    expect(retiredReport.resealed).not.toContain(retired.kid);
    expect(retiredReport.unopened).not.toContain(retired.kid);
    await expect(before.signingKey(built.kernel.db, 'T-RESEAL-2')).rejects.toThrow(/does not open/);
    // A second run finds them under the current key already.
    const again = await during.reseal(built.kernel.db);
    for (const kid of kids) expect(again.resealed).not.toContain(kid);
    expect(again.unchanged).toBeGreaterThanOrEqual(kids.length);
  });

  it('reseal seals a key stored unsealed before ADR 40, and leaves one that no configured key opens as it was', async () => {
    const keyring = createKeyring(kernelWith({ certificateWrappingKey: wrapping }), store);
    const legacy = await keyring.signingKey(built.kernel.db, 'T-RESEAL-LEGACY');
    const lost = await keyring.signingKey(built.kernel.db, 'T-RESEAL-LOST');
    const put = (kid: string, value: string) => secrets().updateTable('tb_secret').set({ value }).where('name', '=', secretName(kid)).execute();
    await put(legacy.kid, JSON.stringify(legacy.privateJwk));
    const underLostKey = sealedText(seal(randomBytes(32), aadOf(lost.kid), Buffer.from(JSON.stringify(lost.privateJwk))));
    await put(lost.kid, underLostKey);

    const report = await keyring.reseal(built.kernel.db);
    expect(report.resealed).toContain(legacy.kid);
    expect(report.unopened).toContain(lost.kid);
    expect(await stored(secretName(legacy.kid))).toMatch(/^aes-256-gcm:/);
    expect(await stored(secretName(lost.kid))).toBe(underLostKey);
    const warn = vi.spyOn(built.kernel.log, 'warn');
    try {
      const fresh = createKeyring(kernelWith({ certificateWrappingKey: wrapping }), store);
      expect((await fresh.signingKey(built.kernel.db, 'T-RESEAL-LEGACY')).privateJwk).toEqual(legacy.privateJwk);
      expect(warn.mock.calls.filter(([, message]) => String(message).includes('stored unsealed'))).toHaveLength(0);
    } finally {
      warn.mockRestore();
    }
  });
});
