import { generateKeyPairSync } from 'node:crypto';
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
 * Loads the signing key: the configured one (production), or one generated once and kept in
 * the secret store so every instance and restart signs with the same key.
 */
export async function loadPlatformKey(db: Kysely<object>, configured?: string): Promise<PlatformKey> {
  const value = configured ?? await getOrCreateSecret(db, TOKEN_SIGNING_SECRET, generateEd25519Jwk);
  const { d, ...publicPart } = parseEd25519PrivateJwk(value, 'The access-token signing key');
  const kid = await calculateJwkThumbprint(publicPart);
  const privateKey = await importJWK({ ...publicPart, d }, 'EdDSA');
  if (!(privateKey instanceof CryptoKey)) throw new Error('The access-token signing key did not import as a CryptoKey');
  return { kid, privateKey, publicJwk: { ...publicPart, kid, alg: 'EdDSA', use: 'sig' } };
}
