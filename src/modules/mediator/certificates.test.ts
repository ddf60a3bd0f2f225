import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { groupedFingerprint, normaliseFingerprint, parseCertificate, peerCertificateSha256 } from './certificates.js';
import { makeCertificate } from './test-tls.js';

const NOW = new Date();
const pair = makeCertificate('case-system.cab.example.cn', { days: 2 });

/** What `openssl x509 -fingerprint -sha256` prints for the certificate: the figure an administrator compares. */
const opensslFingerprint = (pem: string) => /=([0-9A-F:]+)/.exec(execFileSync('openssl', ['x509', '-noout', '-fingerprint', '-sha256'], { input: pem }).toString())?.[1];

describe('a pasted TLS client certificate', () => {
  it('is read with the fingerprint openssl prints, its names on one line, and its validity', () => {
    const parsed = parseCertificate(`\n  ${pair.cert}\n`, NOW);
    if (!parsed.ok) throw new Error(parsed.problem);
    expect(groupedFingerprint(parsed.certificate.sha256)).toBe(opensslFingerprint(pair.cert));
    expect(parsed.certificate.subject).toBe('CN=case-system.cab.example.cn, O=Tongban test');
    expect(parsed.certificate.notAfter.getTime() - parsed.certificate.notBefore.getTime()).toBe(2 * 86_400_000);
    expect(parsed.certificate.pem).toBe(pair.cert.trim());
  });

  it('is refused, saying why: empty, a private key (even beside the certificate), two certificates, not a certificate, expired', () => {
    const problem = (text: string, now = NOW) => {
      const parsed = parseCertificate(text, now);
      return parsed.ok ? 'ok' : parsed.problem;
    };
    expect(problem('  \n')).toBe('empty');
    expect(problem(pair.key)).toBe('privateKey');
    expect(problem(`${pair.cert}\n${pair.key}`)).toBe('privateKey');
    expect(problem(`${pair.cert}\n${makeCertificate('other').cert}`)).toBe('notOne');
    expect(problem('hello')).toBe('unreadable');
    expect(problem('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----')).toBe('unreadable');
    expect(problem(pair.cert, new Date(NOW.getTime() + 3 * 86_400_000))).toBe('expired');
  });
});

describe('fingerprints', () => {
  it('are stored as 64 lowercase hex digits whether written with colons or not, and read back grouped', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => {
      const hex = Buffer.from(bytes).toString('hex');
      expect(normaliseFingerprint(groupedFingerprint(hex))).toBe(hex);
      expect(normaliseFingerprint(hex.toUpperCase())).toBe(hex);
    }));
    expect(normaliseFingerprint('ab:cd')).toBeUndefined();
    expect(normaliseFingerprint('z'.repeat(64))).toBeUndefined();
  });

  it('of a plain socket, or a TLS one without a client certificate, are none', () => {
    expect(peerCertificateSha256({ encrypted: undefined })).toBeUndefined();
    expect(peerCertificateSha256({ encrypted: true, getPeerCertificate: () => ({}) })).toBeUndefined();
    const raw = Buffer.from('der bytes');
    expect(peerCertificateSha256({ encrypted: true, getPeerCertificate: () => ({ raw }) })).toMatch(/^[0-9a-f]{64}$/);
  });
});
