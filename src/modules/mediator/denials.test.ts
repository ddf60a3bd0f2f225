import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { logLines } from '../../../test/helpers/log-lines.js';
import { buildApp, type Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, signIn } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { CLIENT, PERSON, PERSONS, registerCaseSystem } from './test-fixture.js';
import { loggedExchanges, seedAdmin, tokenFor } from './test-kit.js';

/**
 * What the log stream says when the mediator refuses (issue 9, docs/security.md log inventory): an
 * exchange under /r1 refused for want of identity or rights (client not authenticated, token of
 * another system, no access right, no consent) is one `security.denied` line at warn, joined to
 * the answer by request id, beside its message-log row; an agency administrator's change to another
 * agency's registry entry is too. A malformed client header or an unknown service is an ordinary
 * refusal (`request refused`, info), still in the message log.
 */
const PUBLIC_URL = 'http://127.0.0.1:9';
const CONSENTED = 'CN/GOV/110000-PSB/population/consented';

describeEachDatabase('mediator refusals in the log', migrationSources, (use) => {
  const log = logLines();
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let token = '';
  let strangerToken = '';
  let cookie = '';

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database, logger: log.logger });
    await built.app.ready();
    for (const mod of modules.filter((m) => m.name === 'identity')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    ({ provider, token } = await registerCaseSystem(built));
    const { mediator } = built.services;
    await mediator.saveService({ subsystemId: 'CN/GOV/110000-PSB/population', code: 'consented', name: 'Needs consent', baseUrl: provider.url, needsConsent: true, agreementId: 'no-such-agreement' }, seedAdmin);
    await mediator.grant({ serviceId: CONSENTED, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
    // A system with a valid token that is not the case system's client.
    strangerToken = await tokenFor(built, 'test-stranger-system', 'CN/GOV/110000-HUC/housing-system');
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, 'agency-admin');
    cookie = `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE) ?? ''}`;
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  const call = (url: string, headers: Record<string, string>, method: 'GET' | 'POST' = 'GET') => built.app.inject({ method, url, headers });
  const as = (t: string, extra: Record<string, string> = {}) => ({ authorization: `Bearer ${t}`, 'information-mediator-client': CLIENT, ...extra });
  const outcomeOf = async (messageId: unknown) => (await loggedExchanges(built, String(messageId)))[0]?.outcome;

  const refusals = [
    { name: 'no access token', code: 'TB_MEDIATOR_UNAUTHENTICATED', status: 401, send: () => call(`${PERSONS}/persons/${PERSON}`, { 'information-mediator-client': CLIENT }) },
    { name: 'a forged access token', code: 'TB_MEDIATOR_UNAUTHENTICATED', status: 401, send: () => call(`${PERSONS}/persons/${PERSON}`, as('forged.token.value')) },
    { name: 'another system\'s token for the named client', code: 'TB_MEDIATOR_CLIENT_MISMATCH', status: 403, send: () => call(`${PERSONS}/persons/${PERSON}`, as(strangerToken)) },
    { name: 'no access right for the path', code: 'TB_MEDIATOR_ACCESS_DENIED', status: 403, send: () => call(`${PERSONS}/households/1`, as(token)) },
    { name: 'no access right for the method', code: 'TB_MEDIATOR_ACCESS_DENIED', status: 403, send: () => call(`${PERSONS}/persons/${PERSON}`, as(token), 'POST') },
    { name: 'no consent of the person', code: 'TB_MEDIATOR_CONSENT_MISSING', status: 403, service: CONSENTED, send: () => call(`/r1/${CONSENTED}/persons/${PERSON}`, as(token, { 'x-road-userid': PERSON })) },
  ] as { name: string; code: string; status: number; service?: string; send: () => ReturnType<typeof call> }[];

  it.each(refusals)('logs an exchange refused for $name as security.denied, joined to its message-log row', async (c) => {
    const res = await c.send();
    expect(res.statusCode, res.body).toBe(c.status);
    expect(res.json()).toMatchObject({ code: c.code });
    expect(log.denials(res.headers['x-request-id'])).toEqual([
      expect.objectContaining({
        level: 40, msg: 'security.denied', code: c.code, method: res.raw.req.method, route: '/r1/:instance/:memberClass/:member/:subsystem/:service/*',
        service: c.service ?? 'CN/GOV/110000-PSB/population/persons', client: CLIENT,
      }),
    ]);
    expect(await outcomeOf(res.headers['x-road-id'])).toBe(c.code);
    // Never the token or the person's ID number in the log stream (the request log's URL is cut below the service).
    const written = JSON.stringify(log.lines.filter((l) => l.reqId === res.headers['x-request-id']));
    expect(written).not.toContain(token);
    expect(written).not.toContain(PERSON);
  });

  it('logs an allowed exchange with no security.denied line (the check can tell them apart)', async () => {
    const res = await call(`${PERSONS}/persons/${PERSON}`, as(token));
    expect(res.statusCode).toBe(200);
    expect(log.denials(res.headers['x-request-id'])).toEqual([]);
    // The request log names the service, never the path below it (an ID number here).
    expect(log.lines.find((l) => l.reqId === res.headers['x-request-id'] && l.msg === 'incoming request')).toMatchObject({ req: { url: `${PERSONS}/[redacted]` } });
  });

  it('keeps a malformed client header and an unknown service ordinary refusals, in the message log all the same', async () => {
    for (const [url, headers, code] of [
      [`${PERSONS}/persons/${PERSON}`, { authorization: `Bearer ${token}`, 'information-mediator-client': 'not a client' }, 'TB_MEDIATOR_CLIENT_HEADER_INVALID'],
      [`/r1/CN/GOV/110000-PSB/population/nothing/x`, as(token), 'TB_MEDIATOR_UNKNOWN_SERVICE'],
    ] as const) {
      const res = await call(url, headers);
      expect(res.json()).toMatchObject({ code });
      expect(log.denials(res.headers['x-request-id'])).toEqual([]);
      expect(log.lines.filter((l) => l.reqId === res.headers['x-request-id'] && l.msg === 'request refused')).toEqual([expect.objectContaining({ code })]);
      expect(await outcomeOf(res.headers['x-road-id'])).toBe(code);
    }
  });

  it('logs an agency administrator\'s change to another agency\'s registry entries as security.denied', async () => {
    const api = (url: string, payload: object) => built.app.inject({ method: 'POST', url, payload, headers: { cookie, accept: 'application/json' } });
    const tries = [
      await api('/api/mediator/services', { subsystemId: 'CN/GOV/110000-CAB/case-system', code: 'cases', name: 'Cases', baseUrl: provider.url }),
      await api('/api/mediator/subsystems', { memberId: 'CN/GOV/110000-CAB', code: 'other', name: 'Other' }),
      await api('/api/mediator/rights', { serviceId: CONSENTED.replace('110000-PSB/population/consented', '110000-CAB/case-system/cases'), clientId: CLIENT, method: 'GET', path: '/**' }),
    ];
    expect(tries.map((r) => r.statusCode)).toEqual([403, 403, 404]);
    for (const res of tries.slice(0, 2)) {
      expect(log.denials(res.headers['x-request-id'])).toEqual([expect.objectContaining({ code: 'TB_MEDIATOR_FORBIDDEN' })]);
    }
    // No such service at all: an unknown id, an ordinary refusal.
    expect(log.denials(tries[2]?.headers['x-request-id'])).toEqual([]);
  });
});
