import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { TongbanError } from '../http/errors.js';
import { resolveSecret } from '../secrets/index.js';
import { AuditErrors } from './errors.js';

/** Signs checkpoints. `publicKey` is the raw Ed25519 key, base64url (a JWK `x`). */
export interface Signer {
  readonly publicKey: string;
  sign(data: string): string;
}

/** A fresh Ed25519 private key as base64 PKCS#8 DER: the format of config.secrets.auditSigningKey. */
export function generateSigningKey(): string {
  return generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64');
}

export function signerFromPkcs8(base64: string): Signer {
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: Buffer.from(base64, 'base64'), format: 'der', type: 'pkcs8' });
  } catch (cause) {
    throw new TongbanError(AuditErrors.TB_AUDIT_SIGNING_KEY_INVALID, { detail: 'the audit signing key is not base64 PKCS#8 DER', cause });
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new TongbanError(AuditErrors.TB_AUDIT_SIGNING_KEY_INVALID, { detail: `the audit signing key is ${key.asymmetricKeyType ?? 'not asymmetric'}, not Ed25519` });
  }
  const { x } = createPublicKey(key).export({ format: 'jwk' });
  if (!x) throw new TongbanError(AuditErrors.TB_AUDIT_SIGNING_KEY_INVALID, { detail: 'no public key could be derived' });
  return { publicKey: x, sign: (data) => sign(null, Buffer.from(data), key).toString('base64url') };
}

/** True when `signature` (base64url) is `publicKey`'s Ed25519 signature of `data`. */
export function verifySignature(publicKey: string, data: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return verify(null, Buffer.from(data), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/**
 * The configured signing key, or a development key kept in the secret store (never in
 * production: resolveSecret refuses). Returns where it came from so the caller can warn.
 */
export async function loadSigner(db: Db, config: Pick<Config, 'env' | 'secrets'>): Promise<{ signer: Signer; source: 'config' | 'store' }> {
  const { value, source } = await resolveSecret(db, config, 'auditSigningKey', generateSigningKey);
  return { signer: signerFromPkcs8(value), source };
}
