import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { applicationIdOf, demoApp, personaBrowser, postForm, PUBLIC_URL } from '../../modules/applications/test-kit.js';
import { demoPersona } from '../../modules/identity/index.js';
import { migrationSources } from '../../modules/index.js';
import { SESSION_COOKIE } from './cookies.js';
import { HELD_FORM_PATH } from './held-forms.js';
import { LANG_COOKIE } from '../i18n/plugin.js';
import { createTestBrowser, csrfToken, formAction, signIn, type TestBrowser } from './test-kit.js';

const SLUG = 'residence-certificate';
const YOU = { full_name: '张伟', id_number: '110101199003072359', 'date_of_birth-day': '7', 'date_of_birth-month': '3', 'date_of_birth-year': '1990', phone: '13800138000' };
const ADDRESSES = {
  'hukou_address-province': '河北省', 'hukou_address-city': '石家庄市', 'hukou_address-district': '长安区', 'hukou_address-line1': '示例街道 1 号',
  'beijing_address-province': '北京市', 'beijing_address-city': '北京市', 'beijing_address-district': '朝阳区', 'beijing_address-line1': '建国路 1 号',
  'moved_on-day': '1', 'moved_on-month': '6', 'moved_on-year': '2024',
};
const ANSWERS = { basis: 'employment', employer: '北京示例科技有限公司', _save: 'continue' };

/**
 * A session that times out while a form is open (ADR 55, "Since then"): the post used to go to
 * sign-in with returnTo=/ and the answers were lost. Now they are held for the account whose
 * session lapsed and given back after it signs in, to it alone; with no session to bind them to,
 * the person at least comes back to the form's page.
 */
