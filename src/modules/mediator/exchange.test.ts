import { request as httpRequest } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources } from '../index.js';
import { sha256 } from './message-log.js';
import { closedPort, loggedExchanges, seedAdmin, startProvider, tokenFor } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const CLIENT = 'CN/GOV/110000-CAB/case-system';
const OTHER = 'CN/GOV/110000-HUC/housing-system';
const PERSONS = '/r1/CN/GOV/110000-PSB/population/persons';
const PERSON = '110101199003072359';
const NO_ACCOUNT = '110101199001010012';

/** An ID number with every digit percent-encoded, as a client may send it and a provider's router decodes it. */
const encodedId = (id: string) => [...id].map((c) => (/\d/.test(c) ? `%3${c}` : c)).join('');

describeEachDatabase('mediator exchanges over real HTTP', migrationSources, (use) => {
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let token: string;
  let otherToken: string;
  let ACCOUNT: string;

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, bodyBytes: 64 * 1024 } }, database: use().database });
    await built.app.ready();
    provider = await startProvider();
    const { mediator } = built.services;
    for (const [code, agency] of [['110000-PSB', '110000-PSB'], ['110000-CAB', '110000-CAB'], ['110000-HUC', '110000-HUC']] as const) {
      await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code, name: code, agency }, seedAdmin);
    }
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-PSB', code: 'population', name: 'Population' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-CAB', code: 'case-system', name: 'Cases', clientId: 'test-cab-case-system' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-HUC', code: 'housing-system', name: 'Housing', clientId: 'test-huc-housing-system' }, seedAdmin);
    const population = 'CN/GOV/110000-PSB/population';
    const openapi = { openapi: '3.1.0', info: { title: 'Population', version: '2.1' }, paths: { '/persons/{id}': { get: {} }, '/echo': { post: {} } } };
    await mediator.saveService({ subsystemId: population, code: 'persons', name: 'Persons', baseUrl: provider.url, openapi }, seedAdmin);
    await mediator.saveService({ subsystemId: population, code: 'slow', name: 'Slow', baseUrl: provider.url, timeoutMs: 300 }, seedAdmin);
    await mediator.saveService({ subsystemId: population, code: 'down', name: 'Down', baseUrl: `http://127.0.0.1:${await closedPort()}` }, seedAdmin);
    await mediator.saveService({ subsystemId: population, code: 'consented', name: 'Needs consent', baseUrl: provider.url, needsConsent: true, agreementId: 'agreement-1' }, seedAdmin);
    for (const [service, method, path] of [['persons', 'GET', '/persons/*'], ['persons', 'POST', '/echo'], ['slow', 'GET', '/**'], ['down', '*', '/**'], ['consented', 'GET', '/persons/*']] as const) {
      await mediator.grant({ serviceId: `${population}/${service}`, clientId: CLIENT, method, path }, seedAdmin);
    }
    ACCOUNT = (await built.services.identity.saveAccount({ kind: 'person', name: '张伟', idNumber: PERSON })).id;
    token = await tokenFor(built, 'test-cab-case-system', CLIENT);
    otherToken = await tokenFor(built, 'test-huc-housing-system', OTHER);
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  const call = (url: string, options: { method?: 'GET' | 'POST' | 'DELETE'; token?: string | null; client?: string | null; headers?: Record<string, string>; body?: string | Buffer } = {}) => built.app.inject({
    method: options.method ?? 'GET', url,
    headers: {
      ...(options.token !== null ? { authorization: `Bearer ${options.token ?? token}` } : {}),
      ...(options.client !== null ? { 'information-mediator-client': options.client ?? CLIENT } : {}),
      ...options.headers,
    },
    ...(options.body !== undefined ? { payload: options.body } : {}),
  });
  const logged = async (messageId: unknown) => {
    expect(typeof messageId).toBe('string');
    const rows = await loggedExchanges(built, messageId as string);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  it('forwards an allowed call, carries the X-Road headers both ways and logs digests', async () => {
    const res = await call(`${PERSONS}/persons/${PERSON}?fields=name`, { headers: { 'x-road-userid': PERSON, 'x-road-issue': 'residence permit TB-2026-1' } });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    const messageId = res.headers['x-road-id'];
    expect(messageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.json()).toEqual({
      id: PERSON, name: '张伟',
      received: { messageId, client: CLIENT, userId: PERSON, issue: 'residence permit TB-2026-1', authorization: null, query: { fields: 'name' } },
    });
    const row = await logged(messageId);
    expect(row).toMatchObject({
      client: CLIENT, service: 'CN/GOV/110000-PSB/population/persons', method: 'GET', path: `/persons/${PERSON}?fields=name`,
      user_id: PERSON, issue: 'residence permit TB-2026-1', status: 200, outcome: 'ok',
      request_digest: sha256(undefined), response_digest: sha256(res.rawPayload), response_bytes: res.rawPayload.length,
    });
    expect(row.provider_ms).not.toBeNull();
    // The audit trail names the person's account (their "who used my data" page), not the ID number.
    const trail = await built.kernel.audit.listBySubject(ACCOUNT);
    expect(JSON.stringify(trail[0])).not.toContain(PERSON);
    expect(await built.kernel.audit.listBySubject(PERSON)).toEqual([]);
    // The calling system's agency (as the catalog names it): the person's page shows its name and sends questions to it.
    expect(trail[0]).toMatchObject({ action: 'mediator.exchange', actor: { kind: 'client', id: CLIENT, organisation: '110000-CAB' }, purpose: 'residence permit TB-2026-1', resource: { type: 'mediator-service', id: 'CN/GOV/110000-PSB/population/persons' } });
  });

  it('names the person from an identity number in the path when no X-Road-UserId is sent, and accepts X-Road-Client', async () => {
    const res = await call(`${PERSONS}/persons/${PERSON}`, { client: null, headers: { 'x-road-client': CLIENT } });
    expect(res.statusCode).toBe(200);
    expect((await built.kernel.audit.listBySubject(ACCOUNT))[0]).toMatchObject({ action: 'mediator.exchange', details: { messageId: res.headers['x-road-id'], status: 200 } });
  });

  it('audits a read about a person named by a percent-encoded number as a read about that person', async () => {
    const res = await call(`${PERSONS}/persons/${encodedId(PERSON)}`);
    expect(res.statusCode).toBe(200);
    expect((await built.kernel.audit.listBySubject(ACCOUNT))[0]).toMatchObject({ action: 'mediator.exchange', details: { messageId: res.headers['x-road-id'] } });
  });

  it('records a read about a person without an account with no subject, and without the ID number', async () => {
    const res = await call(`${PERSONS}/persons/${NO_ACCOUNT}`);
    expect(res.statusCode).toBe(200);
    const { rows } = await sql<{ subject: string | null; details: unknown }>`select subject, details from tb_audit_record where action = 'mediator.exchange' and details->>'messageId' = ${String(res.headers['x-road-id'])}`.execute(built.kernel.db);
    expect(rows).toEqual([{ subject: null, details: { messageId: res.headers['x-road-id'], method: 'GET', status: 200, person: 'no account' } }]);
  });

  it('passes a request body through unchanged, with its content type', async () => {
    const body = Buffer.from('<xml>数据</xml>');
    const res = await call(`${PERSONS}/echo`, { method: 'POST', body, headers: { 'content-type': 'application/xml' } });
    expect(res.statusCode).toBe(201);
    expect(res.headers['content-type']).toMatch(/^application\/xml/);
    expect(res.rawPayload.equals(body)).toBe(true);
    expect(await logged(res.headers['x-road-id'])).toMatchObject({ request_digest: sha256(body), request_bytes: body.length, response_digest: sha256(body) });
  });

  const refusals: [string, () => Promise<Awaited<ReturnType<typeof call>>>, number, string][] = [
    ['no right for the method', () => call(`${PERSONS}/echo`, { method: 'DELETE' }), 403, 'TB_MEDIATOR_ACCESS_DENIED'],
    ['no right for the path', () => call(`${PERSONS}/secrets/1`), 403, 'TB_MEDIATOR_ACCESS_DENIED'],
    ['a subsystem with no rights', () => call(`${PERSONS}/persons/${PERSON}`, { token: otherToken, client: OTHER }), 403, 'TB_MEDIATOR_ACCESS_DENIED'],
    ['an unknown service', () => call('/r1/CN/GOV/110000-PSB/population/nothing/x'), 404, 'TB_MEDIATOR_UNKNOWN_SERVICE'],
    ['no token', () => call(`${PERSONS}/persons/${PERSON}`, { token: null }), 401, 'TB_MEDIATOR_UNAUTHENTICATED'],
    ['a forged token', () => call(`${PERSONS}/persons/${PERSON}`, { token: `${token.slice(0, -4)}AAAA` }), 401, 'TB_MEDIATOR_UNAUTHENTICATED'],
    ['a client header naming another subsystem', () => call(`${PERSONS}/persons/${PERSON}`, { client: OTHER }), 403, 'TB_MEDIATOR_CLIENT_MISMATCH'],
    ['no client header', () => call(`${PERSONS}/persons/${PERSON}`, { client: null }), 400, 'TB_MEDIATOR_CLIENT_HEADER_INVALID'],
    ['consent needed and no consent register', () => call(`/r1/CN/GOV/110000-PSB/population/consented/persons/${PERSON}`), 403, 'TB_MEDIATOR_CONSENT_MISSING'],
    // The provider's router decodes the path: an encoded number, or one ending in a lowercase x, names the same person.
    ['consent needed for a percent-encoded number', () => call(`/r1/CN/GOV/110000-PSB/population/consented/persons/${encodedId(PERSON)}`), 403, 'TB_MEDIATOR_CONSENT_MISSING'],
    ['consent needed for a number with a lowercase x', () => call('/r1/CN/GOV/110000-PSB/population/consented/persons/11010119920515002x'), 403, 'TB_MEDIATOR_CONSENT_MISSING'],
    ['a provider slower than the timeout', () => call('/r1/CN/GOV/110000-PSB/population/slow/slow'), 504, 'TB_MEDIATOR_PROVIDER_TIMEOUT'],
    ['a provider that is down', () => call('/r1/CN/GOV/110000-PSB/population/down/anything'), 502, 'TB_MEDIATOR_PROVIDER_UNREACHABLE'],
    ['a body over the limit', () => call(`${PERSONS}/echo`, { method: 'POST', body: Buffer.alloc(100 * 1024, 1), headers: { 'content-type': 'application/octet-stream' } }), 413, 'TB_MEDIATOR_BODY_TOO_LARGE'],
    ['a keyed body over the limit', () => call(`${PERSONS}/echo`, { method: 'POST', body: Buffer.alloc(100 * 1024, 1), headers: { 'content-type': 'application/octet-stream', 'idempotency-key': 'too-large-0001' } }), 413, 'TB_MEDIATOR_BODY_TOO_LARGE'],
    // The provider's URL would resolve these out of the path the right allows (`/persons/*` → `/`);
    // the encoded dot-dots are sent over a socket below (inject resolves them before the app sees them).
    ['a dot-dot with a path parameter', () => call(`${PERSONS}/persons/..;x`), 400, 'TB_MEDIATOR_PATH_INVALID'],
    ['an encoded slash', () => call(`${PERSONS}/persons/a%2Fb`), 400, 'TB_MEDIATOR_PATH_INVALID'],
    ['an encoded backslash', () => call(`${PERSONS}/persons/a%5cb`), 400, 'TB_MEDIATOR_PATH_INVALID'],
  ];
  it.each(refusals)('refuses %s with problem+json and logs it', async (_name, send, status, code) => {
    const res = await send();
    expect(res.statusCode).toBe(status);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code, status });
    const row = await logged(res.headers['x-road-id']);
    expect(row).toMatchObject({ status, outcome: code });
  });

  it('refuses encoded dot-dot segments sent as they are over HTTP, before any right is checked, and logs them', async () => {
    const address = await built.app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = new URL(address);
    const raw = (path: string) => new Promise<{ status: number; body: { code?: string }; messageId: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT } }, (res) => {
        let text = '';
        res.setEncoding('utf8').on('data', (chunk: string) => { text += chunk; }).on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) as { code?: string }, messageId: String(res.headers['x-road-id']) }));
      });
      req.on('error', reject).end();
    });
    for (const path of [`${PERSONS}/persons/%2e%2e`, `${PERSONS}/persons/%2E%2e/%2e%2e/admin`, '/r1/CN/GOV/110000-PSB/population/slow/a/.%2E/b']) {
      const res = await raw(path);
      expect(res, path).toMatchObject({ status: 400, body: { code: 'TB_MEDIATOR_PATH_INVALID' } });
      expect(await logged(res.messageId)).toMatchObject({ status: 400, outcome: 'TB_MEDIATOR_PATH_INVALID' });
    }
  });

  it('does not forward a refused call: the provider never sees it', async () => {
    const res = await call(`${PERSONS}/persons/${PERSON}`, { token: otherToken, client: OTHER });
    expect(res.statusCode).toBe(403);
    expect((await built.kernel.audit.listBySubject(ACCOUNT)).filter((r) => r.details?.messageId === res.headers['x-road-id'])).toEqual([]);
  });

  it('counts exchanges per service in /metrics', async () => {
    const text = (await built.app.inject({ url: '/metrics' })).body;
    expect(text).toMatch(/mediator_requests_total\{service="CN\/GOV\/110000-PSB\/population\/persons",status="200"\} [1-9]/);
    expect(text).toMatch(/mediator_errors_total\{service="CN\/GOV\/110000-PSB\/population\/slow",code="TB_MEDIATOR_PROVIDER_TIMEOUT"\} 1/);
    expect(text).toMatch(/mediator_errors_total\{service="unknown",code="TB_MEDIATOR_UNKNOWN_SERVICE"\} 1/);
    expect(text).toContain('mediator_request_duration_seconds_bucket{le="0.005",service="CN/GOV/110000-PSB/population/persons"}');
  });

  it('verifies the message log with `audit verify`, and finds a tampered row', async () => {
    const log = built.kernel.audit.logs().find((l) => l.name === 'mediator.messages');
    expect(log).toBeDefined();
    await log!.checkpoint();
    const good = await log!.verify();
    expect(good).toMatchObject({ ok: true });
    expect(good.records).toBeGreaterThanOrEqual(refusals.length + 3);
    const { db } = built.kernel;
    const victim = (await sql<{ id: string }>`select id from mediator_message_log where outcome = 'ok' order by id limit 1`.execute(db)).rows[0]!;
    await sql`alter table mediator_message_log disable trigger user`.execute(db);
    try {
      await sql`update mediator_message_log set status = 403 where id = ${victim.id}`.execute(db);
    } finally {
      await sql`alter table mediator_message_log enable trigger user`.execute(db);
    }
    const bad = await log!.verify();
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.firstBad.id).toBe(victim.id);
  });
});
