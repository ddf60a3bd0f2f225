import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/demo-personas.js';
import { migrationSources } from '../index.js';
import { DEMO_CITIZEN } from './definitions.js';
import { PUBLIC_URL, registriesApp } from './test-kit.js';

const ADMIN = '/admin/registries';
const LOOKUP = `${ADMIN}/population/lookup`;
const TASKS = `${ADMIN}/corrections`;

describeEachDatabase('registries staff pages', migrationSources, (use) => {
  let built: Built;
  const browsers = new Map<string, TestBrowser>();
  beforeAll(async () => {
    built = await registriesApp(use);
    for (const persona of ['citizen', 'clerk', 'agency-admin', 'officer', 'platform-admin']) {
      const browser = createTestBrowser(built.app, PUBLIC_URL);
      await signIn(browser, persona);
      browsers.set(persona, browser);
    }
  });
  afterAll(async () => { await built.app.close(); });

  const as = (persona: string) => browsers.get(persona)!;
  const submit = async (persona: string, formPage: string, action: string, form: Record<string, string>) => {
    const token = csrfToken((await as(persona).get(formPage)).body);
    return as(persona).post(action, { _csrf: token, ...form });
  };
  const zhangReads = async () => (await built.kernel.audit.listBySubject(demoPersona('citizen').accountId)).filter((r) => r.action === 'registry.record.read');

  it('lists the registries of the staff member\'s agency only, and refuses people who are not staff', async () => {
    const psb = await as('agency-admin').get(`${ADMIN}?lang=en`);
    expect(psb.statusCode).toBe(200);
    expect(psb.body).toContain('Population register');
    expect(psb.body).not.toContain('Business register');
    expect((await as('agency-admin').get(ADMIN)).body).toContain('人口登记簿');
    expect((await as('clerk').get(`${ADMIN}?lang=en`)).body).toContain('Your agency keeps no registry here.');
    expect((await as('clerk').get(LOOKUP)).statusCode).toBe(403);
    expect((await as('citizen').get(ADMIN)).statusCode).toBe(403);
  });

  it('shows a platform administrator every registry but lets only the owner agency\'s staff look a record up', async () => {
    const list = await as('platform-admin').get(`${ADMIN}?lang=en`);
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Population register');
    expect(list.body).toContain('Business register');
    expect(list.body).not.toContain(`href="${LOOKUP}"`);
    expect((await as('agency-admin').get(ADMIN)).body).toContain(`href="${LOOKUP}"`);
    const before = (await zhangReads()).length;
    expect((await as('platform-admin').get(LOOKUP)).statusCode).toBe(403);
    const token = csrfToken(list.body);
    for (const persona of ['platform-admin', 'clerk']) {
      const refused = await as(persona).post(LOOKUP, { _csrf: persona === 'platform-admin' ? token : csrfToken((await as(persona).get(ADMIN)).body), key: DEMO_CITIZEN.idNumber, purpose: 'Curious' });
      expect(refused.statusCode, persona).toBe(403);
      expect(refused.body).not.toContain(DEMO_CITIZEN.householdAddress);
    }
    // Nothing was read, so nothing is on the person's record.
    expect(await zhangReads()).toHaveLength(before);
  });

  it('looks a record up by key with a purpose, audited for the person; errors keep what was typed', async () => {
    const missing = await submit('agency-admin', `${LOOKUP}?lang=en`, LOOKUP, { key: DEMO_CITIZEN.idNumber, purpose: '' });
    expect(missing.statusCode).toBe(422);
    expect(missing.body).toContain('tb-error-summary');
    expect(missing.body).toContain('href="#purpose"');
    expect(missing.body).toContain(`value="${DEMO_CITIZEN.idNumber}"`);
    const before = (await zhangReads()).length;
    const found = await submit('agency-admin', `${LOOKUP}?lang=en`, `${LOOKUP}?lang=en`, { key: DEMO_CITIZEN.idNumber, purpose: 'Case PSB-2026-17' });
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('Household address');
    expect(found.body).toContain(DEMO_CITIZEN.householdAddress);
    const reads = await zhangReads();
    expect(reads).toHaveLength(before + 1);
    expect(reads[0]).toMatchObject({ actor: { kind: 'staff', id: demoPersona('agency-admin').accountId, organisation: '110000-PSB' }, purpose: 'Case PSB-2026-17' });
    const none = await submit('agency-admin', LOOKUP, LOOKUP, { key: '11010119800101001X', purpose: 'Case 1' });
    expect(none.statusCode).toBe(404);
    expect(none.body).toContain('没有这个编号的记录');
  });

  it('shows reports of wrong data to the owner agency\'s staff, who close them with a note', async () => {
    const { taskId } = await built.services.registries.reportWrongData({
      registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['householdAddress'], description: '我已搬家', reporter: { accountId: demoPersona('citizen').accountId },
    });
    const list = await as('agency-admin').get(`${TASKS}?lang=en`);
    expect(list.body).toContain('我已搬家');
    expect(list.body).toContain(`${TASKS}/${taskId}/resolve`);
    expect((await as('clerk').get(`${TASKS}?lang=en`)).body).toContain('There are no open reports.');
    // Another agency's task: not found, as an unknown one (denials.test.ts checks its log line).
    expect((await as('clerk').get(`${TASKS}/${taskId}/resolve`)).statusCode).toBe(404);
    const admin = { kind: 'staff', id: demoPersona('agency-admin').accountId, organisation: '110000-PSB' };
    const views = async () => (await built.kernel.audit.listBySubject(demoPersona('citizen').accountId)).filter((r) => r.action === 'registry.correction.view');
    // The staff member acts for the agency that owns the registry, so the person's page can name it.
    expect((await views())[0]).toMatchObject({ actor: admin, subject: demoPersona('citizen').accountId, details: { registry: 'population', tasks: 1 } });

    const form = `${TASKS}/${taskId}/resolve`;
    const seen = (await views()).length;
    const shown = await as('agency-admin').get(`${form}?lang=en`);
    expect(shown.body).toContain('我已搬家');
    expect(await views()).toHaveLength(seen + 1);
    expect((await views())[0]).toMatchObject({ actor: admin, requestId: expect.any(String) as string });
    const empty = await submit('agency-admin', `${form}?lang=en`, form, { note: ' ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#note"');
    const done = await submit('agency-admin', form, form, { note: '已更正户籍地址' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`${TASKS}?done=1`);
    expect(await built.services.registries.correction(taskId)).toMatchObject({ status: 'resolved', resolution: '已更正户籍地址' });
    expect((await as('agency-admin').get(form)).statusCode).toBe(404);
  });

  it('passes axe (WCAG 2.2 AA) in Chromium: every page, errors and results included, in both languages', async () => {
    const { taskId } = await built.services.registries.reportWrongData({
      registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['name'], description: 'Name misspelt', reporter: { accountId: demoPersona('citizen').accountId },
    });
    const pages: [string, string][] = [];
    for (const lang of ['zh-CN', 'en']) {
      pages.push([`registries ${lang}`, (await as('agency-admin').get(`${ADMIN}?lang=${lang}`)).body]);
      pages.push([`lookup ${lang}`, (await as('agency-admin').get(`${LOOKUP}?lang=${lang}`)).body]);
      pages.push([`lookup errors ${lang}`, (await submit('agency-admin', `${LOOKUP}?lang=${lang}`, `${LOOKUP}?lang=${lang}`, { key: '', purpose: '' })).body]);
      pages.push([`lookup result ${lang}`, (await submit('agency-admin', `${LOOKUP}?lang=${lang}`, `${LOOKUP}?lang=${lang}`, { key: DEMO_CITIZEN.idNumber, purpose: 'axe' })).body]);
      pages.push([`tasks ${lang}`, (await as('agency-admin').get(`${TASKS}?lang=${lang}&done=1`)).body]);
      const resolve = `${TASKS}/${taskId}/resolve?lang=${lang}`;
      pages.push([`resolve errors ${lang}`, (await submit('agency-admin', resolve, resolve, { note: '' })).body]);
    }
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
    // Twelve pages through axe in Chromium: more than the default minute on a busy machine.
  }, 240_000);
});
