import { sql } from 'kysely';
import { v4 as uuidv4 } from 'uuid';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { builtinIssuer, createIdpUserStore, DEMO_PASSWORD, SESSION_COOKIE, type StaffRole } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { CSRF_FIELD } from '../../ui/index.js';
import { migrationSources } from '../index.js';
import { catalogModule } from '../catalog/index.js';
import { demoPersona } from '../identity/demo-personas.js';
import { identityModule } from '../identity/index.js';
import { countdown } from './calendar.js';
import type { WorkflowDefinition } from './service.js';

const PUBLIC_URL = 'http://tongban.test';
const AMR = '110000-AMR';
const SOLE_TRADER = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
/** Staff of our own, so that changes to the demo personas' roles do not move these tests. */
const STAFF = {
  officer: { subject: 'wf-officer', name: '测试经办人', role: 'officer' },
  supervisor: { subject: 'wf-supervisor', name: '测试主管', role: 'supervisor' },
  clerk: { subject: 'wf-clerk', name: '测试窗口', role: 'clerk' },
} as const satisfies Record<string, { subject: string; name: string; role: StaffRole }>;
const DAY = 86_400_000;

describeEachDatabase('back-office pages', migrationSources, (use) => {
  let built: Built;
  let definition: WorkflowDefinition;
  const accounts = new Map<string, string>();
  const officerId = () => accounts.get(STAFF.officer.subject) ?? '';
  const clock = { t: Date.now(), now: () => new Date(clock.t) };

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: use().database, now: clock.now });
    await built.app.ready();
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    await catalogModule.seed?.({ kernel: built.kernel, services: built.services });
    const idp = createIdpUserStore(built.kernel.db);
    for (const [position, member] of Object.values(STAFF).entries()) {
      const account = await built.services.identity.saveAccount({ kind: 'staff', name: member.name });
      await built.services.identity.grantRole(account.id, AMR, member.role);
      await idp.upsert({ subject: member.subject, name: member.name, descriptionKey: 'identity.persona.officer', position: 100 + position, password: DEMO_PASSWORD });
      await built.services.identity.linkIdentity(builtinIssuer(built.kernel.config), member.subject, account.id);
      accounts.set(member.subject, account.id);
    }
    const service = await built.services.catalog.getServiceVersion(SOLE_TRADER, 1);
    if (!service) throw new Error('demo service missing');
    definition = service.definition.workflow;
  });

  async function startCase(options: { agency?: string; daysAgo?: number; minutesAgo?: number; reference?: string } = {}) {
    const caseId = uuidv4();
    return built.services.workflow.start(built.kernel.db, {
      caseId, reference: options.reference ?? `TB-2026-${caseId.slice(0, 6).toUpperCase()}`, serviceId: SOLE_TRADER, serviceVersion: 1,
      agency: options.agency ?? AMR, definition, submittedAt: new Date(clock.t - (options.daysAgo ?? 0) * DAY - (options.minutesAgo ?? 0) * 60_000),
      actor: { accountId: demoPersona('citizen').accountId, role: 'applicant' },
    });
  }

  /** Signed in as a persona; in English unless asked otherwise, so assertions read plainly. */
  async function as(persona: string, language: 'en' | 'zh-CN' = 'en'): Promise<TestBrowser> {
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, persona, { returnTo: '/backoffice' });
    await browser.get(`/lang/${language}?next=/backoffice`);
    return browser;
  }

  it('sends an anonymous visitor to sign in, and refuses people who handle no cases (a citizen, a counter clerk)', async () => {
    const anonymous = await built.app.inject({ url: '/backoffice', headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/auth\/signin\?returnTo=%2Fbackoffice/);
    for (const persona of ['citizen', STAFF.clerk.subject]) {
      const page = await (await as(persona)).get('/backoffice');
      expect(page.statusCode).toBe(403);
    }
  });

  it('lists the agency\'s cases with a countdown in words, in both languages, and filters, sorts and pages them', async () => {
    const fresh = await startCase({ reference: 'TB-2026-FRESH1' });
    const late = await startCase({ reference: 'TB-2026-LATE22', daysAgo: 30 });
    const other = await startCase({ reference: 'TB-2026-OTHER3', agency: '110000-PSB' });
    const officer = await as(STAFF.officer.subject, 'zh-CN');
    const zh = await officer.get('/backoffice');
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('TB-2026-FRESH1');
    expect(zh.body).toContain('TB-2026-LATE22');
    expect(zh.body).not.toContain(other.reference);
    expect(zh.body).toContain('个体工商户'); // the service's name from the catalog
    const lateBy = countdown(clock.now(), late.dueAt);
    const freshLeft = countdown(clock.now(), fresh.dueAt);
    if (lateBy.kind !== 'overdue' || freshLeft.kind !== 'left') throw new Error('unexpected deadlines');
    expect(zh.body).toContain(`已超期 ${lateBy.days} 天`);
    expect(zh.body).toContain(`剩余 ${freshLeft.workingDays} 个工作日`);
    const en = await officer.get('/backoffice?lang=en');
    expect(en.body).toContain(`Overdue by ${lateBy.days} days`);
    expect(en.body).toContain(`${freshLeft.workingDays} working day${freshLeft.workingDays === 1 ? '' : 's'} left`);
    // The overdue tag has words, not only a colour.
    expect(en.body).toMatch(/<strong class="tb-tag tb-tag--red">Overdue<\/strong>/);

    const overdueOnly = await officer.get('/backoffice?show=overdue&lang=en');
    expect(overdueOnly.body).toContain('TB-2026-LATE22');
    expect(overdueOnly.body).not.toContain('TB-2026-FRESH1');
    const byDue = await officer.get('/backoffice?sort=due');
    expect(byDue.body.indexOf('TB-2026-LATE22')).toBeLessThan(byDue.body.indexOf('TB-2026-FRESH1'));

    // Oldest first: LATE22, PAGE00 to PAGE19, FRESH1; twenty a page.
    for (let i = 0; i < 20; i += 1) await startCase({ reference: `TB-2026-PAGE${String(i).padStart(2, '0')}`, minutesAgo: 20 - i });
    const first = await officer.get('/backoffice?sort=submitted&lang=en');
    expect(first.body).toContain('href="/backoffice?sort=submitted&amp;page=2"');
    const second = await officer.get('/backoffice?sort=submitted&page=2&lang=en');
    expect(second.body).toContain('TB-2026-PAGE19');
    expect(second.body).toContain('TB-2026-FRESH1');
    expect(second.body).not.toContain('TB-2026-PAGE18');
    expect(second.body).toContain('aria-current="page"');
  });

  it('claims, asks for information, keeps an empty rejection reason from going through, and rejects with a reason', async () => {
    const view = await startCase({ reference: 'TB-2026-CLAIM1' });
    const officer = await as(STAFF.officer.subject);
    const page = await officer.get(`/backoffice/cases/${view.id}?lang=en`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Case TB-2026-CLAIM1');
    expect(page.body).toContain('name="action" value="claim"');
    // These cases have no application behind them: the page says so and still lets the officer work.
    expect(page.body).toContain('The application’s answers and documents cannot be shown here.');
    const claimed = await officer.post(`/backoffice/cases/${view.id}/act`, { [CSRF_FIELD]: csrfToken(page.body), action: 'claim' });
    expect(claimed.statusCode).toBe(303);
    const after = await officer.follow(claimed);
    expect(after.body).toContain('Recorded: Claim');
    expect(after.body).toContain('name="action" value="request_info"');
    expect(after.body).toContain('name="action" value="reject"');

    const empty = await officer.post(`/backoffice/cases/${view.id}/act`, { [CSRF_FIELD]: csrfToken(after.body), action: 'reject', reason: '   ' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#reason-reject"');
    expect(empty.body).toContain('Enter a reason');
    const asked = await officer.post(`/backoffice/cases/${view.id}/act`, { [CSRF_FIELD]: csrfToken(empty.body), action: 'request_info', reason: 'Upload the lease of the shop' });
    expect(asked.statusCode).toBe(303);
    await built.services.workflow.act(undefined, {
      caseId: view.id, action: 'answer_info', actor: { accountId: demoPersona('citizen').accountId, roles: [] }, applicantAccountId: demoPersona('citizen').accountId,
    });
    const back = await officer.get(`/backoffice/cases/${view.id}?lang=en`);
    const rejected = await officer.post(`/backoffice/cases/${view.id}/act`, { [CSRF_FIELD]: csrfToken(back.body), action: 'reject', reason: 'The shop is not in Beijing' });
    const final = await officer.follow(rejected);
    expect(final.body).toContain('The shop is not in Beijing');
    expect(final.body).toContain('Upload the lease of the shop');
    expect(final.body).toContain('There is nothing you can do on this case now.');
    expect((await built.services.workflow.getCase(view.id)).status).toBe('rejected');
  });

  it('tells an officer who was beaten to a claim that the case changed, and lets a supervisor release it', async () => {
    const view = await startCase({ reference: 'TB-2026-RACE01' });
    const officer = await as(STAFF.officer.subject);
    const page = await officer.get(`/backoffice/cases/${view.id}?lang=en`);
    await built.services.workflow.act(undefined, { caseId: view.id, action: 'claim', actor: { accountId: 'someone-else', roles: [{ agency: AMR, role: 'officer' }] } });
    const late = await officer.post(`/backoffice/cases/${view.id}/act`, { [CSRF_FIELD]: csrfToken(page.body), action: 'claim' });
    expect(late.statusCode).toBe(409);
    expect(late.body).toContain('The case changed before your action was recorded');
    expect(late.body).not.toContain('name="action" value="release"');
    const supervisor = await as(STAFF.supervisor.subject);
    const supervisorPage = await supervisor.get(`/backoffice/cases/${view.id}?lang=en`);
    expect(supervisorPage.body).toContain('name="action" value="release"');
    const queue = await supervisor.get('/backoffice?lang=en');
    expect(queue.body).toContain('Cases needing a supervisor');
  });

  it('keeps internal notes, refuses an empty one with the error next to the box, and checks the CSRF token', async () => {
    const view = await startCase({ reference: 'TB-2026-NOTES1' });
    const officer = await as(STAFF.officer.subject);
    const page = await officer.get(`/backoffice/cases/${view.id}?lang=en`);
    const added = await officer.post(`/backoffice/cases/${view.id}/notes`, { [CSRF_FIELD]: csrfToken(page.body), text: 'Phoned the applicant <b>today</b>' });
    const shown = await officer.follow(added);
    expect(shown.body).toContain('Note added');
    expect(shown.body).toContain('Phoned the applicant &lt;b>today&lt;/b>');
    expect(shown.body).toContain(STAFF.officer.name);
    const empty = await officer.post(`/backoffice/cases/${view.id}/notes`, { [CSRF_FIELD]: csrfToken(shown.body), text: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#note-text"');
    const forged = await officer.post(`/backoffice/cases/${view.id}/notes`, { text: 'no token' });
    expect(forged.statusCode).toBe(403);
    expect((await built.services.workflow.listNotes(view.id, { accountId: officerId(), roles: [{ agency: AMR, role: 'officer' }] })).map((n) => n.text)).toEqual(['Phoned the applicant <b>today</b>']);
  });

  it('hides a case of another agency, and answers the JSON API', async () => {
    const theirs = await startCase({ agency: '110000-PSB' });
    const ours = await startCase({ reference: 'TB-2026-API001' });
    const officer = await as(STAFF.officer.subject);
    expect((await officer.get(`/backoffice/cases/${theirs.id}`)).statusCode).toBe(404);
    expect((await officer.get('/backoffice/cases/not-a-case')).statusCode).toBe(404);
    const cookie = `${SESSION_COOKIE}=${officer.cookie(SESSION_COOKIE) ?? ''}`;
    const api = (method: 'GET' | 'POST', url: string, payload?: object) =>
      built.app.inject({ method, url, headers: { cookie, accept: 'application/json' }, ...(payload ? { payload } : {}) });
    const queue = await api('GET', '/api/workflow/queue?sort=submitted&pageSize=100');
    expect(queue.statusCode).toBe(200);
    const ids = (queue.json<{ items: { id: string }[] }>()).items.map((c) => c.id);
    expect(ids).toContain(ours.id);
    expect(ids).not.toContain(theirs.id);
    expect((await api('GET', '/api/workflow/queue?agency=110000-PSB')).statusCode).toBe(403);
    expect((await api('GET', `/api/workflow/cases/${theirs.id}`)).json<{ code: string }>().code).toBe('TB_WORKFLOW_NOT_FOUND');
    const claimed = await api('POST', `/api/workflow/cases/${ours.id}/actions`, { action: 'claim' });
    expect(claimed.statusCode).toBe(200);
    expect(claimed.json<{ status: string; assignee: string; availableActions: string[] }>()).toMatchObject({ status: 'in_review', assignee: officerId(), availableActions: ['release', 'request_info', 'approve', 'reject'] });
    const again = await api('POST', `/api/workflow/cases/${ours.id}/actions`, { action: 'claim' });
    expect(again.statusCode).toBe(409);
    expect(again.json<{ code: string }>().code).toBe('TB_WORKFLOW_ACTION_NOT_ALLOWED');
    expect((await api('POST', `/api/workflow/cases/${ours.id}/actions`, { action: 'reject' })).statusCode).toBe(422);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tb_audit_record where resource_id = ${ours.id} and action = 'workflow.claim'`.execute(built.kernel.db);
    expect(rows[0]?.n).toBe(1);
  });
});
