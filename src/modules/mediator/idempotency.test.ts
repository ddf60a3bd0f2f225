import { createHash } from 'node:crypto';
import { connect } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources } from '../index.js';
import { loggedExchanges, seedAdmin, tokenFor } from './test-kit.js';

const CLIENT = 'CN/GOV/110000-CAB/case-system';
const OTHER = 'CN/GOV/110000-HUC/housing-system';
const ORDERS = '/r1/CN/GOV/110000-PSB/population/orders';

describeEachDatabase('Idempotency-Key on mediated writes (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let provider: FastifyInstance;
  let token: string;
  let otherToken: string;
  const received: string[] = [];
  /** The Idempotency-Key header of each call the provider received, in order. */
  const keys: (string | undefined)[] = [];
  const keyOf = (request: { headers: Record<string, unknown> }) => {
    const key = request.headers['idempotency-key'];
    keys.push(typeof key === 'string' ? key : undefined);
  };

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    // A provider that creates an order per call it receives, slowly on /slow-orders.
    provider = Fastify();
    provider.post('/orders', async (request, reply) => {
      keyOf(request);
      received.push(JSON.stringify(request.body));
      return reply.status(201).send({ order: received.length, got: request.body });
    });
    provider.post('/slow-orders', async (request, reply) => {
      keyOf(request);
      received.push(JSON.stringify(request.body));
      await new Promise((resolve) => setTimeout(resolve, 400));
      return reply.status(201).send({ order: received.length });
    });
    const url = await provider.listen({ host: '127.0.0.1', port: 0 });
    const { mediator } = built.services;
    for (const code of ['110000-PSB', '110000-CAB', '110000-HUC']) await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code, name: code, agency: code }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-PSB', code: 'population', name: 'Population' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-CAB', code: 'case-system', name: 'Cases', clientId: 'idem-cab-case-system' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-HUC', code: 'housing-system', name: 'Housing', clientId: 'idem-huc-housing-system' }, seedAdmin);
    await mediator.saveService({ subsystemId: 'CN/GOV/110000-PSB/population', code: 'orders', name: 'Orders', baseUrl: url }, seedAdmin);
    // The same provider behind a deadline shorter than /slow-orders takes.
    await mediator.saveService({ subsystemId: 'CN/GOV/110000-PSB/population', code: 'hasty', name: 'Orders in a hurry', baseUrl: url, timeoutMs: 150 }, seedAdmin);
    for (const client of [CLIENT, OTHER]) {
      for (const service of ['orders', 'hasty']) await mediator.grant({ serviceId: `CN/GOV/110000-PSB/population/${service}`, clientId: client, method: 'POST', path: '/**' }, seedAdmin);
    }
    token = await tokenFor(built, 'idem-cab-case-system', CLIENT);
    otherToken = await tokenFor(built, 'idem-huc-housing-system', OTHER);
  });
  afterAll(async () => {
    await built.app.close();
    await provider.close();
  });

  const post = (path: string, body: object, key?: string, as: { token: string; client: string } = { token, client: CLIENT }) => built.app.inject({
    method: 'POST', url: `${ORDERS}${path}`, payload: body,
    headers: { authorization: `Bearer ${as.token}`, 'information-mediator-client': as.client, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
  });

  it('forwards a keyed write once; the retry gets the provider\'s first answer and X-Road-Id; another body is 422', async () => {
    const before = received.length;
    const first = await post('/orders', { item: 'a' }, 'mediated-key-0001');
    expect(first.statusCode, first.body).toBe(201);
    const again = await post('/orders', { item: 'a' }, 'mediated-key-0001');
    expect(again.statusCode).toBe(201);
    expect(again.body).toBe(first.body);
    expect(again.headers['x-road-id']).toBe(first.headers['x-road-id']);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(received.length).toBe(before + 1);
    // One exchange in the message log.
    expect(await loggedExchanges(built, first.headers['x-road-id'] as string)).toHaveLength(1);
    const other = await post('/orders', { item: 'b' }, 'mediated-key-0001');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_KEY_REUSED' });
    expect(received.length).toBe(before + 1);
  });

  it('forwards every call without a key, and keeps keys of different clients apart', async () => {
    const before = received.length;
    await post('/orders', { item: 'c' });
    await post('/orders', { item: 'c' });
    expect(received.length).toBe(before + 2);
    const mine = await post('/orders', { item: 'd' }, 'mediated-key-0002');
    const theirs = await post('/orders', { item: 'd' }, 'mediated-key-0002', { token: otherToken, client: OTHER });
    expect([mine.statusCode, theirs.statusCode]).toEqual([201, 201]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(received.length).toBe(before + 4);
  });

  it('forwards once when the same keyed write arrives twice at once: the other is 409 while the first is on its way, then the first answer', async () => {
    const before = received.length;
    const [a, b] = await Promise.all([post('/slow-orders', { item: 'e' }, 'mediated-key-0003'), post('/slow-orders', { item: 'e' }, 'mediated-key-0003')]);
    expect(received.length).toBe(before + 1);
    expect([a.statusCode, b.statusCode].sort()).toEqual([201, 409]);
    const inFlight = a.statusCode === 409 ? a : b;
    expect(inFlight.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_IN_FLIGHT' });
    expect(inFlight.headers['retry-after']).toBe('1');
    const later = await post('/slow-orders', { item: 'e' }, 'mediated-key-0003');
    expect(later.body).toBe((a.statusCode === 201 ? a : b).body);
    expect(received.length).toBe(before + 1);
  });

  it('lets a refused call go: the key is not used up by an unauthenticated try', async () => {
    const before = received.length;
    const refused = await post('/orders', { item: 'f' }, 'mediated-key-0004', { token: 'not-a-token', client: CLIENT });
    expect(refused.statusCode).toBe(401);
    const ok = await post('/orders', { item: 'f' }, 'mediated-key-0004');
    expect(ok.statusCode).toBe(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    expect(received.length).toBe(before + 1);
  });

  it('passes a keyed write\'s key on to the provider as a digest of client and key: the same on a retry after a timeout, another for another client', async () => {
    const expected = (client: string, key: string) => createHash('sha256').update(`${client}\n${key}`).digest('base64url');
    const before = keys.length;
    await post('/orders', { item: 'g' });
    await post('/orders', { item: 'h' }, 'mediated-key-0005');
    await post('/orders', { item: 'h' }, 'mediated-key-0005', { token: otherToken, client: OTHER });
    expect(keys.slice(before)).toEqual([undefined, expected(CLIENT, 'mediated-key-0005'), expected(OTHER, 'mediated-key-0005')]);

    // A timeout is an unknown outcome: the mediator lets the key go and forwards the retry, with the
    // same key, so the provider's own idempotency can tell it is the same order.
    const hasty = (key: string) => built.app.inject({
      method: 'POST', url: '/r1/CN/GOV/110000-PSB/population/hasty/slow-orders', payload: { item: 'i' },
      headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT, 'content-type': 'application/json', 'idempotency-key': key },
    });
    const timedOut = await hasty('mediated-key-0006');
    expect(timedOut.statusCode).toBe(504);
    expect((await hasty('mediated-key-0006')).statusCode).toBe(504);
    expect(keys.slice(before + 3)).toEqual([expected(CLIENT, 'mediated-key-0006'), expected(CLIENT, 'mediated-key-0006')]);
  });

  it('refuses an Idempotency-Key sent twice over HTTP, forwarding nothing: Node joins the two with ", ", which no key matches', async () => {
    const address = await built.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const before = received.length;
    const body = JSON.stringify({ item: 'j' });
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => socket.end([
        `POST ${ORDERS}/orders HTTP/1.1`, 'Host: tongban.test', `Authorization: Bearer ${token}`, `Information-Mediator-Client: ${CLIENT}`,
        'Content-Type: application/json', 'Idempotency-Key: mediated-key-0007', 'Idempotency-Key: mediated-key-0008',
        `Content-Length: ${Buffer.byteLength(body)}`, 'Connection: close', '', body,
      ].join('\r\n')));
      let text = '';
      socket.on('data', (chunk: Buffer) => { text += chunk.toString('utf8'); });
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 400 Bad Request');
    expect(answer).toContain('"pointer":"/headers/idempotency-key"');
    expect(received.length).toBe(before);
  });
});
