import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { DEMO_AGREEMENT_INPUTS, DEMO_AGREEMENTS } from '../consent/demo.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { createPrefillStore } from './prefill-store.js';
import { applicationIdOf, demoApp, personaBrowser, postForm } from './test-kit.js';

/*
 * The prefill when the data agreement changes under a draft (docs/adr/0019): a new version that no
 * longer lists an item the service reads refuses the read (nothing read, no consent recorded), and
 * a retired agreement is said to be not in force, never that the person withdrew their consent.
 */

const SLUG = 'residence-certificate';
const CITIZEN = demoPersona('citizen');
const ID_NUMBER = '110101199003072359';
const ADMIN = { actor: { kind: 'system' as const, id: 'test' }, may: () => true };

describeEachDatabase('applications: prefill when the data agreement changes', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let id = '';
  let stale = '';

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    const start = await citizen.get(`/services/${SLUG}/apply`);
    id = applicationIdOf(start.headers.location);
    stale = (await citizen.follow(start)).body;
    expect(stale).toContain('value="prefill"');
  });
  afterAll(async () => { await built.app.close(); });

  const reads = async () => (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'registry.record.read');
  const decision = () => createPrefillStore().get(built.kernel.db, id);

  it('refuses to read an item the agreement no longer lists, and asks no consent for it', async () => {
    const input = DEMO_AGREEMENT_INPUTS.find((a) => a.id === DEMO_AGREEMENTS.prefill)!;
    await built.services.consent.saveAgreement({ ...input, items: ['name', 'dateOfBirth'] }, ADMIN);

    const page = await citizen.get(`/applications/${id}/prefill`);
    expect(page.body).toContain('does not cover all the information this form needs');
    expect(page.body).not.toContain('value="prefill"');

    // A page from before the change still asking to prefill.
    const refused = await postForm(citizen, `/applications/${id}/prefill`, stale, { choice: 'prefill' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('does not cover all the information this form needs');
    expect(refused.body).not.toContain('You have withdrawn');
    expect(await decision()).toMatchObject({ outcome: 'refused', reason: 'items_not_covered', fields: [] });
    expect(await reads()).toEqual([]);
    expect(await built.services.consent.check({ agreementId: DEMO_AGREEMENTS.prefill, idNumber: ID_NUMBER })).toEqual({ ok: false, reason: 'missing' });
  });

  it('refuses to publish the service with an item the agreement in force does not list', async () => {
    const version = (await built.services.catalog.getCurrentService(SLUG))!;
    await expect(built.services.catalog.publishDefinition(version.definition, { kind: 'system', id: 'test' }, () => true)).rejects.toMatchObject({
      code: 'TB_CATALOG_INVALID_DEFINITION', fields: [{ pointer: '/prefill/fields/2/item', params: { item: 'householdAddress' } }],
    });
  });

  it('says a retired agreement is not in force, in English and Chinese, not that consent was withdrawn', async () => {
    await built.services.consent.retireAgreement(DEMO_AGREEMENTS.prefill, ADMIN);
    const refused = await postForm(citizen, `/applications/${id}/prefill`, stale, { choice: 'prefill' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('The data agreement that allows us to read this information is not in force.');
    expect(refused.body).not.toContain('We will not read your information');
    expect(refused.body).not.toContain('You have withdrawn');
    expect(await decision()).toMatchObject({ outcome: 'refused', reason: 'unknown_agreement' });

    citizen.setCookie(LANG_COOKIE, 'zh-CN');
    const zh = await postForm(citizen, `/applications/${id}/prefill`, stale, { choice: 'prefill' });
    expect(zh.statusCode).toBe(403);
    expect(zh.body).toContain('允许读取这些信息的数据协议未生效。');
    expect(zh.body).not.toContain('您已撤回');
    citizen.setCookie(LANG_COOKIE, 'en');
    expect(await reads()).toEqual([]);

    const self = await postForm(citizen, `/applications/${id}/prefill`, stale, { choice: 'self' });
    expect(self.statusCode).toBe(303);
    expect(self.headers.location).toBe(`/applications/${id}/pages/you`);
  });
});
