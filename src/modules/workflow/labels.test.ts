import { v4 as uuidv4 } from 'uuid';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { builtinIssuer, createIdpUserStore, DEMO_PASSWORD } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { CSRF_FIELD } from '../../ui/index.js';
import { BUILT_IN_ACTIONS, catalogModule } from '../catalog/index.js';
import { demoPersona } from '../identity/demo-personas.js';
import { identityModule } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { ACTION_LABELS } from './messages.js';
import type { WorkflowDefinition } from './service.js';

const PUBLIC_URL = 'http://tongban.test';
/** The demo building planning permit: its officers schedule and complete a site inspection. */
const PERMIT = 'db68944b-a0fc-4f34-9adf-6b10a1914f8d';
const HUC = '110000-HUC';
const OFFICER = { subject: 'wf-label-officer', name: '测试规划经办人' };

describe('built-in actions', () => {
  it('are the ones the workflow module labels, so the catalog asks a label for every other one', () => {
    expect([...BUILT_IN_ACTIONS].sort()).toEqual(Object.keys(ACTION_LABELS).sort());
  });
});

describeEachDatabase('a service\'s own workflow actions', migrationSources, (use) => {
  let built: Built;
  let definition: WorkflowDefinition;

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: use().database });
    await built.app.ready();
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    await catalogModule.seed?.({ kernel: built.kernel, services: built.services });
    const account = await built.services.identity.saveAccount({ kind: 'staff', name: OFFICER.name });
    await built.services.identity.grantRole(account.id, HUC, 'officer');
    await createIdpUserStore(built.kernel.db).upsert({ subject: OFFICER.subject, name: OFFICER.name, descriptionKey: 'identity.persona.officer', position: 200, password: DEMO_PASSWORD });
    await built.services.identity.linkIdentity(builtinIssuer(built.kernel.config), OFFICER.subject, account.id);
    const service = await built.services.catalog.getServiceVersion(PERMIT, 1);
    if (!service) throw new Error('demo service missing');
    definition = service.definition.workflow;
  });

  async function startCase(reference: string, snapshot: WorkflowDefinition) {
    return built.services.workflow.start(built.kernel.db, {
      caseId: uuidv4(), reference, serviceId: PERMIT, serviceVersion: 1, agency: HUC, definition: snapshot, submittedAt: new Date(),
      actor: { accountId: demoPersona('citizen').accountId, role: 'applicant' },
    });
  }

  async function officer(language: 'en' | 'zh-CN'): Promise<TestBrowser> {
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, OFFICER.subject, { returnTo: '/backoffice' });
    await browser.get(`/lang/${language}?next=/backoffice`);
    return browser;
  }

  /** The case claimed by the officer, whose page now offers the inspection. */
  async function claimed(browser: TestBrowser, id: string) {
    const page = await browser.get(`/backoffice/cases/${id}`);
    return browser.follow(await browser.post(`/backoffice/cases/${id}/act`, { [CSRF_FIELD]: csrfToken(page.body), action: 'claim' }));
  }

  it('shows the labels the definition gives them on the buttons, the banner and the history, in Chinese and English', async () => {
    const view = await startCase('TB-2026-LABEL1', definition);
    const zh = await officer('zh-CN');
    const page = await claimed(zh, view.id);
    expect(page.body).toContain('name="action" value="schedule_inspection"');
    expect(page.body).toMatch(/<button[^>]*>安排现场踏勘<\/button>/);
    const done = await zh.follow(await zh.post(`/backoffice/cases/${view.id}/act`, { [CSRF_FIELD]: csrfToken(page.body), action: 'schedule_inspection' }));
    expect(done.body).toContain('已记录：安排现场踏勘');
    expect(done.body).toMatch(/<button[^>]*>完成现场踏勘<\/button>/);
    expect(done.body).toMatch(/<td[^>]*>安排现场踏勘<\/td>/); // the history's "what" column
    expect(done.body).not.toMatch(/>schedule_inspection</);

    const en = await (await officer('en')).get(`/backoffice/cases/${view.id}`);
    expect(en.body).toMatch(/<button[^>]*>Finish the site inspection<\/button>/);
    expect(en.body).toMatch(/<td[^>]*>Arrange a site inspection<\/td>/);
    expect(en.body).not.toMatch(/>(schedule|complete)_inspection</);
    // Machine APIs keep the ids.
    expect((await built.services.workflow.getCase(view.id)).history.map((h) => h.action)).toContain('schedule_inspection');
  });

  it('names the action in its reason label, and shows the id for a case whose snapshot has no labels', async () => {
    const needsReason: WorkflowDefinition = { ...definition, transitions: definition.transitions.map((t) => (t.action === 'schedule_inspection' ? { ...t, needsReason: true } : t)) };
    const reasoned = await startCase('TB-2026-LABEL2', needsReason);
    const en = await officer('en');
    expect((await claimed(en, reasoned.id)).body).toContain('Reason for “Arrange a site inspection”');
    const zh = await (await officer('zh-CN')).get(`/backoffice/cases/${reasoned.id}`);
    expect(zh.body).toContain('“安排现场踏勘”的理由');

    // Started before labels existed: its snapshot has none, and the id is all there is to show.
    const unlabelled: WorkflowDefinition = { ...definition, transitions: definition.transitions.map(({ label: _label, ...t }) => t) };
    const old = await startCase('TB-2026-LABEL3', unlabelled);
    const oldPage = await claimed(en, old.id);
    expect(oldPage.body).toMatch(/<button[^>]*>schedule_inspection<\/button>/);
    expect(oldPage.body).toMatch(/<button[^>]*>Approve<\/button>/);
  });
});
