import { v4 as uuidv4 } from 'uuid';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { builtinIssuer, createIdpUserStore, DEMO_PASSWORD } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { CSRF_FIELD } from '../../ui/index.js';
import { migrationSources } from '../index.js';
import { catalogModule } from '../catalog/index.js';
import { demoPersona } from '../identity/demo-personas.js';
import { identityModule } from '../identity/index.js';

const PUBLIC_URL = 'http://tongban.test';
const AMR = '110000-AMR';
const SOLE_TRADER = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const OFFICER = 'wf-input-officer';

/**
 * The case page's forms answer any text with the form: a note or reason longer than the body
 * schema once allowed (4,000) or than the service takes (2,000), or sent twice, comes back with
 * the error summary, a link to its box and what was typed, never the generic error page.
 */
describeEachDatabase('back-office forms: long and repeated fields', migrationSources, (use) => {
  let built: Built;

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: use().database });
    await built.app.ready();
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    await catalogModule.seed?.({ kernel: built.kernel, services: built.services });
    const account = await built.services.identity.saveAccount({ kind: 'staff', name: '测试经办人' });
    await built.services.identity.grantRole(account.id, AMR, 'officer');
    await createIdpUserStore(built.kernel.db).upsert({ subject: OFFICER, name: '测试经办人', descriptionKey: 'identity.persona.officer', position: 150, password: DEMO_PASSWORD });
    await built.services.identity.linkIdentity(builtinIssuer(built.kernel.config), OFFICER, account.id);
  });

  async function startCase() {
    const service = await built.services.catalog.getServiceVersion(SOLE_TRADER, 1);
    if (!service) throw new Error('demo service missing');
    const caseId = uuidv4();
    return built.services.workflow.start(built.kernel.db, {
      caseId, reference: `TB-2026-${caseId.slice(0, 6).toUpperCase()}`, serviceId: SOLE_TRADER, serviceVersion: 1,
      agency: AMR, definition: service.definition.workflow, submittedAt: new Date(), actor: { accountId: demoPersona('citizen').accountId, role: 'applicant' },
    });
  }

  async function officer(): Promise<TestBrowser> {
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, OFFICER, { returnTo: '/backoffice' });
    await browser.get('/lang/en?next=/backoffice');
    return browser;
  }

  const expectForm = (body: string, id: string, typed: string, message: string) => {
    expect(body).toMatch(/<title>Error: /);
    expect(body).toContain(`href="#${id}"`);
    expect(body).toContain(message);
    expect(body).toContain(typed);
  };

  it('answers a note over 4,000 characters, and one sent twice, with the form and the text kept', async () => {
    const view = await startCase();
    const browser = await officer();
    const page = await browser.get(`/backoffice/cases/${view.id}`);
    for (const length of [2500, 4001]) {
      const typed = 'n'.repeat(length);
      const long = await browser.post(`/backoffice/cases/${view.id}/notes`, { [CSRF_FIELD]: csrfToken(page.body), text: typed });
      expect(long.statusCode, String(length)).toBe(422);
      expectForm(long.body, 'note-text', typed, 'The note must be 2,000 characters or fewer');
    }
    const empty = await browser.post(`/backoffice/cases/${view.id}/notes`, { [CSRF_FIELD]: csrfToken(page.body), text: ' ' });
    expectForm(empty.body, 'note-text', '', 'Enter a note of 2,000 characters or fewer');
    const twice = await browser.post(`/backoffice/cases/${view.id}/notes`, [[CSRF_FIELD, csrfToken(page.body)], ['text', 'x'.repeat(4001)], ['text', 'second']]);
    expect(twice.statusCode).toBe(422);
    expectForm(twice.body, 'note-text', 'x'.repeat(4001), 'The note must be 2,000 characters or fewer');
    const kept = await browser.post(`/backoffice/cases/${view.id}/notes`, [[CSRF_FIELD, csrfToken(page.body)], ['text', 'First note'], ['text', 'second']]);
    expect(kept.statusCode).toBe(303);
    expect((await browser.follow(kept)).body).toContain('First note');
  });

  it('answers a rejection reason over 4,000 characters, and one sent twice, with the form and the text kept', async () => {
    const view = await startCase();
    const browser = await officer();
    const page = await browser.get(`/backoffice/cases/${view.id}`);
    const claimed = await browser.post(`/backoffice/cases/${view.id}/act`, [[CSRF_FIELD, csrfToken(page.body)], ['action', 'claim'], ['action', 'claim']]);
    expect(claimed.statusCode).toBe(303);
    const claimedPage = await browser.follow(claimed);
    const typed = 'r'.repeat(4001);
    const long = await browser.post(`/backoffice/cases/${view.id}/act`, { [CSRF_FIELD]: csrfToken(claimedPage.body), action: 'reject', reason: typed });
    expect(long.statusCode).toBe(422);
    expectForm(long.body, 'reason-reject', typed, 'Enter a reason of 2,000 characters or fewer');
    const twice = await browser.post(`/backoffice/cases/${view.id}/act`, [[CSRF_FIELD, csrfToken(claimedPage.body)], ['action', 'reject'], ['reason', typed], ['reason', 'short']]);
    expect(twice.statusCode).toBe(422);
    expectForm(twice.body, 'reason-reject', typed, 'Enter a reason of 2,000 characters or fewer');
  });
});
