import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256, sha256Bytes } from './digest.js';

describe('sha256', () => {
  it('gives the known digests of FIPS 180-2 and of nothing', () => {
    expect(sha256('abc', 'hex')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256(Buffer.alloc(0), 'base64url')).toBe('47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });

  it('is what createHash gives, for text as UTF-8 and for bytes, in every encoding', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary' }), fc.uint8Array(), (text, bytes) => {
      const buffer = Buffer.from(bytes);
      expect(sha256(text, 'hex')).toBe(createHash('sha256').update(text, 'utf8').digest('hex'));
      expect(sha256(buffer, 'base64url')).toBe(createHash('sha256').update(buffer).digest('base64url'));
      expect(sha256Bytes(text).equals(createHash('sha256').update(text).digest())).toBe(true);
    }));
  });
});
