import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applicationIdOf, demoApp, personaBrowser, postForm, PUBLIC_URL } from './test-kit.js';

/*
 * A field that depends on a choice on its own page works in one post, without JavaScript: on the
 * demo residence service's "basis" page the employer and school boxes are in the page from the
 * start, beneath the choice that needs them, and only the chosen one is required and kept.
 */

const SLUG = 'residence-certificate';
const YOU = { full_name: '张伟', id_number: '110101199003072359', 'date_of_birth-day': '7', 'date_of_birth-month': '3', 'date_of_birth-year': '1990', phone: '13800138000' };
const ADDRESSES = {
  'hukou_address-province': '河北省', 'hukou_address-city': '石家庄市', 'hukou_address-district': '长安区', 'hukou_address-line1': '示例街道 1 号',
  'beijing_address-province': '北京市', 'beijing_address-city': '北京市', 'beijing_address-district': '朝阳区', 'beijing_address-line1': '建国路 1 号',
  'moved_on-day': '1', 'moved_on-month': '6', 'moved_on-year': '2024',
};

describeEachDatabase('applications: a choice reveals its fields on the same page', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let person: Principal;
  let id = '';
  const pages: [string, string][] = [];

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    const found = await built.services.identity.principal(demoPersona('citizen').accountId);
    if (!found) throw new Error('no principal for the citizen');
    person = found;
    const start = await citizen.get(`/services/${SLUG}/apply`);
    id = applicationIdOf(start.headers.location);
    const prefill = await citizen.follow(start);
    const you = await citizen.follow(await postForm(citizen, `/applications/${id}/prefill`, prefill.body, { choice: 'self' }));
    const addresses = await citizen.follow(await postForm(citizen, `/applications/${id}/pages/you`, you.body, { ...YOU, _save: 'continue' }));
    const moved = await postForm(citizen, `/applications/${id}/pages/addresses`, addresses.body, { ...ADDRESSES, _save: 'continue' });
    expect(moved.headers.location).toBe(`/applications/${id}/pages/basis`);
  });
  afterAll(async () => { await built.app.close(); });

  const stored = async () => (await built.services.applications.openDraft(id, person)).answers;

  it('shows the employer box beneath "I have a stable job" before anything is chosen, and takes it in one post', async () => {
    const basis = await citizen.get(`/applications/${id}/pages/basis`);
    expect(basis.statusCode).toBe(200);
    expect(basis.body).toMatch(/value="employment"[^>]*\/><label[^>]*>I have a stable job<\/label><\/div><div class="tb-radios__conditional" id="conditional-basis"><p class="tb-hint">Only if you chose “I have a stable job”<\/p>.*<input[^>]*id="employer" name="employer"/);
    expect(basis.body).toMatch(/id="conditional-basis-3"><p class="tb-hint">Only if you chose “I study full time”<\/p>.*id="school"/);
    pages.push(['basis page, nothing chosen', basis.body]);

    const job = await postForm(citizen, `/applications/${id}/pages/basis`, basis.body, { basis: 'employment', employer: '北京某某科技有限公司', school: '', _save: 'continue' });
    expect(job.statusCode).toBe(303);
    expect(job.headers.location).toBe(`/applications/${id}/documents`);
    expect(await stored()).toMatchObject({ basis: 'employment', employer: '北京某某科技有限公司' });
    expect((await stored()).school).toBeUndefined();
  });

  it('requires the employer only from someone who chose a job, and ignores a box that belongs to another choice', async () => {
    const basis = await citizen.get(`/applications/${id}/pages/basis`);
    const missing = await postForm(citizen, `/applications/${id}/pages/basis`, basis.body, { basis: 'employment', employer: '', school: '', _save: 'continue' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#employer"');
    expect(missing.body).toContain('Enter name of your employer');
    expect(missing.body).toMatch(/value="employment" checked/);
    pages.push(['basis page, employer missing', missing.body]);

    const home = await postForm(citizen, `/applications/${id}/pages/basis`, basis.body, { basis: 'residence', employer: '', school: '', _save: 'continue' });
    expect(home.statusCode).toBe(303);
    const study = await postForm(citizen, `/applications/${id}/pages/basis`, basis.body, { basis: 'study', employer: 'typed, then changed my mind', school: '北京大学', _save: 'continue' });
    expect(study.statusCode).toBe(303);
    const answers = await stored();
    expect(answers).toMatchObject({ basis: 'study', school: '北京大学' });
    expect(answers.employer).toBeUndefined();
    pages.push(['basis page, study chosen', (await citizen.get(`/applications/${id}/pages/basis`)).body]);
    citizen.setCookie('tongban_lang', 'zh-CN');
    const zh = await citizen.get(`/applications/${id}/pages/basis`);
    citizen.setCookie('tongban_lang', 'en');
    expect(zh.body).toContain('仅在选择“合法稳定就业”时填写');
    pages.push(['basis page in Chinese', zh.body]);
  });

  it('passes axe (WCAG 2.2 AA) in Chromium with the revealed fields, error state included', async () => {
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  }, 120_000);
});
