import Fastify from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources } from '../index.js';
import { loggedExchanges, seedAdmin, tokenFor } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const ROOM = 'CN/GOV/110000-PSB/births';
const PUBLISHER = 'CN/GOV/110000-PSB/hospital-system';
const SUBSCRIBER = 'CN/GOV/110000-CAB/case-system';
const STRANGER = 'CN/GOV/110000-HUC/housing-system';
const BASE = `/r1/${ROOM}`;
const BIRTH_SCHEMA = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: { dateTime: { type: 'string', format: 'date-time' }, gender: { type: 'string', enum: ['M', 'F'] }, mother: { type: 'string' }, place: { type: 'string' } },
  required: ['dateTime', 'gender', 'mother', 'place'],
};
const MOTHER_ID = '110101199205150021';
const BIRTH = { dateTime: '2026-12-01T11:25:00+08:00', gender: 'F', mother: '李娜', place: '北京市第一医院' };

/** A subscriber's push endpoint on loopback: records what the mediator POSTs; answers `status`. */
async function startReceiver() {
  const app = Fastify();
  const received: { headers: Record<string, unknown>; body: { id: string; sequence: number; eventType: string; event: unknown; publisherId: unknown } }[] = [];
  let status = 200;
  app.post('/events', async (request, reply) => {
    received.push({ headers: request.headers, body: request.body as (typeof received)[number]['body'] });
    return reply.status(status).send({ ok: status < 300 });
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url, received, answer: (next: number) => { status = next; } };
}

describeEachDatabase('GovStack IM PubSub through the mediator (ADR 53)', migrationSources, (use) => {
  let built: Built;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  // The app's clock, moved on by the tests (TTL, retries); starts at the real time, as client assertions carry it.
  let clock = Date.now();
  const tokens = new Map<string, string>();

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database, now: () => new Date(clock) });
    await built.app.ready();
    receiver = await startReceiver();
    const { mediator } = built.services;
    for (const code of ['110000-PSB', '110000-CAB', '110000-HUC']) await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code, name: code, agency: code }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-PSB', code: 'births', name: 'Births room' }, seedAdmin);
    for (const [id, client] of [[PUBLISHER, 'test-psb-hospital'], [SUBSCRIBER, 'test-cab-case'], [STRANGER, 'test-huc-housing']] as const) {
      const [instance, memberClass, member, code] = id.split('/') as [string, string, string, string];
      await mediator.addSubsystem({ memberId: `${instance}/${memberClass}/${member}`, code, name: code, clientId: client }, seedAdmin);
      tokens.set(id, await tokenFor(built, client, id));
    }
    await mediator.saveService({ subsystemId: SUBSCRIBER, code: 'events', name: 'Events received', baseUrl: `${receiver.url}/events` }, seedAdmin);
  });
  afterAll(async () => {
    await built.app.close();
    await receiver.app.close();
  });

  const call = (as: string, method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, body?: unknown) => built.app.inject({
    method, url: `${BASE}${url}`,
    headers: { authorization: `Bearer ${tokens.get(as) ?? ''}`, 'x-govstack-client': as },
    ...(body === undefined ? {} : { payload: body as object }),
  });
  const logged = async (res: { headers: Record<string, unknown> }) => {
    const rows = await loggedExchanges(built, String(res.headers['x-road-id']));
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };
  const deliveredReads = async (eventId: string) => (await sql<{ actor_id: string; actor_organisation: string; details: unknown }>`
    select actor_id, actor_organisation, details from tb_audit_record where action = 'mediator.event.delivered' and details->>'eventId' = ${eventId}`.execute(built.kernel.db)).rows;
  const fields = (res: { json: () => unknown }) => (res.json() as { errors?: { pointer: string }[] }).errors?.map((e) => e.pointer);

  it('lets the room member\'s systems define event types, checks the schema, and refuses everyone else', async () => {
    const created = await call(PUBLISHER, 'POST', '/api/v1/eventType', { eventType: 'newBirth', schema: BIRTH_SCHEMA, subscribers: [SUBSCRIBER] });
    expect(created.statusCode).toBe(200);
    expect(created.json()).toEqual({ eventType: 'newBirth', schema: BIRTH_SCHEMA, publishers: [], subscribers: [SUBSCRIBER] });
    expect(await logged(created)).toMatchObject({ client: PUBLISHER, service: `${ROOM}/api`, method: 'POST', path: '/v1/eventType', status: 200, outcome: 'ok' });

    // The spec's example gives the schema as a string holding JSON: read as the object it holds.
    const fromString = await call(PUBLISHER, 'POST', '/api/v1/eventType', { eventType: 'death', schema: JSON.stringify({ type: 'object' }) });
    expect(fromString.statusCode).toBe(200);
    expect(fromString.json()).toMatchObject({ schema: { type: 'object' } });

    const again = await call(PUBLISHER, 'POST', '/api/v1/eventType', { eventType: 'newBirth', schema: BIRTH_SCHEMA });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'TB_MEDIATOR_EVENT_TYPE_EXISTS' });

    const broken = await call(PUBLISHER, 'POST', '/api/v1/eventType', { eventType: 'broken', schema: { type: 'no-such-type' } });
    expect(broken.statusCode).toBe(400);
    expect(fields(broken)).toEqual(['/schema']);
    const slow = await call(PUBLISHER, 'POST', '/api/v1/eventType', { eventType: 'slow', schema: { properties: { mother: { type: 'string', pattern: '^(\\w+\\s?)*$' } } } });
    expect(slow.statusCode).toBe(400);
    expect(fields(slow)).toEqual(['/schema/properties/mother/pattern']);
    const badList = await call(PUBLISHER, 'POST', '/api/v1/eventType', { eventType: 'x', schema: {}, publishers: ['not-a-subsystem'] });
    expect(badList.statusCode).toBe(400);
    expect(fields(badList)?.[0]).toMatch(/^\/publishers\/0/);
    // Refused by the route's schema: still authenticated and in the message log.
    expect(await logged(badList)).toMatchObject({ client: PUBLISHER, status: 400, outcome: 'TB_KERNEL_VALIDATION' });

    const foreign = await call(SUBSCRIBER, 'POST', '/api/v1/eventType', { eventType: 'sneaky', schema: {} });
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json()).toMatchObject({ code: 'TB_MEDIATOR_ACCESS_DENIED' });
    expect(await logged(foreign)).toMatchObject({ client: SUBSCRIBER, status: 403, outcome: 'TB_MEDIATOR_ACCESS_DENIED' });

    const unauthenticated = await built.app.inject({ method: 'GET', url: `${BASE}/api/v1/eventType`, headers: { 'x-govstack-client': PUBLISHER } });
    expect(unauthenticated.statusCode).toBe(401);
    const audit = (await sql<{ actor_kind: string; actor_id: string; resource_id: string }>`select actor_kind, actor_id, resource_id from tb_audit_record where action = 'mediator.event-type.create' order by resource_id`.execute(built.kernel.db)).rows;
    expect(audit).toEqual([{ actor_kind: 'client', actor_id: PUBLISHER, resource_id: `${ROOM}/death` }, { actor_kind: 'client', actor_id: PUBLISHER, resource_id: `${ROOM}/newBirth` }]);
  });

  it('shows each system the event types it may use (204 when none), as the spec answers', async () => {
    expect((await call(PUBLISHER, 'GET', '/api/v1/eventType')).json()).toEqual(['death', 'newBirth']);
    expect((await call(SUBSCRIBER, 'GET', '/api/v1/eventType')).json()).toEqual(['newBirth']);
    expect((await call(STRANGER, 'GET', '/api/v1/eventType')).statusCode).toBe(204);
    expect((await call(SUBSCRIBER, 'GET', '/api/v1/eventType/newBirth')).json()).toMatchObject({ eventType: 'newBirth', schema: BIRTH_SCHEMA });
    expect((await call(SUBSCRIBER, 'GET', '/api/v1/eventType/unknown')).statusCode).toBe(204);
    expect((await call(STRANGER, 'GET', '/api/v1/eventType/newBirth')).statusCode).toBe(403);
  });

  let firstEvent = '';
  it('subscribes a listed system to pull, publishes checked events to it, and hands each out until confirmed', async () => {
    expect((await call(STRANGER, 'POST', '/api/v1/subs/newBirth', { eventType: 'newBirth', delivery: 'PULL' })).statusCode).toBe(403);
    const noTarget = await call(SUBSCRIBER, 'POST', '/api/v1/subs/newBirth', { eventType: 'newBirth' });
    expect(noTarget.statusCode).toBe(400);
    expect(fields(noTarget)).toEqual(['/pushService']);
    const subscribed = await call(SUBSCRIBER, 'POST', '/api/v1/subs/newBirth', { eventType: 'newBirth', delivery: 'PULL', options: { TTL: 600 } });
    expect(subscribed.statusCode).toBe(200);
    expect(subscribed.json()).toMatchObject({ eventType: 'newBirth', delivery: 'PULL', options: { TTL: 600, FIFO: false }, subscriberId: { memberCode: '110000-CAB', applicationCode: 'case-system' } });
    expect((await call(SUBSCRIBER, 'POST', '/api/v1/subs/newBirth', { delivery: 'PULL' })).statusCode).toBe(409);
    expect((await call(SUBSCRIBER, 'GET', '/api/v1/subs')).json()).toHaveLength(1);

    const invalid = await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: { ...BIRTH, gender: 'X', place: undefined } });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json()).toMatchObject({ code: 'TB_MEDIATOR_EVENT_INVALID' });
    expect(fields(invalid)).toEqual(expect.arrayContaining(['/event/gender', '/event/place']));
    expect((await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'death', event: BIRTH })).statusCode).toBe(400);
    expect((await call(SUBSCRIBER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH })).statusCode).toBe(403);
    expect((await call(PUBLISHER, 'GET', '/pull/v1/newBirth')).json()).toMatchObject({ code: 'TB_MEDIATOR_SUBSCRIPTION_NOT_FOUND' });

    const published = await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH });
    expect(published.statusCode).toBe(201);
    firstEvent = published.json<{ id: string }>().id;
    expect(await logged(published)).toMatchObject({ client: PUBLISHER, service: `${ROOM}/pub`, path: '/v1/newBirth', status: 201 });
    const second = (await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: { ...BIRTH, gender: 'M' } })).json<{ id: string }>().id;

    const pulled = await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth');
    expect(pulled.statusCode).toBe(200);
    expect(pulled.json()).toMatchObject({ id: firstEvent, eventType: 'newBirth', event: BIRTH, publisherId: { memberCode: '110000-PSB', applicationCode: 'hospital-system' } });
    expect(await logged(pulled)).toMatchObject({ client: SUBSCRIBER, service: `${ROOM}/pull`, status: 200 });
    // Not confirmed: the same event again (at least once).
    expect((await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).json()).toMatchObject({ id: firstEvent });
    expect((await call(SUBSCRIBER, 'DELETE', `/pull/v1/newBirth/${firstEvent}`)).statusCode).toBe(204);
    expect((await call(SUBSCRIBER, 'DELETE', `/pull/v1/newBirth/${firstEvent}`)).json()).toMatchObject({ code: 'TB_MEDIATOR_NO_EVENT' });
    const next = (await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).json<{ id: string; sequence: number; event: unknown }>();
    expect(next).toMatchObject({ id: second, event: { gender: 'M' } });
    expect((await call(SUBSCRIBER, 'DELETE', `/pull/v1/newBirth/${second}`)).statusCode).toBe(204);
    expect((await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).statusCode).toBe(404);

    const status = await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${firstEvent}`);
    expect(status.json()).toMatchObject({ id: firstEvent, stopped: false, deliveries: { pending: 0, delivered: 1, expired: 0, stopped: 0 } });
    // Another system's event is answered as missing.
    expect((await call(STRANGER, 'GET', `/pub/v1/newBirth/${firstEvent}`)).json()).toMatchObject({ code: 'TB_MEDIATOR_EVENT_NOT_FOUND' });
    expect((await call(SUBSCRIBER, 'GET', `/pub/v1/newBirth/${firstEvent}`)).statusCode).toBe(404);
  });

  it('publishes once per Idempotency-Key: a retry gets the first answer, another body with the key is refused', async () => {
    const keyed = (event: object) => built.app.inject({
      method: 'POST', url: `${BASE}/pub/v1/newBirth`, payload: { eventType: 'newBirth', event },
      headers: { authorization: `Bearer ${tokens.get(PUBLISHER) ?? ''}`, 'x-govstack-client': PUBLISHER, 'idempotency-key': 'birth-2026-0001' },
    });
    const first = await keyed(BIRTH);
    const retry = await keyed(BIRTH);
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(retry.headers['x-road-id']).toBe(first.headers['x-road-id']);
    expect((await keyed({ ...BIRTH, gender: 'M' })).statusCode).toBe(422);
    // One event reached the subscriber.
    const { id } = first.json<{ id: string }>();
    expect((await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).json()).toMatchObject({ id });
    expect((await call(SUBSCRIBER, 'DELETE', `/pull/v1/newBirth/${id}`)).statusCode).toBe(204);
    expect((await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).statusCode).toBe(404);
  });

  it('expires a delivery after its TTL, and stops one its publisher deletes', async () => {
    expect((await call(SUBSCRIBER, 'PATCH', '/api/v1/subs/newBirth', { options: { TTL: 1 } })).json()).toMatchObject({ delivery: 'PULL', options: { TTL: 1 } });
    const old = (await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH })).json<{ id: string }>().id;
    clock += 1_500;
    expect((await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).statusCode).toBe(404);
    expect((await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${old}`)).json()).toMatchObject({ deliveries: { pending: 0, expired: 1 } });
    expect((await call(SUBSCRIBER, 'PATCH', '/api/v1/subs/newBirth', { options: { TTL: 600 } })).statusCode).toBe(201);

    const stopped = (await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH })).json<{ id: string }>().id;
    expect((await call(PUBLISHER, 'DELETE', `/pub/v1/newBirth/${stopped}`)).statusCode).toBe(204);
    expect((await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).statusCode).toBe(404);
    expect((await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${stopped}`)).json()).toMatchObject({ stopped: true, deliveries: { stopped: 1 } });
  });

  it('pushes to the subscriber\'s registered service over HTTP, tries again after a refusal, keeps FIFO order, and logs each push', async () => {
    const pull = (await call(SUBSCRIBER, 'PATCH', '/api/v1/subs/newBirth', { delivery: 'PULL', options: { FIFO: true } })).json<unknown>();
    expect(pull).toMatchObject({ delivery: 'PULL', options: { FIFO: true, TTL: 600 } });
    const waiting = (await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH })).json<{ id: string }>().id;
    const unknownService = await call(SUBSCRIBER, 'PATCH', '/api/v1/subs/newBirth', { delivery: 'PUSH', pushService: 'nowhere' });
    expect(fields(unknownService)).toEqual(['/pushService']);
    const push = await call(SUBSCRIBER, 'PATCH', '/api/v1/subs/newBirth', { delivery: 'PUSH', pushService: 'events' });
    expect(push.statusCode).toBe(201);
    expect(push.json()).toMatchObject({ delivery: 'PUSH', pushService: 'events' });
    expect((await call(SUBSCRIBER, 'GET', '/pull/v1/newBirth')).json()).toMatchObject({ code: 'TB_MEDIATOR_NOT_PULLED' });

    // What waited to be pulled is pushed once the subscription turns to push; then a new event.
    const fresh = (await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: { ...BIRTH, gender: 'M' } })).json<{ id: string }>().id;
    await built.kernel.jobs.drain();
    // Two pushes claimed in one batch run side by side, and the newer then waits 2 s for the one
    // ahead of it (FIFO_WAIT_MS, pubsub-push.ts); which jobs share a batch depends on how many
    // other periodic jobs are due, so the wait is let pass rather than counted on not happening.
    clock += 2_000;
    await built.kernel.jobs.drain();
    expect(receiver.received.map((r) => r.body.id)).toEqual([waiting, fresh]);
    const [first] = receiver.received;
    expect(first?.headers).toMatchObject({ 'x-govstack-event-type': 'newBirth', 'x-govstack-event-id': waiting, 'x-road-client': PUBLISHER, 'content-type': 'application/json' });
    expect(first?.body).toMatchObject({ eventType: 'newBirth', event: BIRTH, publisherId: { applicationCode: 'hospital-system' } });
    expect(await logged(first!)).toMatchObject({ client: PUBLISHER, service: `${SUBSCRIBER}/events`, method: 'POST', status: 200, outcome: 'ok' });
    expect((await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${fresh}`)).json()).toMatchObject({ deliveries: { delivered: 1, pending: 0 } });

    receiver.answer(503);
    const refused = (await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: { ...BIRTH, motherId: MOTHER_ID } })).json<{ id: string }>().id;
    await built.kernel.jobs.drain();
    expect(receiver.received.at(-1)?.body.id).toBe(refused);
    // A push the subscriber refused is not taken as its read of the mother's data.
    expect(await deliveredReads(refused)).toEqual([]);
    expect((await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${refused}`)).json()).toMatchObject({ deliveries: { pending: 1, delivered: 0 } });
    // Kept as kind and value, so the page words it in the reader's language.
    const overview = await built.services.mediator.pubsub.overview({ may: () => true, everything: true });
    expect(overview.subscriptions.find((s) => s.subscriber === SUBSCRIBER)?.last_error).toBe('status:503');
    // FIFO: a newer event waits, unsent, until the refused one ahead of it is through.
    const behind = (await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH })).json<{ id: string }>().id;
    await built.kernel.jobs.drain();
    expect(receiver.received.map((r) => r.body.id)).not.toContain(behind);
    receiver.answer(200);
    for (let i = 0; i < 3; i++) {
      clock += 6_000;
      await built.kernel.jobs.drain();
    }
    expect(receiver.received.filter((r) => r.body.id === refused)).toHaveLength(2);
    expect(receiver.received.slice(-2).map((r) => r.body.id)).toEqual([refused, behind]);
    expect((await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${refused}`)).json()).toMatchObject({ deliveries: { pending: 0, delivered: 1 } });
    // Each push attempt is counted in /metrics as an exchange with the subscriber's push service.
    const metrics = (await built.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`mediator_requests_total{service="${SUBSCRIBER}/events",status="503"} 1`);
    expect(metrics).toContain(`mediator_requests_total{service="${SUBSCRIBER}/events",status="200"} 4`);
    expect(metrics).toContain(`mediator_request_duration_seconds_count{service="${SUBSCRIBER}/events"} 5`);
    expect(await deliveredReads(refused)).toEqual([{ actor_id: SUBSCRIBER, actor_organisation: '110000-CAB', details: { eventId: refused, delivery: 'PUSH', person: 'no account' } }]);
    expect(JSON.stringify(await deliveredReads(refused))).not.toContain(MOTHER_ID);
    expect((await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${behind}`)).json()).toMatchObject({ deliveries: { pending: 0, delivered: 1 } });

    // Two events refused, the later one otherwise: the page shows the latest failure, not the one whose text sorts last.
    expect((await call(SUBSCRIBER, 'PATCH', '/api/v1/subs/newBirth', { options: { FIFO: false } })).statusCode).toBe(201);
    const lastError = async () => (await built.services.mediator.pubsub.overview({ may: () => true, everything: true }))
      .subscriptions.find((s) => s.subscriber === SUBSCRIBER)?.last_error;
    receiver.answer(503);
    await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH });
    await built.kernel.jobs.drain();
    clock += 1_000;
    receiver.answer(500);
    await call(PUBLISHER, 'POST', '/pub/v1/newBirth', { eventType: 'newBirth', event: BIRTH });
    await built.kernel.jobs.drain();
    expect(await lastError()).toBe('status:500');
    receiver.answer(200);
    clock += 10_000;
    await built.kernel.jobs.drain();
    expect(await lastError()).toBeNull();
  });

  it('cancels subscriptions, deletes a type with its events, keeps PubSub names off services and the log verifiable', async () => {
    expect((await call(SUBSCRIBER, 'DELETE', '/api/v1/subs/newBirth')).statusCode).toBe(204);
    expect((await call(SUBSCRIBER, 'GET', '/api/v1/subs/newBirth')).statusCode).toBe(404);
    expect((await call(SUBSCRIBER, 'DELETE', '/api/v1/eventType/newBirth')).statusCode).toBe(403);
    expect((await call(PUBLISHER, 'DELETE', '/api/v1/eventType/newBirth')).statusCode).toBe(204);
    expect((await call(PUBLISHER, 'DELETE', '/api/v1/eventType/newBirth')).json()).toMatchObject({ code: 'TB_MEDIATOR_EVENT_TYPE_NOT_FOUND' });
    expect((await call(PUBLISHER, 'GET', `/pub/v1/newBirth/${firstEvent}`)).statusCode).toBe(404);
    expect((await call(PUBLISHER, 'GET', '/api/v1/eventType/newBirth')).statusCode).toBe(204);

    await expect(built.services.mediator.saveService({ subsystemId: PUBLISHER, code: 'pub', name: 'Clash', baseUrl: receiver.url }, seedAdmin)).rejects.toMatchObject({ code: 'TB_MEDIATOR_INVALID' });
    expect((await built.services.mediator.messageLog.verify()).ok).toBe(true);
  });

  it('deletes events a week old that nobody is still to receive, and keeps the others', async () => {
    await call(PUBLISHER, 'POST', '/api/v1/eventType', { eventType: 'kept', schema: {}, subscribers: [SUBSCRIBER] });
    await call(SUBSCRIBER, 'POST', '/api/v1/subs/kept', { delivery: 'PULL', options: { TTL: 30 * 24 * 3_600 } });
    const waiting = (await call(PUBLISHER, 'POST', '/pub/v1/kept', { eventType: 'kept', event: { n: 1 } })).json<{ id: string }>().id;
    const unread = (await call(PUBLISHER, 'POST', '/pub/v1/death', { eventType: 'death', event: { n: 2 } })).json<{ id: string }>().id;
    const events = async () => (await sql<{ id: string }>`select id from mediator_events order by seq`.execute(built.kernel.db)).rows.map((r) => r.id);
    expect(await events()).toEqual(expect.arrayContaining([waiting, unread]));
    clock += 8 * 24 * 3_600_000;
    await built.kernel.jobs.drain();
    // The event nobody subscribed to is gone; the one still waiting to be pulled stays.
    expect(await events()).toEqual([waiting]);
  });
});
