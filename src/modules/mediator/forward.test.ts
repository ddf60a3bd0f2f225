import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createForwarder, type Forwarded, type Outgoing } from './forward.js';

/*
 * The forwarder against a real provider on loopback (node:http, no framework): what it passes on,
 * and each way an answer can go wrong. No database is involved, so it runs once.
 */

const MAX_ANSWER = 64 * 1024;
type Route = (request: IncomingMessage, response: ServerResponse, body: Buffer) => void;

const routes: Record<string, Route> = {
  '/echo': (request, response, body) => {
    response.writeHead(201, { 'content-type': 'application/xml', etag: '"v1"', 'set-cookie': 'secret=1', 'x-internal': 'no' });
    response.end(JSON.stringify({ method: request.method, url: request.url, header: request.headers['x-road-id'], body: body.toString('base64') }));
  },
  // Several writes of a chunked answer: the forwarder joins them byte for byte.
  '/chunks': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    let i = 0;
    const next = () => {
      if (i === 5) { response.end(); return; }
      response.write(Buffer.alloc(10_000, i));
      i += 1;
      setTimeout(next, 5);
    };
    next();
  },
  '/huge': (_request, response) => {
    response.writeHead(200, { 'content-type': 'application/octet-stream' });
    response.end(Buffer.alloc(MAX_ANSWER + 1, 7));
  },
  '/silent': () => { /* never answers */ },
  // Headers at once, then the body stalls.
  '/stall': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    response.write('begun');
  },
  // A byte every 20 ms without end: no gap reaches the body timeout, only the total deadline ends it.
  '/trickle': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain' });
    const timer = setInterval(() => response.write('.'), 20);
    response.on('close', () => { clearInterval(timer); });
  },
  '/cut': (_request, response) => {
    response.writeHead(200, { 'content-type': 'text/plain', 'content-length': '1000' });
    response.write('only part of it');
    setTimeout(() => response.socket?.destroy(), 10);
  },
};

describe('forwarding to a provider', () => {
  let server: Server;
  let origin: string;
  let deadPort: number;
  const forwarder = createForwarder({ connectTimeoutMs: 1_000, maxAnswerBytes: MAX_ANSWER });

  beforeAll(async () => {
    server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        // Routed by the first segment: /echo/a%20b is /echo.
        const route = routes[`/${(request.url ?? '').split(/[/?]/)[1] ?? ''}`];
        if (route) route(request, response, Buffer.concat(chunks));
        else response.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    deadPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => { resolve(); }));
  });
  afterAll(async () => {
    await forwarder.close();
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  });

  const send = (path: string, extra: Partial<Outgoing> = {}): Promise<Forwarded> =>
    forwarder.forward({ url: `${origin}${path}`, method: 'GET', headers: {}, body: undefined, timeoutMs: 2_000, ...extra });
  const answerOf = (forwarded: Forwarded) => {
    if (forwarded.kind !== 'answer') throw new Error(`expected an answer, got ${forwarded.kind}: ${forwarded.reason}`);
    return forwarded;
  };

  it('sends the method, path, query, headers and body, and passes back only the allowed answer headers', async () => {
    const body = Buffer.from('<xml>数据</xml>');
    const answer = answerOf(await send('/echo/a%20b?x=1&y=%E6%95%B0', { method: 'POST', headers: { 'x-road-id': 'm-1', 'content-type': 'application/xml' }, body }));
    expect(answer.status).toBe(201);
    expect(answer.headers).toEqual({ 'content-type': 'application/xml', etag: '"v1"' });
    expect(JSON.parse(answer.body.toString())).toEqual({ method: 'POST', url: '/echo/a%20b?x=1&y=%E6%95%B0', header: 'm-1', body: body.toString('base64') });
  });

  it('joins an answer that arrives in several chunks, byte for byte', async () => {
    const answer = answerOf(await send('/chunks'));
    expect(answer.body).toEqual(Buffer.concat([0, 1, 2, 3, 4].map((i) => Buffer.alloc(10_000, i))));
  });

  it('refuses an answer over the limit, and the next call on the pool still gets its answer', async () => {
    expect(await send('/huge')).toEqual({ kind: 'too-large', reason: `the answer exceeds ${MAX_ANSWER} bytes` });
    expect(answerOf(await send('/echo')).status).toBe(201);
  });

  it('gives up at the deadline on a provider that never answers, whose body stalls, or whose body never ends', async () => {
    for (const path of ['/silent', '/stall', '/trickle']) {
      expect(await send(path, { timeoutMs: 300 }), path).toEqual({ kind: 'timeout', reason: 'no answer within 300 ms' });
    }
    expect(answerOf(await send('/echo')).status).toBe(201);
  });

  it('reports an answer cut off mid-body and a closed port as unreachable, with a reason', async () => {
    for (const forwarded of [await send('/cut'), await forwarder.forward({ url: `http://127.0.0.1:${deadPort}/x`, method: 'GET', headers: {}, body: undefined, timeoutMs: 2_000 })]) {
      expect(forwarded.kind).toBe('unreachable');
      expect(forwarded.kind === 'unreachable' && forwarded.reason.length > 0).toBe(true);
    }
  });
});
