import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeCertificate, type KeyPair } from '../../src/modules/mediator/test-tls.js';

export interface TlsMaterial {
  /** The server's certificate and key (for 127.0.0.1), in files as an operator configures them. */
  readonly server: KeyPair & { readonly certFile: string; readonly keyFile: string };
  /** A calling system's client certificate and key. */
  readonly client: KeyPair;
  dispose(): Promise<void>;
}

/** Certificates for the mediator's TLS port and its bare baseline, made by the openssl command (ADR 43). */
export async function makeTlsMaterial(): Promise<TlsMaterial> {
  const dir = await mkdtemp(join(tmpdir(), 'tongban-bench-tls-'));
  const server = makeCertificate('127.0.0.1', { ip: '127.0.0.1' });
  const certFile = join(dir, 'server.crt');
  const keyFile = join(dir, 'server.key');
  await writeFile(certFile, server.cert);
  await writeFile(keyFile, server.key, { mode: 0o600 });
  return { server: { ...server, certFile, keyFile }, client: makeCertificate('bench-civil-system'), dispose: () => rm(dir, { recursive: true, force: true }) };
}
