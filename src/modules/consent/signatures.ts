import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { RAW_ED25519_PUBLIC_KEY } from '../../kernel/config/index.js';
import { sha256 as sha256Of } from '../../kernel/digest.js';

/**
 * Signatures over consent records (GovStack Signature), as pure functions: what is signed and how
 * a signature is checked. Tongban checks one method, `Ed25519`: `signature` is the base64url
 * Ed25519 signature of the UTF-8 `payload`, and `verificationSignedBy` the signer's public key
 * as a JWK (`{"kty":"OKP","crv":"Ed25519","x":…}`) or the base64url of its 32 raw bytes.
 * docs/adr/0029-consent-api-complete.md.
 */

export const SIGNATURE_METHOD = 'Ed25519';

export const sha256 = (text: string): string => sha256Of(text, 'hex');

/** What a signature covers: the record's snapshot (a Revision's serializedSnapshot), its hash, and how it is to be signed. */
export interface SignedPayload {
  readonly verificationPayload: string;
  readonly verificationPayloadHash: string;
  readonly verificationMethod: string;
  readonly timestamp: string;
  readonly signedWithoutObjectReference: boolean;
  readonly objectType: 'ConsentRecord';
  readonly objectReference?: string;
}

/** The payload to sign, serialized with a fixed key order. */
export function payloadFor(snapshot: string, timestamp: Date, objectReference: string | undefined): { payload: string; fields: SignedPayload } {
  const fields: SignedPayload = {
    verificationPayload: snapshot, verificationPayloadHash: sha256(snapshot), verificationMethod: SIGNATURE_METHOD, timestamp: timestamp.toISOString(),
    signedWithoutObjectReference: objectReference === undefined, objectType: 'ConsentRecord', ...(objectReference !== undefined ? { objectReference } : {}),
  };
  return { payload: JSON.stringify(fields), fields };
}

/** The signer's public key, or undefined when `signedBy` is neither an Ed25519 JWK nor 32 raw bytes. */
export function publicKeyOf(signedBy: string): KeyObject | undefined {
  try {
    const text = signedBy.trim();
    const jwk = RAW_ED25519_PUBLIC_KEY.test(text) ? { kty: 'OKP', crv: 'Ed25519', x: text } : (JSON.parse(text) as Record<string, unknown>);
    if (jwk.kty !== 'OKP' || jwk.crv !== 'Ed25519' || typeof jwk.x !== 'string') return undefined;
    return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: jwk.x }, format: 'jwk' });
  } catch {
    return undefined;
  }
}

/** True when `signature` (base64url) is the Ed25519 signature of `payload` by `signedBy`. */
export function verifies(payload: string, signature: string, signedBy: string): boolean {
  const key = publicKeyOf(signedBy);
  if (!key || !/^[A-Za-z0-9_-]+={0,2}$/.test(signature)) return false;
  try {
    return verify(null, Buffer.from(payload, 'utf8'), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

/** Parses a signed payload a client sends back; undefined when it is not one of ours in shape. */
export function parsePayload(payload: string): SignedPayload | undefined {
  try {
    const value = JSON.parse(payload) as Partial<SignedPayload>;
    if (typeof value.verificationPayload !== 'string' || typeof value.verificationPayloadHash !== 'string' || value.objectType !== 'ConsentRecord') return undefined;
    if (value.verificationPayloadHash !== sha256(value.verificationPayload) || value.verificationMethod !== SIGNATURE_METHOD) return undefined;
    return value as SignedPayload;
  } catch {
    return undefined;
  }
}
