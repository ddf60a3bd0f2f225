import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeKey32, open, parseSealedText, seal, sealedText } from './seal.js';

describe('seal (AES-256-GCM at rest)', () => {
  const key = randomBytes(32);

  it('opens what it sealed, through the text form too, for any bytes and additional data', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 2048 }), fc.string(), (bytes, aad) => {
      const plain = Buffer.from(bytes);
      const sealed = seal(key, aad, plain);
      expect(open(key, aad, sealed)?.equals(plain)).toBe(true);
      const again = parseSealedText(sealedText(sealed));
      expect(again && open(key, aad, again)?.equals(plain)).toBe(true);
    }));
  });

  it('does not open under another key, other additional data, or with any byte changed', () => {
    const sealed = seal(key, 'documents.signing-key/a', Buffer.from('{"d":"secret"}'));
    expect(open(randomBytes(32), 'documents.signing-key/a', sealed)).toBeUndefined();
    expect(open(key, 'documents.signing-key/b', sealed)).toBeUndefined();
    for (const part of ['iv', 'tag', 'body'] as const) {
      const changed = Buffer.from(sealed[part]);
      changed[0] = (changed[0] ?? 0) ^ 1;
      expect(open(key, 'documents.signing-key/a', { ...sealed, [part]: changed })).toBeUndefined();
    }
  });

  it('reads only its own text form, and only 32-byte keys', () => {
    expect(parseSealedText('{"kty":"OKP","d":"x"}')).toBeUndefined();
    expect(parseSealedText('aes-256-gcm:abc.def')).toBeUndefined();
    expect(parseSealedText('aes-256-gcm:a+b.c.d')).toBeUndefined();
    expect(parseSealedText(`aes-256-gcm:${randomBytes(8).toString('base64url')}.${randomBytes(16).toString('base64url')}.`)).toBeUndefined();
    const key32 = randomBytes(32);
    expect(decodeKey32(key32.toString('base64'))?.equals(key32)).toBe(true);
    expect(decodeKey32(key32.toString('base64url'))?.equals(key32)).toBe(true);
    expect(decodeKey32(randomBytes(31).toString('base64'))).toBeUndefined();
    expect(decodeKey32('not a key')).toBeUndefined();
  });
});
