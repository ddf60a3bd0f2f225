import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { createApplicationsStore } from './store.js';
import { applicationIdOf, demoApp, pdf, personaBrowser, png, postForm, postMultipart } from './test-kit.js';
import { REFERENCE_PATTERN } from './service.js';

/*
 * Answers from the person's own account (docs/adr/0070): a signed-in person's online draft starts
 * with the name and ID number their account holds, marked "From your account."; a draft made by a
 * clerk at a counter or by a system through the API is not filled from the clerk's or system's account.
 */

const CITIZEN = demoPersona('citizen');
const RESIDENCE = 'residence-certificate';
const SOLE_TRADER = 'sole-trader-business-licence';
/** What an input shows, as a browser would post it back. */
const shown = (page: string, name: string): string | undefined => new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(page)?.[1];

describeEachDatabase('applications: answers from the person\'s own account', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  const store = createApplicationsStore();

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
  });
  afterAll(async () => { await built.app.close(); });

  it('fills the name and ID number of a residence application from the account, marked, and submits them untyped', async () => {
    const start = await citizen.get(`/services/${RESIDENCE}/apply`);
    const id = applicationIdOf(start.headers.location);
    // The register is not read: the person fills in the form, starting from their account.
    const prefill = await citizen.get(`/applications/${id}/prefill`);
    const self = await postForm(citizen, `/applications/${id}/prefill`, prefill.body, { choice: 'self' });
    expect(self.headers.location).toBe(`/applications/${id}/pages/you`);
    const you = await citizen.follow(self);
    expect(shown(you.body, 'full_name')).toBe(CITIZEN.name);
    expect(shown(you.body, 'id_number')).toBe(CITIZEN.idNumber);
    expect(you.body.match(/From your account\./g)).toHaveLength(2);
    expect(you.body).not.toContain('From the population register');

    const saved = await postForm(citizen, `/applications/${id}/pages/you`, you.body, {
      full_name: shown(you.body, 'full_name') ?? '', id_number: shown(you.body, 'id_number') ?? '',
      'date_of_birth-day': '7', 'date_of_birth-month': '3', 'date_of_birth-year': '1990', phone: '13800138000', _save: 'continue',
    });
    expect(saved.statusCode).toBe(303);
    const addresses = await citizen.get(`/applications/${id}/pages/addresses`);
    expect((await postForm(citizen, `/applications/${id}/pages/addresses`, addresses.body, {
      'hukou_address-province': '北京市', 'hukou_address-city': '北京市', 'hukou_address-district': '东城区', 'hukou_address-line1': '示例街道 1 号',
      'beijing_address-province': '北京市', 'beijing_address-city': '北京市', 'beijing_address-district': '朝阳区', 'beijing_address-line1': '建国路 1 号',
      'moved_on-day': '1', 'moved_on-month': '6', 'moved_on-year': '2024', _save: 'continue',
    })).statusCode).toBe(303);
    const basis = await citizen.get(`/applications/${id}/pages/basis`);
    expect((await postForm(citizen, `/applications/${id}/pages/basis`, basis.body, { basis: 'residence', _save: 'continue' })).statusCode).toBe(303);
    const docs = await citizen.get(`/applications/${id}/documents`);
    expect((await postMultipart(built, citizen, `/applications/${id}/documents`, docs.body, { _save: 'continue' }, {
      address_registration: { filename: 'registration.pdf', type: 'application/pdf', content: pdf() },
      basis_proof: { filename: 'tenancy.png', type: 'image/png', content: png() },
    })).statusCode).toBe(303);
    const check = await citizen.get(`/applications/${id}/check`);
    const submitted = await postForm(citizen, `/applications/${id}/submit`, check.body, { declaration: 'yes' });
    expect(submitted.statusCode).toBe(303);
    const row = await store.get(built.kernel.db, id);
    expect(row?.reference).toMatch(REFERENCE_PATTERN);
    expect(row?.answers).toMatchObject({ full_name: CITIZEN.name, id_number: CITIZEN.idNumber });
  });

  it('says "from your account" in Chinese too, and no longer once the person changes the answer', async () => {
    const start = await citizen.get(`/services/${SOLE_TRADER}/apply`);
    const id = applicationIdOf(start.headers.location);
    citizen.setCookie(LANG_COOKIE, 'zh-CN');
    const zh = await citizen.get(`/applications/${id}/pages/operator`);
    citizen.setCookie(LANG_COOKIE, 'en');
    expect(zh.body.match(/来自您的账户。/g)).toHaveLength(3);
    expect(shown(zh.body, 'operator_name')).toBe(CITIZEN.name);
    expect(shown(zh.body, 'operator_email')).toBe(CITIZEN.email);
    const operator = await citizen.get(`/applications/${id}/pages/operator`);
    expect(operator.body.match(/From your account\./g)).toHaveLength(3);
    await postForm(citizen, `/applications/${id}/pages/operator`, operator.body, {
      operator_name: '张伟伟', operator_id_number: shown(operator.body, 'operator_id_number') ?? '', operator_phone: '13800138000',
      operator_email: shown(operator.body, 'operator_email') ?? '', _save: 'continue',
    });
    const again = await citizen.get(`/applications/${id}/pages/operator`);
    expect(shown(again.body, 'operator_name')).toBe('张伟伟');
    expect(again.body.match(/From your account\./g)).toHaveLength(2);
  });

  it('fills nothing from the clerk\'s account at a counter, nor from anyone\'s through the API', async () => {
    const clerk = await personaBrowser(built, 'clerk');
    const service = (await built.services.catalog.getCurrentService(SOLE_TRADER))!;
    const page = await clerk.get('/counter');
    const started = await postForm(clerk, '/counter', page.body, { resident_id: '11010519491231002X', service: service.id });
    expect(started.statusCode).toBe(303);
    const counterId = applicationIdOf(started.headers.location);
    expect((await store.get(built.kernel.db, counterId))?.answers).toEqual({});
    const operator = await clerk.get(`/applications/${counterId}/pages/operator`);
    expect(shown(operator.body, 'operator_name') ?? '').toBe('');
    expect(operator.body).not.toContain('From your account');

    const api = await built.services.applications.startForPerson({ clientId: 'test-system', organisation: service.agencyCode }, { serviceId: service.id, idNumber: CITIZEN.idNumber ?? '', locale: 'en' });
    if (!api.ok) throw new Error('the API draft was not made');
    expect((await store.get(built.kernel.db, api.application.id))?.answers).toEqual({});
  });
});
