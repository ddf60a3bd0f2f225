import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postPinned, resolveDestination } from './pinned.js';
import { fakeResolver, v4, v6 } from './test-kit.js';

describe('resolving an address a caller chose', () => {
  it('refuses in production a name that resolves to an internal address, even one among public ones', async () => {
    const resolve = fakeResolver({
      'callback.example': [[v4('127.0.0.1')]], 'metadata.example': [[v4('169.254.169.254')]], 'mixed.example': [[v4('8.8.8.8'), v6('fd00::1')]],
      'mapped.example': [[v6('::ffff:10.0.0.1')]],
    });
    for (const host of ['callback.example', 'metadata.example', 'mixed.example', 'mapped.example']) {
      expect(await resolveDestination(new URL(`https://${host}/cb`), { resolve, refuseInternal: true }), host).toEqual({ kind: 'internal' });
    }
    // Internal as written: refused before any lookup.
    expect(await resolveDestination(new URL('https://[::1]/cb'), { resolve, refuseInternal: true })).toEqual({ kind: 'internal' });
    expect(resolve.calls).not.toContain('::1');
  });

  it('passes a name that resolves to public addresses only, with every address', async () => {
    const resolve = fakeResolver({ 'agency.example': [[v4('93.184.216.34'), v6('2606:2800:220:1::1')]] });
    expect(await resolveDestination(new URL('https://agency.example/cb'), { resolve, refuseInternal: true }))
      .toEqual({ kind: 'checked', addresses: [v4('93.184.216.34'), v6('2606:2800:220:1::1')] });
  });

  it('outside production takes loopback (tests and the demo), and says when a name does not resolve', async () => {
    const resolve = fakeResolver({ 'callback.example': [[v4('127.0.0.1')]] });
    expect(await resolveDestination(new URL('http://callback.example/cb'), { resolve, refuseInternal: false })).toEqual({ kind: 'checked', addresses: [v4('127.0.0.1')] });
    expect(await resolveDestination(new URL('http://gone.example/cb'), { resolve, refuseInternal: true })).toEqual({ kind: 'unresolved', reason: 'ENOTFOUND' });
  });
});

describe('posting to the checked address', () => {
  let port = 0;
  const seen: { headers: IncomingHttpHeaders; body: string }[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => { body += chunk.toString(); });
    req.on('end', () => {
      seen.push({ headers: req.headers, body });
      res.statusCode = req.url === '/moved' ? 302 : 204;
      if (req.url === '/moved') res.setHeader('location', 'http://127.0.0.1:1/');
      res.end();
    });
  });
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => { await new Promise((resolve) => server.close(resolve)); });

  it('connects to the address that was checked, not to a later DNS answer (rebinding), with the name as Host', async () => {
    // The first answer is checked; a second lookup would get another address (and the system resolver knows no callback.example).
    const resolve = fakeResolver({ 'callback.example': [[v4('127.0.0.1')], [v4('10.9.9.9')]] });
    const url = new URL(`http://callback.example:${port}/cb`);
    const destination = await resolveDestination(url, { resolve, refuseInternal: false });
    if (destination.kind !== 'checked') throw new Error('not checked');
    const answer = await postPinned(url, destination.addresses, { headers: { 'content-type': 'application/json' }, body: '{"a":1}', timeoutMs: 5_000 });
    expect(answer.status).toBe(204);
    expect(resolve.calls).toEqual(['callback.example']);
    expect(seen.at(-1)).toMatchObject({ headers: { host: `callback.example:${port}` }, body: '{"a":1}' });
  });

  it('does not follow a redirect: the 3xx is the answer', async () => {
    const before = seen.length;
    const answer = await postPinned(new URL(`http://callback.example:${port}/moved`), [v4('127.0.0.1')], { headers: {}, body: '', timeoutMs: 5_000 });
    expect(answer.status).toBe(302);
    expect(seen.length).toBe(before + 1);
  });

  it('over TLS sends the name in the URL as servername and verifies the certificate (a self-signed one is refused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tongban-pinned-'));
    let cert: string;
    let key: string;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', join(dir, 'key.pem'),
        '-out', join(dir, 'cert.pem'), '-days', '1', '-subj', '/CN=callback.example', '-addext', 'subjectAltName=DNS:callback.example'], { stdio: 'ignore' });
      cert = readFileSync(join(dir, 'cert.pem'), 'utf8');
      key = readFileSync(join(dir, 'key.pem'), 'utf8');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    const names: string[] = [];
    // SNICallback sees the name the client sent before the client checks the certificate and hangs up.
    const tls = createTlsServer({ cert, key, SNICallback: (name, done) => { names.push(name); done(null, undefined); } }, (socket) => socket.on('error', () => undefined));
    tls.on('tlsClientError', () => undefined);
    await new Promise<void>((resolve) => tls.listen(0, '127.0.0.1', resolve));
    try {
      const tlsPort = (tls.address() as AddressInfo).port;
      const attempt = postPinned(new URL(`https://callback.example:${tlsPort}/cb`), [v4('127.0.0.1')], { headers: {}, body: '', timeoutMs: 5_000 });
      await expect(attempt).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) as unknown });
      expect(names).toEqual(['callback.example']);
    } finally {
      await new Promise((resolve) => tls.close(resolve));
    }
  });
});
