import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTongban } from '../../test/helpers/cli.js';
import { makeCertificate } from '../modules/mediator/test-tls.js';

/** A port nobody listens on, for the public listener. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address !== null ? address.port : 0;
}

/**
 * The real `tongban serve` on an in-memory database. A start that fails must end the process with
 * exit 1: one that kept serving is killed after 90 s (`killed`, no exit code).
 */
async function serve(settings: Record<string, string>) {
  const running = runTongban({ LOG_LEVEL: 'silent', TONGBAN_DATA_DIR: ':memory:', HOST: '127.0.0.1', PORT: String(await freePort()), ...settings }, 'serve');
  const timer = setTimeout(() => running.child.kill(), 90_000);
  try {
    return await running;
  } finally {
    clearTimeout(timer);
  }
}

describe('tongban serve: a failed start ends the process', () => {
  let dir = '';
  let pair = { cert: '', key: '' };
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tongban-serve-'));
    const made = makeCertificate('tongban.example');
    pair = { cert: join(dir, 'cert.pem'), key: join(dir, 'key.pem') };
    await writeFile(pair.cert, made.cert);
    await writeFile(pair.key, made.key);
    await writeFile(join(dir, 'junk.pem'), 'not a certificate');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('refuses an unreadable certificate file, naming the setting, before it listens', async () => {
    const failed = serve({ TONGBAN_MEDIATOR_TLS_PORT: String(await freePort()), TONGBAN_MEDIATOR_TLS_CERT_FILE: join(dir, 'missing.pem'), TONGBAN_MEDIATOR_TLS_KEY_FILE: pair.key });
    await expect(failed).rejects.toMatchObject({ code: 1, killed: false, stderr: expect.stringContaining('TONGBAN_MEDIATOR_TLS_CERT_FILE: cannot read') as string });
  }, 100_000);

  it('refuses a file that is not a certificate, and a key that is not one', async () => {
    const cert = serve({ TONGBAN_MEDIATOR_TLS_PORT: String(await freePort()), TONGBAN_MEDIATOR_TLS_CERT_FILE: join(dir, 'junk.pem'), TONGBAN_MEDIATOR_TLS_KEY_FILE: pair.key });
    await expect(cert).rejects.toMatchObject({ code: 1, killed: false, stderr: expect.stringContaining('are not a PEM certificate and its private key') as string });
    const key = serve({ TONGBAN_MEDIATOR_TLS_PORT: String(await freePort()), TONGBAN_MEDIATOR_TLS_CERT_FILE: pair.cert, TONGBAN_MEDIATOR_TLS_KEY_FILE: join(dir, 'junk.pem') });
    await expect(key).rejects.toMatchObject({ code: 1, killed: false });
  }, 100_000);

  it('closes the public listener and the job queue when the systems\' port is taken', async () => {
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const address = taken.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    try {
      const failed = serve({ TONGBAN_MEDIATOR_TLS_PORT: String(port), TONGBAN_MEDIATOR_TLS_CERT_FILE: pair.cert, TONGBAN_MEDIATOR_TLS_KEY_FILE: pair.key });
      await expect(failed).rejects.toMatchObject({ code: 1, killed: false, stderr: expect.stringContaining('EADDRINUSE') as string });
    } finally {
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  }, 100_000);
});
