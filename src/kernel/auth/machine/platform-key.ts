import { createPrivateKey, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { getOrCreateSecret } from '../../secrets/index.js';

/** Name of the access-token signing key in the secret store. */
export const TOKEN_SIGNING_SECRET = 'auth.machine.token-signing-key';

/** The platform's Ed25519 key for access tokens: private half to sign, public half to publish. */
export interface PlatformKey {
  readonly kid: string;
  readonly privateKey: CryptoKey;
  /** What GET /oauth/jwks publishes. */
  readonly publicJwk: JWK;
}

/** A fresh Ed25519 private key as a JWK JSON string (synchronous, as the secret store needs). */
export function generateEd25519Jwk(): string {
  const { privateKey } = generateKeyPairSync('ed25519');
  return JSON.stringify(privateKey.export({ format: 'jwk' }));
}

export function parseEd25519PrivateJwk(value: string, what: string): JWK & { d: string; x: string } {
  let jwk: unknown;
  try { jwk = JSON.parse(value); } catch (cause) { throw new Error(`${what} is not JSON`, { cause }); }
  const key = jwk as Partial<Record<string, unknown>>;
  if (key.kty !== 'OKP' || key.crv !== 'Ed25519' || typeof key.d !== 'string' || typeof key.x !== 'string') {
    throw new Error(`${what} must be an Ed25519 private JWK`);
  }
  return { kty: 'OKP', crv: 'Ed25519', d: key.d, x: key.x };
}

/**
 * The configured key (Ed25519 PKCS#8, base64 DER, as TONGBAN_AUDIT_SIGNING_KEY is given) as the
 * private JWK text the rest of this file reads. Throws, naming the setting, when it is not one.
 */
export function jwkFromPkcs8(base64: string): string {
  let jwk: JsonWebKey;
  try {
    jwk = createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' }).export({ format: 'jwk' });
  } catch (cause) {
    throw new Error('TONGBAN_ACCESS_TOKEN_SIGNING_KEY is not an Ed25519 private key in base64 PKCS#8 DER', { cause });
  }
  if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519') throw new Error('TONGBAN_ACCESS_TOKEN_SIGNING_KEY is not an Ed25519 key');
  return JSON.stringify(jwk);
}

/** A trusted public key (raw Ed25519, base64url) as the JWKS publishes it, its thumbprint as kid. */
export async function publishedPublicJwk(x: string): Promise<JWK> {
  const publicPart = { kty: 'OKP', crv: 'Ed25519', x };
  return { ...publicPart, kid: await calculateJwkThumbprint(publicPart), alg: 'EdDSA', use: 'sig' };
}

/**
 * Loads the signing key: the configured one (required in production, ADR 41), or one generated
 * once and kept in the secret store so every development instance and restart signs with the same key.
 */
export async function loadPlatformKey(db: Kysely<object>, configured?: string): Promise<PlatformKey> {
  const value = configured !== undefined ? jwkFromPkcs8(configured) : await getOrCreateSecret(db, TOKEN_SIGNING_SECRET, generateEd25519Jwk);
  const { d, ...publicPart } = parseEd25519PrivateJwk(value, 'The access-token signing key');
  const kid = await calculateJwkThumbprint(publicPart);
  const privateKey = await importJWK({ ...publicPart, d }, 'EdDSA');
  if (!(privateKey instanceof CryptoKey)) throw new Error('The access-token signing key did not import as a CryptoKey');
  return { kid, privateKey, publicJwk: { ...publicPart, kid, alg: 'EdDSA', use: 'sig' } };
}
