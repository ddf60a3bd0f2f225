import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { sha256 } from '../../kernel/digest.js';

/**
 * A calling system's TLS client certificate, as registered for its subsystem (ADR 43). The
 * mediator pins certificates by the SHA-256 of their DER bytes, as X-Road pins an information
 * system's TLS certificate: no certificate authority is involved, and the TLS handshake proves the
 * caller holds the private key. Pure, but for reading the peer certificate off a socket.
 */
export interface ParsedCertificate {
  /** SHA-256 of the DER bytes, 64 lowercase hex digits. */
  readonly sha256: string;
  readonly subject: string;
  readonly issuer: string;
  readonly serial: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** The certificate alone, re-encoded as one PEM block. */
  readonly pem: string;
}

/** Why a pasted certificate is refused: a message key of its own each, so a form says which. */
export type CertificateProblem = 'empty' | 'privateKey' | 'notOne' | 'unreadable' | 'expired';

export type CertificateParse = { readonly ok: true; readonly certificate: ParsedCertificate } | { readonly ok: false; readonly problem: CertificateProblem };

const BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/** Whether pasted text holds a private key: it is then never stored, echoed or shown again. */
export const containsPrivateKey = (text: string): boolean => PRIVATE_KEY.test(text);

/** Reads one PEM certificate; refuses a pasted private key outright (it is never stored or echoed). */
export function parseCertificate(text: string, now: Date): CertificateParse {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: false, problem: 'empty' };
  if (containsPrivateKey(trimmed)) return { ok: false, problem: 'privateKey' };
  const blocks = trimmed.match(BLOCK) ?? [];
  if (blocks.length !== 1) return { ok: false, problem: blocks.length === 0 ? 'unreadable' : 'notOne' };
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(blocks[0] ?? '');
  } catch {
    return { ok: false, problem: 'unreadable' };
  }
  // Node 20's X509Certificate has no validToDate; its validTo reads like "Dec  6 20:59:44 2026 GMT".
  const notBefore = new Date(x509.validFrom);
  const notAfter = new Date(x509.validTo);
  if (Number.isNaN(notBefore.getTime()) || Number.isNaN(notAfter.getTime())) return { ok: false, problem: 'unreadable' };
  if (notAfter.getTime() <= now.getTime()) return { ok: false, problem: 'expired' };
  return {
    ok: true,
    certificate: {
      sha256: sha256(x509.raw, 'hex'), subject: oneLine(x509.subject), issuer: oneLine(x509.issuer), serial: x509.serialNumber, notBefore, notAfter,
      pem: x509.toString().trim(),
    },
  };
}

/** A distinguished name as Node prints it (one attribute per line), on one line. */
const oneLine = (name: string): string => name.split('\n').filter((part) => part !== '').join(', ').slice(0, 500);

/** A fingerprint as written by hand or by openssl (`AB:CD:…`), in the stored form; undefined if it is none. */
export function normaliseFingerprint(value: string): string | undefined {
  const hex = value.trim().replaceAll(':', '').toLowerCase();
  return /^[0-9a-f]{64}$/.test(hex) ? hex : undefined;
}

/** `ab:cd:…` groups for reading a fingerprint aloud or comparing it with openssl's output. */
export const groupedFingerprint = (hex: string): string => (hex.match(/.{2}/g) ?? []).join(':').toUpperCase();

/**
 * The SHA-256 of the certificate a TLS peer presented, or undefined (plain HTTP, or no
 * certificate). Kept per socket: a keep-alive connection reads its certificate once.
 */
const perSocket = new WeakMap<object, string | undefined>();
export function peerCertificateSha256(socket: object): string | undefined {
  const tls = socket as Partial<TLSSocket>;
  if (tls.encrypted !== true || typeof tls.getPeerCertificate !== 'function') return undefined;
  if (perSocket.has(socket)) return perSocket.get(socket);
  const peer = tls.getPeerCertificate();
  // An empty object when the client sent none.
  const fingerprint = peer.raw !== undefined && peer.raw.length > 0 ? sha256(peer.raw, 'hex') : undefined;
  perSocket.set(socket, fingerprint);
  return fingerprint;
}
