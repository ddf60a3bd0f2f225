import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface KeyPair { readonly cert: string; readonly key: string }

/**
 * A self-signed certificate and its key made by the openssl command, as a calling system's
 * administrator would make one (ADR 43). P-256, so it is quick.
 */
export function makeCertificate(commonName: string, options: { days?: number; ip?: string } = {}): KeyPair {
  const dir = mkdtempSync(join(tmpdir(), 'tongban-tls-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      '-days', String(options.days ?? 30), '-subj', `/CN=${commonName}/O=Tongban test`, ...(options.ip ? ['-addext', `subjectAltName=IP:${options.ip}`] : []),
    ], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'cert.pem'), 'utf8'), key: readFileSync(join(dir, 'key.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface TlsAnswer { readonly status: number; readonly headers: Record<string, string | string[] | undefined>; readonly body: string }

/** One HTTPS request to the systems' port, trusting only the mediator's certificate, on a new connection. */
export function tlsRequest(port: number, options: { path: string; serverCert: string; client?: KeyPair | undefined; headers?: Record<string, string>; method?: string }): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request({
      host: '127.0.0.1', port, path: options.path, method: options.method ?? 'GET', headers: options.headers ?? {}, ca: options.serverCert, agent: false,
      ...(options.client ? { cert: options.client.cert, key: options.client.key } : {}),
    }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => { resolve({ status: incoming.statusCode ?? 0, headers: incoming.headers, body: Buffer.concat(chunks).toString('utf8') }); });
      incoming.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}
