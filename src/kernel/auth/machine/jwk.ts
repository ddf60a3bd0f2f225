import { calculateJwkThumbprint, importJWK, type JWK } from 'jose';
import { TongbanError } from '../../http/index.js';
import './errors.js';

/**
 * Signature algorithms a client assertion may use. Never `none`, never HS*: a shared secret would
 * put the platform in possession of the client's signing key. Both spellings of Ed25519 are
 * accepted (RFC 8037 `EdDSA`, RFC 9864 `Ed25519`).
 */
export const ASSERTION_ALGORITHMS = ['EdDSA', 'Ed25519', 'ES256', 'RS256'] as const;

export const MAX_KEYS_PER_CLIENT = 10;

const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;

/** Whether a JWK carries private or secret key material (RFC 7517/7518), which is never registered. */
export const hasPrivateMembers = (jwk: object): boolean => PRIVATE_MEMBERS.some((member) => member in jwk);
const KID = /^[\x21-\x7e]{1,128}$/;

function refuse(detail: string, cause?: unknown): never {
  throw new TongbanError('TB_AUTH_CLIENT_KEY_INVALID', { detail, cause });
}

function text(jwk: Record<string, unknown>, member: string): string {
  const value = jwk[member];
  if (typeof value !== 'string' || value.length === 0) refuse(`The key has no "${member}"`);
  return value;
}

/**
 * Checks one public key a client registers and keeps only the members that matter, so that what
 * is stored can verify signatures and nothing else. Each key is bound to one algorithm family;
 * a key without `kid` gets its RFC 7638 thumbprint.
 */
export async function normaliseClientKey(input: unknown): Promise<JWK> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) refuse('A key must be a JSON object (JWK)');
  const jwk = input as Record<string, unknown>;
  if (hasPrivateMembers(jwk)) refuse('Register the public key only: never send a private or secret key');
  if (jwk.use !== undefined && jwk.use !== 'sig') refuse('The key must be for signatures (use "sig")');
  let key: JWK;
  let importAlg: string;
  switch (jwk.kty) {
    case 'OKP': {
      if (jwk.crv !== 'Ed25519') refuse('An OKP key must be on the Ed25519 curve');
      if (jwk.alg !== undefined && jwk.alg !== 'EdDSA' && jwk.alg !== 'Ed25519') refuse('An Ed25519 key can only be used with EdDSA');
      // Left without alg so that both spellings of the algorithm find it in the key set.
      key = { kty: 'OKP', crv: 'Ed25519', x: text(jwk, 'x'), ...(typeof jwk.alg === 'string' ? { alg: jwk.alg } : {}) };
      importAlg = key.alg ?? 'EdDSA';
      break;
    }
    case 'EC': {
      if (jwk.crv !== 'P-256') refuse('An EC key must be on the P-256 curve');
      if (jwk.alg !== undefined && jwk.alg !== 'ES256') refuse('A P-256 key can only be used with ES256');
      key = { kty: 'EC', crv: 'P-256', x: text(jwk, 'x'), y: text(jwk, 'y'), alg: 'ES256' };
      importAlg = 'ES256';
      break;
    }
    case 'RSA': {
      if (jwk.alg !== undefined && jwk.alg !== 'RS256') refuse('An RSA key can only be used with RS256');
      const n = text(jwk, 'n');
      if (Buffer.from(n, 'base64url').length * 8 < 2048) refuse('An RSA key must have at least 2048 bits');
      key = { kty: 'RSA', n, e: text(jwk, 'e'), alg: 'RS256' };
      importAlg = 'RS256';
      break;
    }
    default:
      refuse('The key type must be OKP (Ed25519), EC (P-256) or RSA');
  }
  try {
    await importJWK(key, importAlg);
  } catch (error) {
    refuse('The key could not be read', error);
  }
  const kid = jwk.kid === undefined ? await calculateJwkThumbprint(key) : jwk.kid;
  if (typeof kid !== 'string' || !KID.test(kid)) refuse('The key id (kid) must be 1 to 128 printable characters');
  return { ...key, kid, use: 'sig' };
}

/** Normalises a whole set and refuses two keys with the same kid (a verifier could not pick). */
export async function normaliseClientKeys(inputs: readonly unknown[]): Promise<JWK[]> {
  const keys: JWK[] = [];
  for (const input of inputs) keys.push(await normaliseClientKey(input));
  return mergeKeys([], keys);
}

/** Adds already-normalised keys to a client's set; synchronous, so it can run under a row lock. */
export function mergeKeys(existing: readonly JWK[], added: readonly JWK[]): JWK[] {
  const keys = [...existing];
  for (const key of added) {
    if (keys.some((k) => k.kid === key.kid)) refuse(`A key with kid "${key.kid}" is already registered`);
    keys.push(key);
  }
  if (keys.length === 0) refuse('Register at least one public key');
  if (keys.length > MAX_KEYS_PER_CLIENT) refuse(`A client may have at most ${MAX_KEYS_PER_CLIENT} keys: remove old ones first`);
  return keys;
}
