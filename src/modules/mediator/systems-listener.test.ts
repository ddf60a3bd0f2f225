import type { AddressInfo } from 'node:net';
import { connect } from 'node:tls';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeSystemsListener, listenForSystems } from './systems-listener.js';
import { makeCertificate, tlsRequest } from './test-tls.js';

/** The systems' port on its own, in front of an app that believes every proxy (the worst setting). */
describe('the systems\' TLS port', () => {
  const server = makeCertificate('127.0.0.1', { ip: '127.0.0.1' });
  const client = makeCertificate('client.example.cn');
  const app = Fastify({ trustProxy: true });
  app.get('/r1/who', (request) => ({ ip: request.ip, protocol: request.protocol, host: request.host }));
  let systems: Awaited<ReturnType<typeof listenForSystems>>;
  let port = 0;

  beforeAll(async () => {
    await app.ready();
    systems = await listenForSystems(app, { host: '127.0.0.1', port: 0, cert: server.cert, key: server.key });
    port = (systems.address() as AddressInfo).port;
  });
  afterAll(async () => {
    await closeSystemsListener(systems);
    await app.close();
  });

  it('ignores forwarded-for headers: the caller is the TCP peer, over https', async () => {
    const headers = { 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'http', 'x-forwarded-host': 'evil.example', forwarded: 'for=203.0.113.9' };
    const answer = await tlsRequest(port, { path: '/r1/who', serverCert: server.cert, client, headers });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ ip: '127.0.0.1', protocol: 'https', host: `127.0.0.1:${port}` });
  });

  it('answers any other path with a 404 problem without reaching the app, with or without a certificate', async () => {
    for (const path of ['/', '/r1', '/listClientsX', '/admin']) {
      const answer = await tlsRequest(port, { path, serverCert: server.cert });
      expect(answer.status, path).toBe(404);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ code: 'TB_KERNEL_NOT_FOUND', instance: path });
    }
  });

  it('refuses a client that offers only TLS 1.1', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, ca: server.cert, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => { socket.end(); resolve('connected'); });
      socket.on('error', (error: Error) => { resolve(error.message); });
    });
    expect(outcome).not.toBe('connected');
  });
});
