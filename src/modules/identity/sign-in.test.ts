import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { requireRole, requireSignedIn, SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, formAction, signIn, type Injectable, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig, type Config } from '../../kernel/config/index.js';
import { CSRF_FIELD } from '../../ui/components/header.js';
import { migrationSources } from '../index.js';
import { DEMO_PERSONAS, demoPersona } from './demo-personas.js';
import { identityModule } from './index.js';

const PUBLIC_URL = 'http://tongban.test';

function testConfig(test: TestDatabase, limits: Partial<Config['limits']> = {}): Config {
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
  return { ...base, database: test.config.database, limits: { ...base.limits, ...limits } };
}

/** A clock the tests move forward, shared by the app's sessions and audit trail. */
const clock = { t: Date.now(), now: () => new Date(clock.t) };

async function build(test: TestDatabase, limits: Partial<Config['limits']> = {}): Promise<Built> {
  const built = await buildApp({ config: testConfig(test, limits), database: test.database, now: clock.now });
  // Routes only tests need: an API behind the guards.
  built.app.get('/api/test/me', { preHandler: requireSignedIn }, (request) => ({ accountId: request.principal?.accountId }));
  const agencyOf = (request: { params: unknown }) => (request.params as { agency: string }).agency;
  built.app.get('/api/test/agencies/:agency/cases', { preHandler: requireRole('officer', agencyOf) }, () => ({ ok: true }));
  built.app.get('/api/test/agencies/:agency/settings', { preHandler: requireRole(['agency_admin', 'platform_admin'], agencyOf) }, () => ({ ok: true }));
  await built.app.ready();
  return built;
}

async function auditActions(built: Built, action: string): Promise<{ subject: string | null; details: unknown }[]> {
  const { rows } = await sql<{ subject: string | null; details: unknown }>`select subject, details from tb_audit_record where action = ${action}`.execute(built.kernel.db);
  return rows;
}

