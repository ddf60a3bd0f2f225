import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM, the one way Tongban seals data at rest under a configured key: the mediator's
 * stored bodies (binary columns) and the certificates' private keys (text in the secret store).
 * The additional data names what was sealed (a message and part, a key id), so a sealed value
 * copied onto another row does not open there.
 */
export interface Sealed { readonly iv: Buffer; readonly tag: Buffer; readonly body: Buffer }

/** A 32-byte key given as base64 or base64url (43 characters, `=` optional); undefined otherwise. */
export function decodeKey32(text: string): Buffer | undefined {
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) return undefined;
  const key = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  return key.length === 32 ? key : undefined;
}

export function seal(key: Buffer, aad: string, plain: Buffer): Sealed {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), body };
}

/** The plain bytes, or undefined when the tag does not verify (another key, other data, or changed bytes). */
export function open(key: Buffer, aad: string, sealed: Sealed): Buffer | undefined {
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, sealed.iv);
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(sealed.tag);
    return Buffer.concat([decipher.update(sealed.body), decipher.final()]);
  } catch {
    return undefined;
  }
}

const TEXT_PREFIX = 'aes-256-gcm:';

/** A sealed value as one line of text: `aes-256-gcm:<iv>.<tag>.<body>`, each part base64url. */
export const sealedText = (sealed: Sealed): string =>
  `${TEXT_PREFIX}${sealed.iv.toString('base64url')}.${sealed.tag.toString('base64url')}.${sealed.body.toString('base64url')}`;

/** The parts of a value written by `sealedText`; undefined for any other text (e.g. a value stored unsealed). */
export function parseSealedText(text: string): Sealed | undefined {
  if (!text.startsWith(TEXT_PREFIX)) return undefined;
  const parts = text.slice(TEXT_PREFIX.length).split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]*$/.test(p))) return undefined;
  const [iv = '', tag = '', body = ''] = parts;
  const sealed = { iv: Buffer.from(iv, 'base64url'), tag: Buffer.from(tag, 'base64url'), body: Buffer.from(body, 'base64url') };
  return sealed.iv.length === 12 && sealed.tag.length === 16 ? sealed : undefined;
}
