import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { createPrefillStore } from './prefill-store.js';
import { applicationIdOf, demoApp, pdf, personaBrowser, png, postForm, postMultipart } from './test-kit.js';

/*
 * The once-only prefill against the real registries and consent modules (the demo population
 * register and the demo agreement `prefill-population`): consent given on the prefill page, the
 * read audited for "who used my data", marks on the form and check pages, a change shown to staff,
 * a report of wrong data reaching the register's owner, and a refusal once consent is withdrawn.
 */

const SLUG = 'residence-certificate';
const CITIZEN = demoPersona('citizen');
const ID_NUMBER = '110101199003072359';

describeEachDatabase('applications: once-only prefill from the population register', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let id = '';

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
  });
  afterAll(async () => { await built.app.close(); });

  const principal = async (persona: string): Promise<Principal> => {
    const found = await built.services.identity.principal(demoPersona(persona).accountId);
    if (!found) throw new Error(`no principal for ${persona}`);
    return found;
  };
  const reads = async () => (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'registry.record.read');

  it('shows what will be read, from where and why, and asks for consent before the form', async () => {
    expect(await built.services.consent.check({ agreementId: 'prefill-population', idNumber: ID_NUMBER })).toEqual({ ok: false, reason: 'missing' });
    const start = await citizen.get(`/services/${SLUG}/apply`);
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toMatch(/\/prefill$/);
    id = applicationIdOf(start.headers.location);
    const page = await citizen.follow(start);
    expect(page.statusCode).toBe(200);
    for (const shown of ['Use your details from the population register', 'Date of birth', 'Used for: Full name', 'Beijing Municipal Public Security Bureau',
      'Personal Information Protection Law', 'Do you agree to us reading this information?', 'name="choice" type="radio" value="prefill"']) {
      expect(page.body).toContain(shown);
    }
    expect(await reads()).toEqual([]);

    const none = await postForm(citizen, `/applications/${id}/prefill`, page.body, {});
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('href="#choice"');
    expect(none.body).toContain('Select how you want to fill in the form');
  });

  it('records the consent, reads the register once (audited with purpose and organisation) and fills the form in', async () => {
    const page = await citizen.get(`/applications/${id}/prefill`);
    const chosen = await postForm(citizen, `/applications/${id}/prefill`, page.body, { choice: 'prefill' });
    expect(chosen.statusCode).toBe(303);
    expect(chosen.headers.location).toBe(`/applications/${id}/pages/you`);
    expect(await built.services.consent.check({ agreementId: 'prefill-population', idNumber: ID_NUMBER })).toEqual({ ok: true, basis: 'consent' });

    const audited = await reads();
    expect(audited).toHaveLength(1);
    expect(audited[0]?.actor).toMatchObject({ kind: 'system', organisation: '110000-PSB' });
    expect(audited[0]?.purpose).toContain('residence permit');

    const you = await citizen.follow(chosen);
    expect(you.body).toContain('value="张伟"');
    expect(you.body).toContain('From the population register.');
    // The register wins over the account for the name (ADR 70); the ID number stays the account's.
    expect(you.body.match(/From your account\./g)).toHaveLength(1);
    expect(you.body).toContain(`/applications/${id}/prefill/report?back=`);
    const addresses = await citizen.get(`/applications/${id}/pages/addresses`);
    for (const part of ['value="北京市"', 'value="东城区"', 'value="示例街道 1 号"']) expect(addresses.body).toContain(part);
    // Already decided: resuming goes to the form, not back to the prefill page.
    expect((await citizen.get(`/services/${SLUG}/apply`)).headers.location).toBe(`/applications/${id}/pages/you`);
  });

  it('keeps the record of what came from the register when the prefill page is posted again, or "by hand" is chosen after', async () => {
    const page = await citizen.get(`/applications/${id}/prefill`);
    // Another tab, or the back button: the same choice again goes on to the form and reads nothing.
    const again = await postForm(citizen, `/applications/${id}/prefill`, page.body, { choice: 'prefill' });
    expect(again.statusCode).toBe(303);
    expect(again.headers.location).toBe(`/applications/${id}/pages/you`);
    expect(await reads()).toHaveLength(1);
    const self = await postForm(citizen, `/applications/${id}/prefill`, page.body, { choice: 'self' });
    expect(self.statusCode).toBe(303);
    expect(self.headers.location).toBe(`/applications/${id}/pages/you`);
    const decided = await createPrefillStore().get(built.kernel.db, id);
    expect(decided).toMatchObject({ outcome: 'filled' });
    expect(decided?.fields.map((f) => f.field)).toEqual(['full_name', 'date_of_birth', 'hukou_address']);
    const you = await citizen.follow(self);
    expect(you.body).toContain('value="张伟"');
    expect(you.body).toContain('From the population register.');
  });

  it('marks answers from the register on the check page, and a changed one as changed', async () => {
    const you = await citizen.get(`/applications/${id}/pages/you`);
    const saved = await postForm(citizen, `/applications/${id}/pages/you`, you.body, {
      full_name: '张伟伟', id_number: ID_NUMBER, 'date_of_birth-day': '7', 'date_of_birth-month': '3', 'date_of_birth-year': '1990', phone: '13800138000', _save: 'continue',
    });
    expect(saved.statusCode).toBe(303);
    const again = await citizen.get(`/applications/${id}/pages/you`);
    expect(again.body).toContain('Changed: this answer is different from the population register.');
    const addresses = await citizen.get(`/applications/${id}/pages/addresses`);
    const moved = await postForm(citizen, `/applications/${id}/pages/addresses`, addresses.body, {
      'hukou_address-province': '北京市', 'hukou_address-city': '北京市', 'hukou_address-district': '东城区', 'hukou_address-line1': '示例街道 1 号',
      'beijing_address-province': '北京市', 'beijing_address-city': '北京市', 'beijing_address-district': '朝阳区', 'beijing_address-line1': '建国路 1 号',
      'moved_on-day': '1', 'moved_on-month': '6', 'moved_on-year': '2024', _save: 'continue',
    });
    expect(moved.statusCode).toBe(303);
    const basis = await citizen.get(`/applications/${id}/pages/basis`);
    expect((await postForm(citizen, `/applications/${id}/pages/basis`, basis.body, { basis: 'residence', _save: 'continue' })).statusCode).toBe(303);
    const docs = await citizen.get(`/applications/${id}/documents`);
    const uploaded = await postMultipart(built, citizen, `/applications/${id}/documents`, docs.body, { _save: 'continue' }, {
      address_registration: { filename: 'registration.pdf', type: 'application/pdf', content: pdf() },
      basis_proof: { filename: 'tenancy.png', type: 'image/png', content: png() },
    });
    expect(uploaded.statusCode).toBe(303);
    const check = await citizen.get(`/applications/${id}/check`);
    expect(check.body).toContain('Some answers come from the population register');
    expect(check.body.match(/>From the population register</g)).toHaveLength(2);
    expect(check.body.match(/>Changed by the applicant</g)).toHaveLength(1);
  });

  it('sends a report of wrong data to the register\'s owner as a task, after checking it', async () => {
    const form = await citizen.get(`/applications/${id}/prefill/report?back=${encodeURIComponent(`/applications/${id}/check`)}`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('name="fields" type="checkbox" value="full_name"');
    const empty = await postForm(citizen, `/applications/${id}/prefill/report`, form.body, { back: `/applications/${id}/check`, description: ' ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('href="#fields"');
    expect(empty.body).toContain('href="#description"');
    const sent = await postForm(citizen, `/applications/${id}/prefill/report`, form.body, {
      back: 'https://evil.example/', fields: 'full_name', description: 'My name is 张伟伟 since 2020.',
    });
    expect(sent.statusCode).toBe(200);
    expect(sent.body).toContain('Report sent');
    expect(sent.body).not.toContain('evil.example');
    const tasks = await built.services.registries.corrections(['110000-PSB']);
    const task = tasks.find((t) => t.description.includes('张伟伟'));
    expect(task).toMatchObject({ registry: 'population', items: ['name'] });
    expect(sent.body).toContain(task?.id ?? 'no task');
  });

  it('shows staff which answers came from the register and which the applicant changed', async () => {
    const check = await citizen.get(`/applications/${id}/check`);
    const submitted = await postForm(citizen, `/applications/${id}/submit`, check.body, { declaration: 'yes' });
    expect(submitted.statusCode).toBe(303);
    const view = await built.services.applications.viewForStaff(id, await principal('officer'), 'Handling the application', { locale: 'en' });
    const panel = view.panels.find((p) => p.id === 'prefill');
    expect(panel?.tone).toBe('warning');
    expect(panel?.lines).toEqual([
      'Full name: changed by the applicant; check it against the evidence',
      'Date of birth: from the register, unchanged',
      'Address of your household registration (hukou): from the register, unchanged',
    ]);
  });

  it('refuses the next prefill once consent is withdrawn, with a clear message and no read', async () => {
    await built.services.consent.withdraw({ agreementId: 'prefill-population', idNumber: ID_NUMBER, accountId: CITIZEN.accountId, channel: 'online', actor: { kind: 'person', id: CITIZEN.accountId } });
    const before = (await reads()).length;
    const start = await citizen.get(`/services/${SLUG}/apply`);
    expect(start.headers.location).toMatch(/\/prefill$/);
    const second = applicationIdOf(start.headers.location);
    expect(second).not.toBe(id);
    const page = await citizen.follow(start);
    expect(page.body).toContain('We will not read your information');
    expect(page.body).toContain('You have withdrawn your consent');
    expect(page.body).toContain('href="/account/consent"');
    expect(page.body).not.toContain('value="prefill"');

    // A page from before the withdrawal still asking to prefill is refused too.
    const stale = await postForm(citizen, `/applications/${second}/prefill`, page.body, { choice: 'prefill' });
    expect(stale.statusCode).toBe(403);
    expect(stale.body).toContain('We will not read your information');
    expect((await reads()).length).toBe(before);

    const self = await postForm(citizen, `/applications/${second}/prefill`, page.body, { choice: 'self' });
    expect(self.statusCode).toBe(303);
    expect(self.headers.location).toBe(`/applications/${second}/pages/you`);
    const you = await citizen.follow(self);
    // Nothing from the register: the name is the person's own account's (ADR 70).
    expect(you.body).not.toContain('From the population register');
    expect(you.body.match(/From your account\./g)).toHaveLength(2);
    expect(you.body).not.toMatch(/name="date_of_birth-year"[^>]*value="1990"/);
    expect((await reads()).length).toBe(before);
  });
});