/** Walks to the IdP's redirect back to /auth/callback without following it, so a test can tamper with it. */
async function callbackUrl(browser: TestBrowser, persona: string): Promise<URL> {
  const login = await browser.follow(await browser.get('/auth/signin?returnTo=/account'));
  let response = await browser.post(formAction(login.body, /\/interaction\//) ?? '', { [CSRF_FIELD]: csrfToken(login.body), persona, password: 'demo' });
  for (let i = 0; i < 5; i += 1) {
    const location = new URL(String(response.headers.location), PUBLIC_URL);
    if (location.pathname === '/auth/callback') return location;
    response = await browser.get(location.href);
  }
  throw new Error('never redirected to /auth/callback');
}

describeEachDatabase('signing in through the built-in identity provider', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => {
    // The limit is tested on an app of its own; here many sign-ins run within a minute.
    built = await build(use(), { signInAttemptsPerMinute: 1000 });
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    // Seeding twice changes nothing.
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
  });
  const browser = () => createTestBrowser(built.app, PUBLIC_URL);

  it.each(DEMO_PERSONAS.map((p) => [p.subject, p] as const))('signs in as the %s persona and shows the account', async (_subject, persona) => {
    const b = browser();
    const account = await signIn(b, persona.subject);
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain(persona.name);
    for (const role of persona.roles) {
      expect(account.body).toContain(built.kernel.config.oidc.kind === 'builtin' ? (role.agency === 'platform' ? '整个平台' : role.agency) : '');
    }
    if (persona.kind === 'staff') expect(account.body).toMatch(/窗口受理人员|审批经办人员|部门管理员|平台管理员/);
    else expect(account.body).toContain('您没有工作人员角色');
    if (persona.organisation) expect(account.body).toContain(persona.organisation.code);
    const principal = await b.get('/api/test/me');
    expect(principal.json()).toEqual({ accountId: persona.accountId });
  });

  it('lets two instances on one database share a sign-in: keys, IdP state and sessions live in the database', async () => {
    const other = await build(use(), { signInAttemptsPerMinute: 1000 });
    let turn = 0;
    // A load balancer without sticky sessions: every request goes to the other instance.
    const balancer: Injectable = {
      inject: (options) => {
        turn += 1;
        return (turn % 2 === 0 ? other.app : built.app).inject(options);
      },
    };
    const b = createTestBrowser(balancer, PUBLIC_URL);
    const account = await signIn(b, 'officer');
    expect(account.statusCode).toBe(200);
    expect(account.body).toContain('刘洋');
    expect(turn).toBeGreaterThan(4);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, on the whole site', async () => {
    const b = browser();
    const login = await b.follow(await b.get('/auth/signin'));
    const done = await b.post(formAction(login.body, /\/interaction\//) ?? '', { [CSRF_FIELD]: csrfToken(login.body), persona: 'citizen', password: 'demo' });
    let response = done;
    while (!response.cookies.some((c) => c.name === SESSION_COOKIE)) response = await b.get(String(response.headers.location));
    const cookie = response.cookies.find((c) => c.name === SESSION_COOKIE);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();
    expect(response.headers.location).toBe('/');
  });

  it('shows the account page in English too', async () => {
    const b = browser();
    b.setCookie('tongban_lang', 'en');
    const account = await signIn(b, 'officer');
    expect(account.body).toContain('Your account');
    expect(account.body).toContain('Case officer');
    expect(account.body).toContain('110000-AMR');
  });

  it('refuses a wrong password with an error summary and keeps the chosen persona', async () => {
    const b = browser();
    const login = await b.follow(await b.get('/auth/signin'));
    expect(login.body).toContain('demo');
    const action = formAction(login.body, /\/interaction\//) ?? '';
    const refused = await b.post(action, { [CSRF_FIELD]: csrfToken(login.body), persona: 'citizen', password: 'wrong' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('tb-error-summary');
    expect(refused.body).toContain('密码不正确');
    expect(refused.body).toMatch(/value="citizen"[^>]*checked|checked[^>]*value="citizen"/);
    expect(b.cookie(SESSION_COOKIE)).toBeUndefined();
    expect((await auditActions(built, 'auth.idp.login.refused')).length).toBeGreaterThan(0);
    const empty = await b.post(action, { [CSRF_FIELD]: csrfToken(refused.body) });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('请选择您要登录的身份');
    expect(empty.body).toContain('请输入密码');
    // The right password still works on the same interaction.
    await b.follow(await b.post(action, { [CSRF_FIELD]: csrfToken(empty.body), persona: 'citizen', password: 'demo' }));
    expect((await b.get('/account')).body).toContain('张伟');
  });

  it('refuses the IdP login form without its CSRF token', async () => {
    const b = browser();
    const login = await b.follow(await b.get('/auth/signin'));
    const refused = await b.post(formAction(login.body, /\/interaction\//) ?? '', { persona: 'citizen', password: 'demo' });
    expect(refused.statusCode).toBe(403);
    expect(b.cookie(SESSION_COOKIE)).toBeUndefined();
  });

  it('signs out: the old cookie no longer works and the IdP session has ended too', async () => {
    const b = browser();
    const account = await signIn(b, 'citizen');
    const oldSession = b.cookie(SESSION_COOKIE);
    expect(oldSession).toBeDefined();
    const out = await b.post('/auth/signout', { [CSRF_FIELD]: csrfToken(account.body) });
    expect(out.statusCode).toBe(303);
    expect(String(out.headers.location)).toContain('/idp/session/end');
    // No ID token (it holds the name) in a URL that lands in logs and browser history.
    expect(String(out.headers.location)).not.toContain('id_token_hint');
    expect(String(out.headers.location)).toContain('client_id=tongban-web');
    const logoutPage = await b.follow(out);
    const action = formAction(logoutPage.body, /session\/end\/confirm/);
    expect(action).toBeDefined();
    // The ID token travels only in the IdP's own URL, never into links on the page.
    expect(logoutPage.body).not.toContain('id_token_hint');
    expect(logoutPage.body).toContain('src="/auth/autosubmit.js"');
    const confirmed = await b.post(action ?? '', { xsrf: /name="xsrf" value="([^"]+)"/.exec(logoutPage.body)?.[1] ?? '', logout: 'yes' });
    expect(confirmed.headers.location).toBe(`${PUBLIC_URL}/`);
    expect(b.cookie(SESSION_COOKIE)).toBeUndefined();

    const stale = createTestBrowser(built.app, PUBLIC_URL);
    stale.setCookie(SESSION_COOKIE, oldSession ?? '');
    const denied = await stale.get('/account');
    expect(denied.statusCode).toBe(303);
    expect(denied.headers.location).toBe('/auth/signin?returnTo=%2Faccount');
    const api = await built.app.inject({ url: '/api/test/me', headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${oldSession ?? ''}` } });
    expect(api.statusCode).toBe(401);

    // Signing in again asks for the persona again: the IdP forgot the person.
    const again = await b.follow(await b.get('/auth/signin'));
    expect(formAction(again.body, /\/interaction\//)).toBeDefined();

    const signOuts = await auditActions(built, 'auth.signout');
    expect(signOuts.some((r) => r.subject === demoPersona('citizen').accountId)).toBe(true);
  });

  it('refuses sign-out without the CSRF token', async () => {
    const b = browser();
    await signIn(b, 'business');
    const refused = await b.post('/auth/signout', {});
    expect(refused.statusCode).toBe(403);
    expect((await b.get('/account')).statusCode).toBe(200);
  });

  it('writes every sign-in to the audit trail', async () => {
    const b = browser();
    await signIn(b, 'clerk');
    const clerk = demoPersona('clerk');
    const records = await built.kernel.audit.listBySubject(clerk.accountId);
    const signin = records.find((r) => r.action === 'auth.signin');
    expect(signin).toMatchObject({ actor: { kind: 'staff', id: clerk.accountId }, subject: clerk.accountId, details: { issuer: `${PUBLIC_URL}/idp` } });
  });

  it('refuses a callback whose state was tampered with', async () => {
    const b = browser();
    const url = await callbackUrl(b, 'citizen');
    url.searchParams.set('state', 'tampered');
    const refused = await b.get(url.href);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('无法为您登录');
    expect(b.cookie(SESSION_COOKIE)).toBeUndefined();
    expect((await auditActions(built, 'auth.signin.refused')).length).toBeGreaterThan(0);
  });

  it('refuses a callback without the sign-in attempt that holds the PKCE verifier', async () => {
    const b = browser();
    const url = await callbackUrl(b, 'citizen');
    b.deleteCookie('tongban_signin');
    const refused = await b.get(url.href);
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('登录超时');
    expect(b.cookie(SESSION_COOKIE)).toBeUndefined();
    // A callback is good once: replaying it with the attempt gone is refused as well.
    const replay = createTestBrowser(built.app, PUBLIC_URL);
    expect((await replay.get(url.href)).statusCode).toBe(400);
  });

  it('has the IdP refuse an authorization request without a PKCE challenge', async () => {
    const query = new URLSearchParams({
      client_id: 'tongban-web', response_type: 'code', scope: 'openid', redirect_uri: `${PUBLIC_URL}/auth/callback`, state: 's', nonce: 'n',
    });
    const response = await browser().get(`/idp/auth?${query.toString()}`);
    const location = new URL(String(response.headers.location));
    expect(location.pathname).toBe('/auth/callback');
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);
  });

  it('shows IdP errors and stale interactions on our own pages', async () => {
    const b = browser();
    const unknownClient = await b.get('/idp/auth?client_id=nope&response_type=code');
    expect(unknownClient.statusCode).toBe(400);
    expect(unknownClient.body).toContain('此登录请求有问题');
    expect(unknownClient.body).toContain('invalid_client');
    const stale = await b.get('/idp/interaction/not-a-real-one');
    expect(stale.statusCode).toBe(400);
    expect(stale.body).toContain('登录超时');
    const script = await b.get('/auth/autosubmit.js');
    expect(script.headers['content-type']).toContain('text/javascript');
  });

  it('sends an anonymous page visit to sign in, and an API call gets 401 problem+json', async () => {
    const b = browser();
    const page = await b.get('/account?tab=roles');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe(`/auth/signin?returnTo=${encodeURIComponent('/account?tab=roles')}`);
    const api = await built.app.inject({ url: '/api/test/me', headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(401);
    expect(api.headers['content-type']).toContain('application/problem+json');
    expect(api.json()).toMatchObject({ code: 'TB_KERNEL_UNAUTHENTICATED' });
  });

  it('checks roles per agency', async () => {
    const officer = browser();
    await signIn(officer, 'officer');
    expect((await officer.get('/api/test/agencies/110000-AMR/cases')).statusCode).toBe(200);
    expect((await officer.get('/api/test/agencies/440300-EDU/cases')).statusCode).toBe(403);
    expect((await officer.get('/api/test/agencies/110000-AMR/settings')).statusCode).toBe(403);
    const agencyAdmin = browser();
    await signIn(agencyAdmin, 'agency-admin');
    expect((await agencyAdmin.get('/api/test/agencies/110000-PSB/settings')).statusCode).toBe(200);
    expect((await agencyAdmin.get('/api/test/agencies/110000-AMR/settings')).statusCode).toBe(403);
    // The platform administrator's role reaches every agency, but it is no other role.
    const platformAdmin = browser();
    await signIn(platformAdmin, 'platform-admin');
    expect((await platformAdmin.get('/api/test/agencies/110000-AMR/settings')).statusCode).toBe(200);
    expect((await platformAdmin.get('/api/test/agencies/110000-AMR/cases')).statusCode).toBe(403);
    const citizen = browser();
    await signIn(citizen, 'citizen');
    expect((await citizen.get('/api/test/agencies/110000-AMR/cases')).statusCode).toBe(403);
  });

  it('returns only to local paths after signing in', async () => {
    const b = browser();
    const login = await b.follow(await b.get(`/auth/signin?returnTo=${encodeURIComponent('//evil.example/x')}`));
    let response = await b.post(formAction(login.body, /\/interaction\//) ?? '', { [CSRF_FIELD]: csrfToken(login.body), persona: 'citizen', password: 'demo' });
    while (!response.cookies.some((c) => c.name === SESSION_COOKIE)) response = await b.get(String(response.headers.location));
    expect(response.headers.location).toBe('/');
  });

  it('ends a session after 30 idle minutes, and after 12 hours however active', async () => {
    const idle = browser();
    await signIn(idle, 'citizen');
    clock.t += 29 * 60_000;
    expect((await idle.get('/account')).statusCode).toBe(200);
    clock.t += 29 * 60_000;
    expect((await idle.get('/account')).statusCode).toBe(200);
    clock.t += 31 * 60_000;
    expect((await idle.get('/account')).statusCode).toBe(303);

    const busy = browser();
    await signIn(busy, 'citizen');
    for (let minutes = 0; minutes < 12 * 60 - 20; minutes += 20) {
      clock.t += 20 * 60_000;
      expect((await busy.get('/account')).statusCode).toBe(200);
    }
    clock.t += 25 * 60_000;
    expect((await busy.get('/account')).statusCode).toBe(303);
  });
});

describeEachDatabase('sign-in rate limits', migrationSources, (use) => {
  it('answers 429 once the sign-in attempts per minute are used up', async () => {
    const built = await build(use(), { signInAttemptsPerMinute: 2 });
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    const b = createTestBrowser(built.app, PUBLIC_URL);
    const first = await b.get('/auth/signin');
    expect(first.statusCode).toBe(303);
    const login = await b.follow(first);
    expect((await b.get('/auth/signin')).statusCode).toBe(303);
    const limited = await b.get('/auth/signin');
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect(limited.body).toContain('尝试次数过多');

    const action = formAction(login.body, /\/interaction\//) ?? '';
    const token = csrfToken(login.body);
    expect((await b.post(action, { [CSRF_FIELD]: token, persona: 'citizen', password: 'x' })).statusCode).toBe(400);
    expect((await b.post(action, { [CSRF_FIELD]: token, persona: 'citizen', password: 'y' })).statusCode).toBe(400);
    expect((await b.post(action, { [CSRF_FIELD]: token, persona: 'citizen', password: 'demo' })).statusCode).toBe(429);
  });
});
