import { Writable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { buildApp, type Built } from '../../src/app.js';
import { SESSION_COOKIE } from '../../src/kernel/auth/index.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../src/kernel/auth/machine/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../src/kernel/auth/test-kit.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { createLogger, SECURITY_EVENTS } from '../../src/kernel/log.js';
import { CSRF_FIELD } from '../../src/ui/components/header.js';
import { demoPersona } from '../../src/modules/identity/index.js';
import { migrationSources, modules } from '../../src/modules/index.js';
import { describeEachDatabase } from '../helpers/databases.js';

/**
 * The security events of docs/security.md's log inventory (issue 9, ASVS 16.3.1–16.3.3), read
 * from the app's own pino output at info level: sign-in success and failure, sign-out, an ended
 * session, access tokens issued and refused, and the refusals that are `security.denied` besides
 * 401/403 (CSRF, rate limit; the 404s hiding someone else's resource are in real-resources.test.ts).
 * No line may hold the password, the persona's name, an assertion or a token.
 */
const PUBLIC_URL = 'http://tongban.test';
const WRONG_PASSWORD = 'Wr0ng-passw0rd-never-logged';
const HOST = new URL(PUBLIC_URL).host;
type Line = Record<string, unknown>;

describeEachDatabase('security events in the log', migrationSources, (use) => {
  let built: Built;
  const lines: Line[] = [];
  const raw: string[] = [];
  const clock = { t: Date.now(), now: () => new Date(clock.t) };
  const since = (from: number, event: string) => lines.slice(from).filter((l) => l.event === event);
  const browser = (): TestBrowser => createTestBrowser(built.app, PUBLIC_URL);

  beforeAll(async () => {
    const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) { raw.push(l); lines.push(JSON.parse(l) as Line); } done(); } });
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:', TONGBAN_API_RATE_PER_MINUTE: '30', LOG_LEVEL: 'info' });
    const config = { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } };
    built = await buildApp({ config, database: use().database, logger: createLogger(base, sink), now: clock.now });
    await built.app.ready();
    for (const mod of modules) await mod.seed?.({ kernel: built.kernel, services: built.services });
  }, 240_000);
  afterAll(async () => { await built.app.close(); });

  it('logs a sign-in, with the account id and no name or password', async () => {
    const from = lines.length;
    await signIn(browser(), 'citizen');
    const [event] = since(from, 'security.authn.success');
    expect(event).toMatchObject({ level: 30, msg: 'security.authn.success', accountId: demoPersona('citizen').accountId, kind: 'person' });
    expect(typeof event?.reqId).toBe('string');
    expect(since(from, 'security.authn.failure')).toEqual([]);
  });

  it('logs a failed sign-in at warn with its reason, never the password or the persona', async () => {
    const from = lines.length;
    const b = browser();
    const page = await signIn(b, 'officer', { password: WRONG_PASSWORD });
    expect(page.statusCode).toBe(400);
    const failures = since(from, 'security.authn.failure');
    expect(failures).toEqual([expect.objectContaining({ level: 40, step: 'idp-login', reason: 'password-wrong' })]);
    expect(failures[0]).not.toHaveProperty('persona');
    expect(since(from, 'security.authn.success')).toEqual([]);
    expect(raw.slice(from).join('\n')).not.toContain(WRONG_PASSWORD);
  });

  it('logs a refused callback (no sign-in attempt to check it against) as a failed sign-in', async () => {
    const from = lines.length;
    const res = await browser().get('/auth/callback?code=forged&state=forged');
    expect(res.statusCode).toBe(400);
    expect(since(from, 'security.authn.failure')).toEqual([expect.objectContaining({ step: 'callback', reason: 'TB_AUTH_SIGNIN_EXPIRED' })]);
  });

  it('logs a sign-out, and a session that ended while idle when its cookie comes back', async () => {
    const b = browser();
    const account = await signIn(b, 'clerk');
    const accountId = demoPersona('clerk').accountId;
    let from = lines.length;
    await b.post('/auth/signout', { [CSRF_FIELD]: csrfToken(account.body) });
    expect(since(from, 'security.authn.signout')).toEqual([expect.objectContaining({ level: 30, accountId })]);

    const idle = browser();
    await signIn(idle, 'clerk');
    clock.t += 31 * 60_000;
    from = lines.length;
    const res = await idle.get('/account');
    expect(res.statusCode).toBe(303);
    expect(since(from, 'security.session.ended')).toEqual([expect.objectContaining({ reason: 'idle-timeout', accountId })]);

    from = lines.length;
    const forged = browser();
    forged.setCookie(SESSION_COOKIE, 'not-a-session-anyone-was-given');
    await forged.get('/account');
    expect(since(from, 'security.session.ended')).toEqual([expect.objectContaining({ reason: 'unknown' })]);
  });

  it('logs a form post without a valid CSRF token as security.denied (csrf)', async () => {
    const b = browser();
    await signIn(b, 'citizen');
    const from = lines.length;
    const res = await b.post('/auth/signout', { [CSRF_FIELD]: 'forged' });
    expect(res.statusCode).toBe(403);
    expect(since(from, 'security.denied')).toEqual([expect.objectContaining({ level: 40, code: 'TB_KERNEL_CSRF', reason: 'csrf', route: '/auth/signout', method: 'POST' })]);
  });

  it('logs access tokens issued and refused, with the client id and never the assertion or the token', async () => {
    const demo = await seedDemoClient(built.kernel.db, { clientId: 'events-system', name: 'events-system', organisation: 'CN/GOV/110000-PSB/events-system', scopes: ['registries:read'] });
    const tokenUrl = built.app.machineAuth.tokenUrl;
    const post = (payload: string) => built.app.inject({ method: 'POST', url: '/oauth/token', headers: { host: HOST, 'content-type': 'application/x-www-form-urlencoded' }, payload });
    let from = lines.length;
    const assertion = await createClientAssertion({ clientId: 'events-system', privateJwk: demo.privateJwk, audience: tokenUrl, now: clock.now() });
    const issued = await post(tokenRequestBody(assertion, ['registries:read']));
    expect(issued.statusCode).toBe(200);
    const token = issued.json<{ access_token: string }>().access_token;
    expect(since(from, 'security.token.issued')).toEqual([expect.objectContaining({ level: 30, clientId: 'events-system', scope: ['registries:read'] })]);

    from = lines.length;
    const replayed = await post(tokenRequestBody(assertion, ['registries:read']));
    expect(replayed.statusCode).toBe(401);
    expect(since(from, 'security.token.refused')).toEqual([expect.objectContaining({ level: 40, oauthError: 'invalid_client' })]);
    const logged = raw.join('\n');
    expect(logged).not.toContain(assertion);
    expect(logged).not.toContain(token);
  });

  it('logs a bad access token on a machine API and on the mediator as security.denied', async () => {
    const from = lines.length;
    const headers = { host: HOST, accept: 'application/json', authorization: 'Bearer not.a.token' };
    const api = await built.app.inject({ method: 'GET', url: '/govstack/consent/config/data-agreements/', headers });
    const mediator = await built.app.inject({ method: 'GET', url: '/listClients', headers });
    expect([api.statusCode, mediator.statusCode]).toEqual([401, 401]);
    expect(since(from, 'security.denied').map((l) => l.code)).toEqual(['TB_AUTH_CLIENT_TOKEN_INVALID', 'TB_MEDIATOR_UNAUTHENTICATED']);
  });

  it('logs a rate-limit refusal as security.denied (rate-limit)', async () => {
    const from = lines.length;
    let status = 200;
    for (let i = 0; i < 40 && status !== 429; i += 1) {
      status = (await built.app.inject({ method: 'GET', url: '/api/catalog/services', remoteAddress: '10.20.30.40', headers: { host: HOST, accept: 'application/json' } })).statusCode;
    }
    expect(status).toBe(429);
    expect(since(from, 'security.denied')).toEqual([expect.objectContaining({ code: 'TB_KERNEL_RATE_LIMITED', reason: 'rate-limit' })]);
  });

  it('writes every security event with its fixed name as the message and a request id', () => {
    const names = new Set<string>(Object.values(SECURITY_EVENTS).map((e) => e.event));
    const events = lines.filter((l) => typeof l.event === 'string' && names.has(l.event));
    expect(new Set(events.map((l) => l.event))).toEqual(names);
    for (const l of events) {
      expect(l.msg).toBe(l.event);
      expect(typeof l.reqId).toBe('string');
    }
  });
});
