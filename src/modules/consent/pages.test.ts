import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, newPage } from '../../../test/helpers/browser.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { DEMO_AGREEMENTS } from './demo.js';

const PUBLIC_URL = 'http://tongban.test';
const MINE = '/account/consent';
const ADMIN = '/admin/consent';
const CITIZEN = '110101199003072359';
const PREFILL = DEMO_AGREEMENTS.prefill;

describeEachDatabase('consent pages', migrationSources, (use) => {
  let built: Built;
  const browsers = new Map<string, TestBrowser>();
  const collected: [string, string][] = [];

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
    for (const persona of ['citizen', 'business', 'officer', 'agency-admin']) {
      const browser = createTestBrowser(built.app, PUBLIC_URL);
      await signIn(browser, persona);
      browsers.set(persona, browser);
    }
  });
  afterAll(async () => { await built.app.close(); });

  const as = (persona: string) => browsers.get(persona)!;
  const submit = async (persona: string, formPage: string, action: string, form: Record<string, string> = {}) => {
    const token = csrfToken((await as(persona).get(formPage)).body);
    return as(persona).post(action, { _csrf: token, ...form });
  };
  const check = () => built.services.consent.check({ agreementId: PREFILL, idNumber: CITIZEN });

  it('links the consent page from the account page, and sends an anonymous visitor to sign in', async () => {
    expect((await as('citizen').get('/account?lang=en')).body).toContain(`href="${MINE}"`);
    const anonymous = await createTestBrowser(built.app, PUBLIC_URL).get(MINE);
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/auth\/signin\?returnTo=/);
  });

  it('lists the agreements that need consent and those set by law, in both languages', async () => {
    const en = await as('citizen').get(`${MINE}?lang=en`);
    expect(en.statusCode).toBe(200);
    expect(en.body).toContain('Uses that need your consent');
    expect(en.body).toContain('Prefill your application with your name, date of birth and household address from the population register');
    expect(en.body).toContain('Not given');
    expect(en.body).toContain('Date of birth');
    expect(en.body).toContain('365 days from when you give it');
    expect(en.body).toContain('Uses set by law');
    expect(en.body).toContain('Interim Regulations on Residence Permits, article 9');
    expect(en.body).toContain(`action="${MINE}/${PREFILL}/give"`);
    const zh = await as('citizen').get(MINE);
    expect(zh.body).toContain('需要您同意的使用');
    expect(zh.body).toContain('《居住证暂行条例》第九条');
    collected.push(['person page zh-CN, nothing given', zh.body]);
  });

  it('gives consent with one button, and shows it with its date and history', async () => {
    expect(await check()).toEqual({ ok: false, reason: 'missing' });
    const given = await submit('citizen', MINE, `${MINE}/${PREFILL}/give`);
    expect(given.statusCode).toBe(303);
    expect(given.headers.location).toBe(`${MINE}?done=given#agreement-${PREFILL}`);
    expect(await check()).toEqual({ ok: true, basis: 'consent' });
    const page = await as('citizen').get(`${MINE}?done=given&lang=en`);
    expect(page.body).toContain('Your consent has been recorded.');
    expect(page.body).toContain('Consent given');
    expect(page.body).toContain(`href="${MINE}/${PREFILL}/withdraw"`);
    expect(page.body).toContain('Online');
    collected.push(['person page en, consent given', page.body]);
    const audit = (await built.kernel.audit.listBySubject('0190a1b2-0000-7000-8000-000000000001')).filter((r) => r.action === 'consent.give');
    expect(audit).toEqual([expect.objectContaining({ actor: { kind: 'person', id: '0190a1b2-0000-7000-8000-000000000001' }, details: expect.objectContaining({ channel: 'online' }) as unknown })]);
    // Without the form's CSRF token nothing changes.
    expect((await as('citizen').post(`${MINE}/${PREFILL}/withdraw`, {})).statusCode).toBe(403);
    expect(await check()).toEqual({ ok: true, basis: 'consent' });
  });

  it('asks for confirmation before withdrawing, then withdraws', async () => {
    for (const lang of ['en', 'zh-CN']) {
      const confirm = await as('citizen').get(`${MINE}/${PREFILL}/withdraw?lang=${lang}`);
      expect(confirm.statusCode).toBe(200);
      collected.push([`withdraw confirmation ${lang}`, confirm.body]);
    }
    const confirm = await as('citizen').get(`${MINE}/${PREFILL}/withdraw?lang=en`);
    expect(confirm.body).toContain('Are you sure you want to withdraw your consent?');
    expect(confirm.body).toContain('No, keep my consent');
    expect(await check()).toEqual({ ok: true, basis: 'consent' });
    const withdrawn = await submit('citizen', `${MINE}/${PREFILL}/withdraw`, `${MINE}/${PREFILL}/withdraw`);
    expect(withdrawn.headers.location).toBe(`${MINE}?done=withdrawn#agreement-${PREFILL}`);
    expect(await check()).toEqual({ ok: false, reason: 'withdrawn' });
    const page = await as('citizen').get(`${MINE}?lang=en`);
    expect(page.body).toContain('Withdrawn');
    expect(page.body).toContain('Consent withdrawn');
    // Consent to a use set by law cannot be given or withdrawn.
    expect((await as('citizen').get(`${MINE}/${DEMO_AGREEMENTS.legalBasis}/withdraw`)).statusCode).toBe(404);
  });

  it('tells a person without a resident ID number that there is nothing to show', async () => {
    const page = await as('business').get(`${MINE}?lang=en`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Your account has no resident ID number');
    expect((await submit('business', MINE, `${MINE}/${PREFILL}/give`)).statusCode).toBe(409);
  });

  it('lets an agency administrator add and change their agreements, keeping what was typed on an error', async () => {
    expect((await as('officer').get(ADMIN)).statusCode).toBe(403);
    const list = await as('agency-admin').get(`${ADMIN}?lang=en`);
    expect(list.body).toContain(`<code>${PREFILL}</code>`);
    collected.push(['admin list en', list.body]);
    const form = `${ADMIN}/new`;
    for (const lang of ['en', 'zh-CN']) {
      const bad = await submit('agency-admin', `${form}?lang=${lang}`, form, { id: 'Bad Id', controller: '', purposeZh: '目的', purposeEn: '', lawfulBasis: 'consent', legalBasisZh: '', legalBasisEn: 'x', items: 'name\nnot valid!', retentionZh: '', retentionEn: '', consentDays: 'ten' });
      expect(bad.statusCode).toBe(422);
      expect(bad.body).toContain('tb-error-summary');
      expect(bad.body).toContain('href="#id"');
      expect(bad.body).toContain('value="Bad Id"');
      expect(bad.body).toContain('not valid!');
      collected.push([`agreement form with errors ${lang}`, bad.body]);
    }
    const fields = {
      id: 'psb-address-check', controller: '110000-PSB', purposeZh: '核对地址', purposeEn: 'Check your address', lawfulBasis: 'consent',
      legalBasisZh: '您的同意', legalBasisEn: 'Your consent', items: 'householdAddress', retentionZh: '一年', retentionEn: 'One year', consentDays: '',
    };
    expect((await submit('agency-admin', form, form, { ...fields, controller: '110000-AMR' })).statusCode).toBe(422);
    const saved = await submit('agency-admin', form, form, fields);
    expect(saved.headers.location).toBe(`${ADMIN}?done=saved`);
    expect(await built.services.consent.agreement('psb-address-check')).toMatchObject({ version: 1, needsConsent: true, items: ['householdAddress'] });
    const edit = `${ADMIN}/psb-address-check/edit`;
    const editPage = await as('agency-admin').get(`${edit}?lang=en`);
    expect(editPage.body).toContain('Saving creates version 2');
    const changed = await submit('agency-admin', edit, edit, { ...fields, id: 'ignored', items: 'householdAddress\nname' });
    expect(changed.statusCode).toBe(303);
    expect(await built.services.consent.agreement('psb-address-check')).toMatchObject({ version: 2, consentFromVersion: 2, items: ['householdAddress', 'name'] });
    expect((await as('agency-admin').get(`${edit}?lang=en`)).body).toMatch(/Versions[\s\S]*Check your address/);
  });

  it('retires an agreement after a confirmation', async () => {
    const retire = `${ADMIN}/psb-address-check/retire`;
    const confirm = await as('agency-admin').get(`${retire}?lang=en`);
    expect(confirm.body).toContain('Retire data agreement psb-address-check?');
    collected.push(['retire confirmation en', confirm.body]);
    const done = await submit('agency-admin', retire, retire);
    expect(done.headers.location).toBe(`${ADMIN}?done=retired`);
    expect(await built.services.consent.agreement('psb-address-check')).toBeUndefined();
    expect((await as('agency-admin').get(`${ADMIN}?lang=en`)).body).toContain('Retired');
    expect((await as('agency-admin').get(retire)).statusCode).toBe(404);
  });

  it('offers the same administration as a JSON API, to the agency\'s administrators only', async () => {
    const api = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, persona: string, body?: object) => built.app.inject({
      method, url, headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${as(persona).cookie(SESSION_COOKIE) ?? ''}` }, ...(body ? { payload: body } : {}),
    });
    const agreement = {
      id: 'psb-api-check', controller: '110000-PSB', lawfulBasis: 'legal_obligation', purpose: { 'zh-CN': '核对', en: 'Check' },
      legalBasis: { 'zh-CN': '法律', en: 'A law' }, items: ['name'], retention: { 'zh-CN': '一年', en: 'One year' },
    };
    expect((await api('POST', '/api/consent/agreements', 'officer', agreement)).json()).toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    expect((await api('POST', '/api/consent/agreements', 'agency-admin', { ...agreement, controller: '110000-AMR' })).json()).toMatchObject({ code: 'TB_CONSENT_FORBIDDEN', status: 403 });
    const created = await api('POST', '/api/consent/agreements', 'agency-admin', agreement);
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ id: 'psb-api-check', version: 1, needsConsent: false, consentDays: null });
    const updated = await api('PUT', '/api/consent/agreements/psb-api-check', 'agency-admin', { ...agreement, id: undefined, items: ['name', 'sex'] });
    expect(updated.json()).toMatchObject({ version: 2, items: ['name', 'sex'] });
    expect((await api('GET', '/api/consent/agreements/psb-api-check', 'agency-admin')).json<{ versions: { version: number }[] }>().versions.map((v) => v.version)).toEqual([2, 1]);
    expect((await api('GET', '/api/consent/agreements', 'agency-admin')).json<{ agreements: { id: string }[] }>().agreements.map((a) => a.id)).toContain('psb-api-check');
    expect((await api('DELETE', '/api/consent/agreements/psb-api-check', 'agency-admin')).json()).toMatchObject({ version: 3, active: false });
    expect((await api('GET', '/api/consent/agreements', 'agency-admin')).json<{ agreements: { id: string }[] }>().agreements.map((a) => a.id)).not.toContain('psb-api-check');
  });

  it('asks for a sign-in within ten minutes before an agreement changes (ADR 52): the form\'s page asks first, the post and the API are refused', async () => {
    const agencyAdminId = '0190a1b2-0000-7000-8000-000000000005';
    const setSignIns = (at: Date) => sql`update kernel_session set authenticated_at = ${at} where account_id = ${agencyAdminId}`.execute(built.kernel.db);
    const retire = `${ADMIN}/${PREFILL}/retire`;
    const token = csrfToken((await as('agency-admin').get(retire)).body);
    await setSignIns(new Date(built.kernel.now().getTime() - 11 * 60_000));
    try {
      const asked = await as('agency-admin').get(`${retire}?lang=en`);
      expect(asked.statusCode).toBe(200);
      expect(asked.body).toContain('Sign in again first');
      expect(asked.body).toContain('A data agreement decides which data agencies may share');
      expect(asked.body).not.toContain(`action="${retire}"`);
      collected.push(['sign in again en', asked.body]);
      expect((await as('agency-admin').post(retire, { _csrf: token })).statusCode).toBe(403);
      const viaApi = await built.app.inject({
        method: 'DELETE', url: `/api/consent/agreements/${PREFILL}`,
        headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${as('agency-admin').cookie(SESSION_COOKIE) ?? ''}` },
      });
      expect(viaApi.json()).toMatchObject({ status: 403, code: 'TB_AUTH_REAUTHENTICATION_REQUIRED' });
      expect((await built.services.consent.agreement(PREFILL))?.active).toBe(true);
      expect((await as('agency-admin').get(ADMIN)).statusCode).toBe(200);
    } finally {
      await setSignIns(built.kernel.now());
    }
    expect((await as('agency-admin').get(retire)).body).toContain(`action="${retire}"`);
  });

  it('passes axe (WCAG 2.2 AA) in Chromium on every page above, error states included', async () => {
    expect(collected.length).toBeGreaterThanOrEqual(7);
    const chromium = await launchBrowser();
    try {
      const page = await newPage(chromium);
      let html = '';
      await page.route(`${PUBLIC_URL}/**`, async (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === '/under-test') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
        const asset = await built.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
        return route.fulfill({ status: asset.statusCode, headers: asset.headers as Record<string, string>, body: asset.rawPayload });
      });
      for (const [label, body] of collected) {
        html = body;
        await page.goto(`${PUBLIC_URL}/under-test`);
        await expectAccessible(page, label);
      }
    } finally {
      await chromium.close();
    }
  });
});
