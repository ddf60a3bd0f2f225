import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { DEMO_PASSWORD, SESSIONS_PATH } from '../../kernel/auth/index.js';
import { csrfToken, formAction, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoApp, personaBrowser, PUBLIC_URL } from '../applications/test-kit.js';
import { migrationSources } from '../index.js';
import { demoPersona } from './demo-personas.js';

const citizen = demoPersona('citizen').accountId;

/**
 * A person sees where they are signed in and signs out any or all other sessions, after proving
 * again who they are when their sign-in is older than ten minutes (ASVS 5.0 7.5.2); on both databases.
 */
describeEachDatabase('where a person is signed in', migrationSources, (use) => {
  let built: Built;

  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => { await built.app.close(); });

  const signedIn = async (browser: TestBrowser) => (await browser.get('/account')).statusCode === 200;
  const handles = (html: string) => [...html.matchAll(/name="session" value="([0-9a-f]{16})"/g)].map((m) => m[1]);
  /** As if the citizen had proved who they are eleven minutes ago, in every session. */
  const ageSignIns = () => sql`update kernel_session set authenticated_at = authenticated_at - interval '11 minutes' where account_id = ${citizen}`.execute(built.kernel.db);
  const ends = async () => (await sql<{ which: string; sessions: number; actor_id: string }>`
    select details->>'which' as which, (details->>'sessions')::int as sessions, actor_id from tb_audit_record
    where action = 'auth.session.end' and subject = ${citizen} order by at, seq`.execute(built.kernel.db)).rows;

  it('lists only the person\'s own live sessions, this browser marked; ends one, then all the others; each audited', async () => {
    const here = await personaBrowser(built, 'citizen');
    const phone = await personaBrowser(built, 'citizen');
    const someoneElse = await personaBrowser(built, 'business');

    expect((await here.get('/account')).body).toContain(`href="${SESSIONS_PATH}"`);
    const page = await here.get(SESSIONS_PATH);
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('2 sessions');
    expect(page.body.match(/This browser/g)).toHaveLength(1);
    // Signed in a moment ago: the other session can be signed out, and all others at once.
    const [phoneHandle] = handles(page.body);
    expect(handles(page.body)).toHaveLength(1);
    expect(page.body).toContain('Sign out of all other sessions');
    expect(page.body).not.toContain('id_hash');

    const ended = await here.post(`${SESSIONS_PATH}/end`, { _csrf: csrfToken(page.body), session: phoneHandle! });
    expect([ended.statusCode, ended.headers.location]).toEqual([303, `${SESSIONS_PATH}?done=one`]);
    expect((await here.get(`${SESSIONS_PATH}?done=one`)).body).toContain('The session is signed out.');
    expect(await signedIn(phone)).toBe(false);
    expect(await signedIn(here)).toBe(true);
    // Ending it again, or a handle of no session of this person's (someone else's), finds nothing.
    const again = await here.post(`${SESSIONS_PATH}/end`, { _csrf: csrfToken((await here.get(SESSIONS_PATH)).body), session: phoneHandle! });
    expect(again.statusCode).toBe(404);
    const othersHandle = handles((await someoneElse.get(SESSIONS_PATH)).body);
    expect(othersHandle).toEqual([]);
    expect((await here.post(`${SESSIONS_PATH}/end`, { _csrf: csrfToken((await here.get(SESSIONS_PATH)).body), session: 'not-a-handle' })).statusCode).toBe(400);

    const laptop = await personaBrowser(built, 'citizen');
    const tablet = await personaBrowser(built, 'citizen');
    const all = await here.post(`${SESSIONS_PATH}/end-others`, { _csrf: csrfToken((await here.get(SESSIONS_PATH)).body) });
    expect(all.headers.location).toBe(`${SESSIONS_PATH}?done=others&count=2`);
    expect((await here.get(`${SESSIONS_PATH}?done=others&count=2`)).body).toContain('2 other sessions are signed out.');
    expect([await signedIn(laptop), await signedIn(tablet), await signedIn(here), await signedIn(someoneElse)]).toEqual([false, false, true, true]);
    expect((await here.get(SESSIONS_PATH)).body).toContain('You are signed in only in this browser.');
    expect(await ends()).toEqual([
      { which: 'one', sessions: 1, actor_id: citizen },
      { which: 'others', sessions: 2, actor_id: citizen },
    ]);
  });

  it('asks for the credentials again when the sign-in is older than ten minutes, even though the identity provider has a session', async () => {
    const here = await personaBrowser(built, 'citizen');
    const stolen = await personaBrowser(built, 'citizen');
    await ageSignIns();

    // From the old session (as someone holding a stolen cookie would be): no sign-out forms, and a post is refused.
    const page = await stolen.get(SESSIONS_PATH);
    expect(handles(page.body)).toEqual([]);
    expect(page.body).not.toContain('Sign out of all other sessions');
    expect(page.body).toContain('href="/auth/signin?reauth=1&amp;returnTo=%2Faccount%2Fsessions"');
    const refused = await stolen.post(`${SESSIONS_PATH}/end-others`, { _csrf: csrfToken(page.body) });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('Sign in again to confirm it is you, then try again');
    expect(await signedIn(here)).toBe(true);

    // Signing in again goes to the provider's login form although its own session is live.
    const login = await here.follow(await here.get('/auth/signin?reauth=1&returnTo=%2Faccount%2Fsessions'));
    const action = formAction(login.body, /\/interaction\//);
    expect(action).toBeDefined();
    const back = await here.follow(await here.post(action!, { _csrf: csrfToken(login.body), persona: 'citizen', password: DEMO_PASSWORD }));
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('Sign out of all other sessions');
    const done = await here.post(`${SESSIONS_PATH}/end-others`, { _csrf: csrfToken(back.body) });
    expect(done.statusCode).toBe(303);
    expect([await signedIn(stolen), await signedIn(here)]).toEqual([false, true]);
  });

  it('passes axe (WCAG 2.2 AA) in Chromium: with sessions to sign out, after signing out, and asking to sign in again, in both languages', async () => {
    const here = await personaBrowser(built, 'citizen');
    await personaBrowser(built, 'citizen');
    const pages: [string, string][] = [];
    for (const lang of ['en', 'zh-CN']) pages.push([`sessions ${lang}`, (await here.get(`${SESSIONS_PATH}?lang=${lang}`)).body]);
    pages.push(['ended', (await here.get(`${SESSIONS_PATH}?done=others&count=1&lang=zh-CN`)).body]);
    await ageSignIns();
    for (const lang of ['en', 'zh-CN']) pages.push([`sign in again ${lang}`, (await here.get(`${SESSIONS_PATH}?lang=${lang}`)).body]);
    for (const [label, html] of pages) expect(html, label).toContain('</html>');
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  });
});
