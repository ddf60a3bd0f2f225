import type { JWK } from 'jose';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { DEMO_PASSWORD, SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createClientAssertion, registerClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { keyPair } from '../../kernel/auth/machine/testing.js';
import { csrfToken, formAction, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoApp, personaBrowser, PUBLIC_URL } from '../applications/test-kit.js';
import { migrationSources } from '../index.js';
import { CALL_SCOPE, MEDIATOR_DEMO as DEMO } from '../mediator/index.js';
import { seedAdmin } from '../mediator/test-kit.js';
import { DEMO_PERSONAS } from './demo-personas.js';

const PAGE = '/admin/api-clients';
const API = '/api/identity/api-clients';
const POPULATION_CLIENT = 'CN:GOV:110000-PSB:population';
const platformAdminId = DEMO_PERSONAS.find((p) => p.subject === 'platform-admin')!.accountId;

/** Platform administrators see every API client, change its name and scopes, and disable or enable it (ADR 48), on both databases. */
describeEachDatabase('API clients for platform administrators', migrationSources, (use) => {
  let built: Built;
  const browsers = new Map<string, TestBrowser>();
  let population: { privateJwk: JWK };

  beforeAll(async () => {
    built = await demoApp(use());
    // The population subsystem's own key (ADR 47): its client then calls through the mediator.
    const populationKey = await keyPair('EdDSA', 'population-1');
    population = populationKey;
    await built.services.mediator.addClientKey({ subsystemId: DEMO.psb.subsystem, key: populationKey.publicJwk }, seedAdmin);
    await registerClient(built.kernel.db, { clientId: 'cab-archive', name: 'Civil affairs archive', organisation: '110000-CAB', scopes: ['registries:read'], keys: [(await keyPair('EdDSA', 'archive-1')).publicJwk] });
    for (const persona of ['officer', 'agency-admin', 'platform-admin']) browsers.set(persona, await personaBrowser(built, persona));
  });
  afterAll(async () => { await built.app.close(); });

  const as = (persona: string) => browsers.get(persona)!;
  const api = (persona: string, method: 'GET' | 'PATCH', url: string, body?: object) => built.app.inject({
    method, url, headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${as(persona).cookie(SESSION_COOKIE) ?? ''}` }, ...(body ? { payload: body } : {}),
  });
  const confirm = async (clientId: string, verb: 'disable' | 'enable') => {
    const url = `${PAGE}/${encodeURIComponent(clientId)}/${verb}`;
    return as('platform-admin').post(url, { _csrf: csrfToken((await as('platform-admin').get(url)).body) });
  };
  const audited = async (clientId: string) => (await sql<{ action: string; actor_id: string }>`
    select action, actor_id from tb_audit_record where resource_type = 'api-client' and resource_id = ${clientId} order by at, seq`.execute(built.kernel.db)).rows;
  const tokenFor = async (clientId: string, privateJwk: JWK) => built.app.inject({
    method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: tokenRequestBody(await createClientAssertion({ clientId, privateJwk, audience: built.app.machineAuth.tokenUrl }), [CALL_SCOPE]),
  });
  /** A metaservice call of the population subsystem through the mediator, with the token it holds. */
  const mediated = (token: string) => built.app.inject({
    url: `/r1/${DEMO.amr.subsystem}/allowedMethods`, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.psb.subsystem },
  });

  it('lists every API client for a platform administrator, in both languages; nobody else sees it', async () => {
    const page = await as('platform-admin').get(`${PAGE}?lang=en`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    for (const shown of ['API clients', '<code>cab-archive</code>', 'Civil affairs archive', `<code>${POPULATION_CLIENT}</code>`, `<code>${DEMO.cab.clientId}</code>`, '<code>registries:read</code>', 'archive-1', 'population-1']) {
      expect(page.body).toContain(shown);
    }
    expect(page.body).toContain(`href="${PAGE}/cab-archive/disable"`);
    expect((await as('platform-admin').get(`${PAGE}?lang=zh-CN`)).body).toContain('API 客户端');
    // Found from the platform administrator's account page, and only theirs.
    expect((await as('platform-admin').get('/account')).body).toContain(`href="${PAGE}"`);
    expect((await as('agency-admin').get('/account')).body).not.toContain(`href="${PAGE}"`);
    for (const persona of ['agency-admin', 'officer']) {
      expect((await as(persona).get(PAGE)).statusCode).toBe(403);
      expect((await api(persona, 'GET', API)).statusCode).toBe(403);
    }
    const listed = await api('platform-admin', 'GET', API);
    expect(listed.statusCode).toBe(200);
    const archive = listed.json<{ clients: Record<string, unknown>[] }>().clients.find((c) => c.clientId === 'cab-archive');
    expect(archive).toEqual({
      clientId: 'cab-archive', name: 'Civil affairs archive', organisation: '110000-CAB', scopes: ['registries:read'], enabled: true,
      keys: [{ kid: 'archive-1', kty: 'OKP', crv: 'Ed25519' }], createdAt: expect.any(String) as string, updatedAt: expect.any(String) as string,
    });
  });

  it('disables a system after confirmation: the token it holds is refused at once, no new one is issued; enabled again through the API; both audited', async () => {
    const issued = await tokenFor(POPULATION_CLIENT, population.privateJwk);
    expect(issued.statusCode).toBe(200);
    const token = issued.json<{ access_token: string }>().access_token;
    expect((await mediated(token)).statusCode).toBe(200);

    const asked = await as('platform-admin').get(`${PAGE}/${encodeURIComponent(POPULATION_CLIENT)}/disable?lang=en`);
    expect(asked.statusCode).toBe(200);
    expect(asked.body).toContain('Certificates registered for a mediator subsystem are not affected');
    const done = await confirm(POPULATION_CLIENT, 'disable');
    expect([done.statusCode, done.headers.location]).toEqual([303, `${PAGE}?done=disabled`]);
    expect((await as('platform-admin').get(`${PAGE}?done=disabled&lang=en`)).body).toContain('The system is disabled.');

    const refused = await mediated(token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'TB_MEDIATOR_UNAUTHENTICATED', detail: 'The API client of this access token is disabled' });
    expect((await tokenFor(POPULATION_CLIENT, population.privateJwk)).json()).toMatchObject({ error: 'invalid_client' });

    const enabled = await api('platform-admin', 'PATCH', `${API}/${encodeURIComponent(POPULATION_CLIENT)}`, { enabled: true });
    expect(enabled.statusCode).toBe(200);
    expect(enabled.json()).toMatchObject({ clientId: POPULATION_CLIENT, enabled: true, scopes: [CALL_SCOPE] });
    expect((await mediated(token)).statusCode).toBe(200);
    // Asking again for the state it is in changes nothing and records nothing.
    expect((await api('platform-admin', 'PATCH', `${API}/${encodeURIComponent(POPULATION_CLIENT)}`, { enabled: true })).statusCode).toBe(200);
    expect(await audited(POPULATION_CLIENT)).toEqual([
      { action: 'auth.client.disable', actor_id: platformAdminId },
      { action: 'auth.client.enable', actor_id: platformAdminId },
    ]);
  });

  it('answers an unknown client with 404 and a malformed change with 400 and its field, changing nothing', async () => {
    const unknown = await api('platform-admin', 'PATCH', `${API}/no-such-system`, { enabled: false });
    expect([unknown.statusCode, unknown.json<{ code: string }>().code]).toEqual([404, 'TB_AUTH_CLIENT_NOT_FOUND']);
    expect((await as('platform-admin').get(`${PAGE}/no-such-system/disable`)).statusCode).toBe(404);
    const malformed = await api('platform-admin', 'PATCH', `${API}/cab-archive`, { enabled: 'no' });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(JSON.stringify(malformed.json())).toContain('/enabled');
    expect((await api('agency-admin', 'PATCH', `${API}/cab-archive`, { enabled: false })).statusCode).toBe(403);
    expect(await audited('cab-archive')).toEqual([]);
    expect((await api('platform-admin', 'GET', API)).json<{ clients: { clientId: string; enabled: boolean }[] }>().clients.find((c) => c.clientId === 'cab-archive')?.enabled).toBe(true);
  });

  /** The edit form as a platform administrator posts it, with the CSRF token of the form page. */
  /** The edit form as posted: the name, and one `scopes` field per ticked box. */
  const edit = async (clientId: string, form: { name: string; scopes: readonly string[] }, lang = 'en') => {
    const url = `${PAGE}/${encodeURIComponent(clientId)}/edit`;
    const token = csrfToken((await as('platform-admin').get(url)).body);
    return as('platform-admin').post(`${url}?lang=${lang}`, [['_csrf', token], ['name', form.name], ...form.scopes.map((scope) => ['scopes', scope] as const)]);
  };
  const ticked = (body: string) => [...body.matchAll(/<input class="tb-checkboxes__input" id="[^"]+" name="scopes" type="checkbox" value="([^"]+)" checked/g)].map((m) => m[1]);
  const changes = async (clientId: string) => (await sql<{ name: string | null; added: string[] | null; removed: string[] | null }>`
    select details->>'name' as name, details->'added' as added, details->'removed' as removed from tb_audit_record
    where resource_type = 'api-client' and resource_id = ${clientId} and action = 'auth.client.change' order by at, seq`.execute(built.kernel.db)).rows;

  it('changes a system\'s name and scopes on its page: a scope taken away is refused at once in the token it holds; the same again changes nothing', async () => {
    const token = (await tokenFor(POPULATION_CLIENT, population.privateJwk)).json<{ access_token: string }>().access_token;
    expect((await mediated(token)).statusCode).toBe(200);

    const form = await as('platform-admin').get(`${PAGE}/${encodeURIComponent(POPULATION_CLIENT)}/edit?lang=en`);
    expect(form.statusCode).toBe(200);
    // One box per scope a service checks, with what it allows; the system's own ticked.
    expect(ticked(form.body)).toEqual([CALL_SCOPE]);
    for (const scope of ['registries:read', 'consent:service', 'scheduler:book', 'payments:bills', 'read:rights']) expect(form.body).toContain(`value="${scope}"`);
    expect(form.body).toContain('Base registries: read records, with a purpose (audited)');
    expect((await as('platform-admin').get(`${PAGE}?lang=en`)).body).toContain(`href="${PAGE}/${encodeURIComponent(POPULATION_CLIENT)}/edit"`);

    // A repeat is kept once, and they are kept sorted.
    const saved = await edit(POPULATION_CLIENT, { name: '  Population register system ', scopes: ['registries:read', CALL_SCOPE, 'registries:read'] });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, `${PAGE}?done=changed`]);
    expect((await as('platform-admin').get(`${PAGE}?done=changed&lang=en`)).body).toContain('The system is changed.');
    const listed = (await api('platform-admin', 'GET', API)).json<{ clients: { clientId: string; name: string; scopes: string[] }[] }>().clients.find((c) => c.clientId === POPULATION_CLIENT);
    expect(listed).toMatchObject({ name: 'Population register system', scopes: [CALL_SCOPE, 'registries:read'] });
    expect((await mediated(token)).statusCode).toBe(200);

    // The mediator's scope taken away: the token the system holds is refused from the next call on.
    expect((await edit(POPULATION_CLIENT, { name: 'Population register system', scopes: ['registries:read'] })).headers.location).toBe(`${PAGE}?done=changed`);
    const refused = await mediated(token);
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'TB_MEDIATOR_ACCESS_DENIED' });

    // The same again writes nothing and records nothing.
    expect((await edit(POPULATION_CLIENT, { name: 'Population register system', scopes: ['registries:read'] })).headers.location).toBe(`${PAGE}?done=unchanged`);
    expect((await as('platform-admin').get(`${PAGE}?done=unchanged&lang=en`)).body).toContain('Nothing was changed');

    // Given back through the API, with the name in the same request.
    const restored = await api('platform-admin', 'PATCH', `${API}/${encodeURIComponent(POPULATION_CLIENT)}`, { name: 'Population register', scopes: [CALL_SCOPE] });
    expect(restored.json()).toMatchObject({ name: 'Population register', scopes: [CALL_SCOPE], enabled: true });
    expect((await mediated(token)).statusCode).toBe(200);
    expect(await changes(POPULATION_CLIENT)).toEqual([
      { name: 'Population register system', added: ['registries:read'], removed: [] },
      { name: null, added: [], removed: [CALL_SCOPE] },
      { name: 'Population register', added: [CALL_SCOPE], removed: ['registries:read'] },
    ]);
    expect((await audited(POPULATION_CLIENT)).slice(-3).map((r) => r.actor_id)).toEqual([platformAdminId, platformAdminId, platformAdminId]);
  });

  it('refuses a blank name and a scope no service checks together: the page with an error summary and what was ticked, the API with field paths', async () => {
    const refused = await edit('cab-archive', { name: '   ', scopes: ['registries:read', 'consent:audit', 'registry:read'] });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('<title>Error: Change Civil affairs archive');
    expect(refused.body).toContain("<a href=\"#name\">Enter the system's name, up to 200 characters</a>");
    expect(refused.body).toContain('<a href="#scopes">No service checks the scope registry:read: choose from the list');
    expect((await edit('cab-archive', { name: 'Archive', scopes: ['say"hello'] })).body).toContain('<a href="#scopes">Scope say&quot;hello is not valid');
    expect(ticked(refused.body)).toEqual(['consent:audit', 'registries:read']);
    expect((await edit('cab-archive', { name: 'Archive', scopes: [] }, 'zh-CN')).body).toContain('请至少选择一个权限范围');

    const malformed = await api('platform-admin', 'PATCH', `${API}/cab-archive`, { name: 'Archive', scopes: ['registries:read', 'registry:read'] });
    expect([malformed.statusCode, malformed.json<{ code: string }>().code]).toEqual([400, 'TB_AUTH_CLIENT_INVALID']);
    expect(JSON.stringify(malformed.json())).toContain('/scopes/1');
    expect((await api('platform-admin', 'PATCH', `${API}/cab-archive`, {})).statusCode).toBe(400);
    expect((await api('platform-admin', 'GET', API)).json<{ clients: { clientId: string; name: string }[] }>().clients.find((c) => c.clientId === 'cab-archive')?.name).toBe('Civil affairs archive');
    expect(await changes('cab-archive')).toEqual([]);
  });

  it('asks for a sign-in within ten minutes before any change (ASVS 5.0 7.5.3): no forms, posts and the API refused until the IdP asked for the password again', async () => {
    const admin = await personaBrowser(built, 'platform-admin');
    // Every session of the administrator signed in eleven minutes ago (the other tests' browser too, put back at the end).
    const setSignIns = (at: Date) => sql`update kernel_session set authenticated_at = ${at} where account_id = ${platformAdminId}`.execute(built.kernel.db);
    await setSignIns(new Date(built.kernel.now().getTime() - 11 * 60_000));
    const editUrl = `${PAGE}/cab-archive/edit`;

    const form = await admin.get(`${editUrl}?lang=en`);
    expect(form.statusCode).toBe(200);
    expect(form.body).not.toContain('name="scopes"');
    expect(form.body).toContain('Changing what a system may do needs a recent sign-in.');
    expect(form.body).toContain(`href="/auth/signin?reauth=1&amp;returnTo=${encodeURIComponent(`${editUrl}?lang=en`)}"`);
    const confirmPage = await admin.get(`${PAGE}/cab-archive/disable`);
    expect(confirmPage.body).not.toContain(`action="${PAGE}/cab-archive/disable"`);

    const posted = await admin.post(`${PAGE}/cab-archive/disable?lang=en`, { _csrf: csrfToken(confirmPage.body) });
    expect(posted.statusCode).toBe(403);
    expect(posted.body).toContain('Sign in again first');
    // The edit form posted too late: refused, but what was typed is kept while signing in again (ADR 55).
    const late = await admin.post(`${editUrl}?lang=en`, [['_csrf', csrfToken(confirmPage.body)], ['name', 'Civil affairs archive'], ['scopes', 'registries:read'], ['scopes', 'consent:audit']]);
    expect(late.statusCode).toBe(403);
    expect(late.body).toContain('What you entered is kept for 15 minutes');
    const kept = /returnTo=%2Fauth%2Fheld%2F([0-9a-f-]{36})/.exec(late.body)?.[1] ?? '';
    expect(kept).not.toBe('');
    const patched = await built.app.inject({
      method: 'PATCH', url: `${API}/cab-archive`, payload: { enabled: false },
      headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${admin.cookie(SESSION_COOKIE) ?? ''}` },
    });
    expect([patched.statusCode, patched.json<{ code: string }>().code]).toEqual([403, 'TB_AUTH_REAUTHENTICATION_REQUIRED']);
    expect(await audited('cab-archive')).toEqual([]);

    // Signing in again: the IdP's login form although its session is live, then back to the form.
    const login = await admin.follow(await admin.get(`/auth/signin?reauth=1&returnTo=${encodeURIComponent(editUrl)}`));
    const action = formAction(login.body, /\/interaction\//);
    expect(action).toBeDefined();
    const back = await admin.follow(await admin.post(action!, { _csrf: csrfToken(login.body), persona: 'platform-admin', password: DEMO_PASSWORD }));
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('name="scopes"');
    // The kept answers, sent with one button, make the change; then they are no longer offered.
    const offered = await admin.get(`/auth/held/${kept}`);
    expect(offered.statusCode).toBe(200);
    const hidden = [...offered.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? ''] as const);
    expect(hidden.filter(([name]) => name !== '_csrf')).toEqual([['name', 'Civil affairs archive'], ['scopes', 'registries:read'], ['scopes', 'consent:audit']]);
    // The page's own sign-out form has a CSRF token too: the kept form's fields with one token.
    const saved = await admin.post(`${editUrl}?lang=en`, [['_csrf', csrfToken(offered.body)], ...hidden.filter(([name]) => name !== '_csrf')]);
    expect(saved.headers.location).toBe(`${PAGE}?done=changed`);
    expect((await admin.get(`/auth/held/${kept}`)).statusCode).toBe(404);
    expect((await audited('cab-archive')).map((r) => [r.action, r.actor_id])).toEqual([['auth.client.change', platformAdminId]]);
    // Put back as the other tests expect it.
    await setSignIns(built.kernel.now());
    expect((await api('platform-admin', 'PATCH', `${API}/cab-archive`, { scopes: ['registries:read'] })).statusCode).toBe(200);
  });


  it('passes axe (WCAG 2.2 AA) in Chromium: the list with a disabled system, both confirmations and the edit form (also refused), in both languages', async () => {
    expect((await confirm('cab-archive', 'disable')).statusCode).toBe(303);
    const pages: [string, string][] = [];
    for (const lang of ['zh-CN', 'en']) {
      pages.push([`list ${lang}`, (await as('platform-admin').get(`${PAGE}?done=disabled&lang=${lang}`)).body]);
      pages.push([`enable ${lang}`, (await as('platform-admin').get(`${PAGE}/cab-archive/enable?lang=${lang}`)).body]);
      pages.push([`disable ${lang}`, (await as('platform-admin').get(`${PAGE}/${encodeURIComponent(POPULATION_CLIENT)}/disable?lang=${lang}`)).body]);
      pages.push([`edit ${lang}`, (await as('platform-admin').get(`${PAGE}/cab-archive/edit?lang=${lang}`)).body]);
      pages.push([`edit refused ${lang}`, (await edit('cab-archive', { name: '', scopes: ['a"b'] }, lang)).body]);
    }
    for (const [label, html] of pages) expect(html, label).toContain('</html>');
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  });
});