describeEachDatabase('answers kept when the session ended while the form was open (ADR 55)', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let basisPath = '';
  const citizenId = demoPersona('citizen').accountId;

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    const start = await citizen.get(`/services/${SLUG}/apply`);
    const id = applicationIdOf(start.headers.location);
    const you = await citizen.follow(await postForm(citizen, `/applications/${id}/prefill`, (await citizen.follow(start)).body, { choice: 'self' }));
    const addresses = await citizen.follow(await postForm(citizen, `/applications/${id}/pages/you`, you.body, { ...YOU, _save: 'continue' }));
    const moved = await postForm(citizen, `/applications/${id}/pages/addresses`, addresses.body, { ...ADDRESSES, _save: 'continue' });
    basisPath = `/applications/${id}/pages/basis`;
    expect(moved.headers.location).toBe(basisPath);
  }, 240_000);
  afterAll(async () => { await built.app.close(); });

  /** The person's sessions time out (30 minutes idle) while the page stays open. */
  const timeOut = async (accountId: string) => {
    await sql`update kernel_session set idle_expires_at = ${new Date(Date.now() - 60_000)} where account_id = ${accountId}`.execute(built.kernel.db);
  };
  const held = async () => (await sql<{ account_id: string; path: string }>`select account_id, path from kernel_held_form order by created_at`.execute(built.kernel.db)).rows;
  const returnToOf = (location: unknown) => new URL(String(location), PUBLIC_URL).searchParams.get('returnTo');
  /** Posts the basis page (a form read before the session ended) and checks it is sent to sign in. */
  const postAfterTimeout = async (browser: TestBrowser, page: string) => {
    const res = await postForm(browser, basisPath, page, ANSWERS);
    expect(res.statusCode, res.body).toBe(303);
    expect(String(res.headers.location)).toMatch(/^\/auth\/signin\?returnTo=/);
    return returnToOf(res.headers.location) ?? '';
  };

  it('keeps the answers of a page posted after the session timed out, and gives them back once the same person signs in', async () => {
    const page = await citizen.get(basisPath);
    await timeOut(citizenId);
    const returnTo = await postAfterTimeout(citizen, page.body);
    expect(returnTo).toMatch(new RegExp(`^${HELD_FORM_PATH}/[0-9a-f-]{36}$`));
    expect(await held()).toEqual([{ account_id: citizenId, path: basisPath }]);

    // The identity provider's own session is still there: signing in again needs no password.
    const back = await citizen.follow(await citizen.get(`/auth/signin?returnTo=${encodeURIComponent(returnTo)}`));
    expect(back.statusCode, back.body).toBe(200);
    expect(back.body).toContain('北京示例科技有限公司');
    expect(formAction(back.body, /applications/)).toBe(basisPath);
    const sent = await citizen.post(basisPath, [['_csrf', csrfToken(back.body)], ['basis', 'employment'], ['employer', '北京示例科技有限公司'], ['_save', 'continue']]);
    expect(sent.statusCode, sent.body).toBe(303);
    expect(String(sent.headers.location)).not.toContain('signin');
    const again = await citizen.get(basisPath);
    expect(again.body).toContain('value="北京示例科技有限公司"');
  });

  it('never gives them to someone else who signs in next on the same computer', async () => {
    const page = await citizen.get(basisPath);
    await timeOut(citizenId);
    const returnTo = await postAfterTimeout(citizen, page.body);
    const other = createTestBrowser(built.app, PUBLIC_URL);
    other.setCookie(LANG_COOKIE, 'en');
    const landed = await signIn(other, 'business', { returnTo });
    expect(landed.statusCode).toBe(404);
    expect(landed.body).not.toContain('北京示例科技有限公司');
    // The citizen, signing in again, still finds them.
    const own = await citizen.follow(await citizen.get(`/auth/signin?returnTo=${encodeURIComponent(returnTo)}`));
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('北京示例科技有限公司');
  });

  it('with no session to bind them to (signed out), keeps nothing and comes back to the form\'s page, not the home page', async () => {
    const page = await citizen.get(basisPath);
    await sql`delete from kernel_held_form`.execute(built.kernel.db);
    citizen.deleteCookie(SESSION_COOKIE);
    expect(await postAfterTimeout(citizen, page.body)).toBe(basisPath);
    expect(await held()).toEqual([]);
    // Posted to an address that is not a page: back to the page it was posted from (its Referer).
    const res = await built.app.inject({
      method: 'POST', url: `${basisPath}?x=1`, payload: new URLSearchParams({ _csrf: csrfToken(page.body), ...ANSWERS }).toString(),
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', host: 'tongban.test', origin: PUBLIC_URL, cookie: `tb_csrf=${citizen.cookie('tb_csrf') ?? ''}`, referer: `${PUBLIC_URL}${basisPath}?return=check` },
    });
    expect(res.statusCode).toBe(303);
    expect(returnToOf(res.headers.location)).toBe(`${basisPath}?return=check`);
    const foreign = await built.app.inject({
      method: 'POST', url: basisPath, payload: new URLSearchParams({ _csrf: csrfToken(page.body), ...ANSWERS }).toString(),
      headers: { accept: 'text/html', 'content-type': 'application/x-www-form-urlencoded', cookie: `tb_csrf=${citizen.cookie('tb_csrf') ?? ''}`, referer: 'https://evil.example/phish' },
    });
    expect(returnToOf(foreign.headers.location)).toBe(basisPath);
    await citizen.follow(await citizen.get('/auth/signin?returnTo=%2Faccount'));
    expect(citizen.cookie(SESSION_COOKIE)).toBeDefined();
  });

  it('keeps nothing that is not a page\'s form (JSON posted to the page), and still returns to the page', async () => {
    const page = await citizen.get(basisPath);
    await sql`delete from kernel_held_form`.execute(built.kernel.db);
    await timeOut(citizenId);
    const res = await built.app.inject({
      method: 'POST', url: basisPath, payload: JSON.stringify(ANSWERS),
      headers: { host: 'tongban.test', accept: 'text/html', 'content-type': 'application/json', 'x-csrf-token': csrfToken(page.body), cookie: `${SESSION_COOKIE}=${citizen.cookie(SESSION_COOKIE) ?? ''}; tb_csrf=${citizen.cookie('tb_csrf') ?? ''}` },
    });
    expect(res.statusCode, res.body).toBe(303);
    expect(returnToOf(res.headers.location)).toBe(basisPath);
    expect(await held()).toEqual([]);
  });
});
