import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { displayName, newReference, REFERENCE_ALPHABET, REFERENCE_PATTERN, sniffType } from './files.js';
import { jpeg, pdf, png } from './test-kit.js';

describe('uploaded files', () => {
  it('recognises PDF, JPEG and PNG by their first bytes and nothing else', () => {
    expect(sniffType(pdf())).toBe('application/pdf');
    expect(sniffType(jpeg())).toBe('image/jpeg');
    expect(sniffType(png())).toBe('image/png');
    expect(sniffType(Buffer.from('<html><script>alert(1)</script>'))).toBeUndefined();
    expect(sniffType(Buffer.from('%PD'))).toBeUndefined();
    expect(sniffType(new Uint8Array())).toBeUndefined();
    // A PNG signature cut short is not a PNG.
    expect(sniffType(png().subarray(0, 7))).toBeUndefined();
  });

  it('keeps only a harmless label of the client\'s file name', () => {
    expect(displayName('C:\\Users\\zw\\租房合同.pdf', 'application/pdf')).toBe('租房合同.pdf');
    expect(displayName('../../etc/passwd', 'image/png')).toBe('passwd');
    expect(displayName('a\u0000b\nc.jpg', 'image/jpeg')).toBe('abc.jpg');
    expect(displayName('..', 'image/png')).toBe('document.png');
    expect(displayName('', 'application/pdf')).toBe('document.pdf');
    expect([...displayName('x'.repeat(500), 'application/pdf')]).toHaveLength(100);
  });
});

describe('references', () => {
  it('look like TB-<year in China>-<6 unambiguous characters>', () => {
    expect(REFERENCE_ALPHABET).not.toMatch(/[01OI]/);
    fc.assert(fc.property(fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }), (at) => {
      const reference = newReference(at);
      expect(reference).toMatch(REFERENCE_PATTERN);
      const year = new Date(at.getTime() + 8 * 3600_000).getUTCFullYear();
      expect(reference.slice(3, 7)).toBe(String(year));
    }));
    // New Year's Eve in UTC is already New Year in Beijing.
    expect(newReference(new Date('2026-12-31T16:30:00Z'))).toMatch(/^TB-2027-/);
  });

  it('rarely repeat', () => {
    const at = new Date('2026-05-01T00:00:00Z');
    const seen = new Set(Array.from({ length: 5000 }, () => newReference(at)));
    expect(seen.size).toBeGreaterThan(4990);
  });
});
