import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { accountPrincipal, submitResidenceApplication } from '../scheduling/test-kit.js';
import { demoApp, personaBrowser, postForm, PUBLIC_URL } from './test-kit.js';

const PSB = '110000-PSB';
const ZHANG_WEI = demoPersona('citizen');
const CLERK = demoPersona('clerk');

/**
 * Visits at the counter on the real app with the demo catalog: the residence permit's
 * `record_visit`, a clerk's step, found by the person's ID number and recorded by a clerk of the
 * case's agency; refused to another agency's clerk, to staff who are not clerks, on the clerk's
 * own application and a second time.
 */
describeEachDatabase('applications: visits at the counter', migrationSources, (use) => {
  let built: Built;
  let clerk: TestBrowser;
  let citizen: Principal;
  let officer: Principal;
  const pages: [string, string][] = [];

  /** A residence application of `person` that the officer has sent to the counter for the visit. */
  async function awaitingVisit(person: Principal): Promise<{ id: string; reference: string }> {
    const made = await submitResidenceApplication(built, person);
    for (const action of ['claim', 'request_visit']) await built.services.workflow.act(undefined, { caseId: made.id, action, actor: officer });
    return made;
  }

  const visitReads = async (id: string) => (await sql<{ actor_kind: string; actor_id: string; actor_organisation: string; subject: string | null; purpose: string }>`
    select actor_kind, actor_id, actor_organisation, subject, purpose from tb_audit_record
    where action = 'application.view' and resource_id = ${id} and purpose = 'Person at the counter'`.execute(built.kernel.db)).rows;

  beforeAll(async () => {
    built = await demoApp(use());
    clerk = await personaBrowser(built, 'clerk');
    citizen = await accountPrincipal(built, ZHANG_WEI.accountId);
    officer = await accountPrincipal(built, demoPersona('officer').accountId);
  });
  afterAll(async () => { await built.app.close(); });

  it('is for clerks only, and linked from their home page', async () => {
    for (const persona of ['citizen', 'officer']) {
      const browser = await personaBrowser(built, persona);
      expect((await browser.get('/counter/visits')).statusCode).toBe(403);
      const home = await browser.get('/');
      expect(home.body).not.toContain('href="/counter/visits"');
      // A form posted all the same (with a token of a page they may open) is refused too.
      expect((await postForm(browser, '/counter/visits', home.body, { person: ZHANG_WEI.idNumber ?? '' })).statusCode).toBe(403);
    }
    expect((await clerk.get('/')).body).toContain('href="/counter/visits"');
  });

  it('shows another agency’s clerk nothing of the case, and does not let them record its step', async () => {
    // 王芳 is a clerk of Civil Affairs; the residence permit is the Public Security Bureau's.
    const { id, reference } = await awaitingVisit(citizen);
    const page = await clerk.get('/counter/visits');
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(reference);
    const found = await postForm(clerk, '/counter/visits', page.body, { person: ZHANG_WEI.idNumber ?? '' });
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('No case waits for a step at this counter');
    expect(found.body).not.toContain(reference);
    expect((await postForm(clerk, '/counter/visits', page.body, { person: reference })).body).toContain('No case waits for a step at this counter');
    expect((await clerk.get(`/counter/visits/${id}`)).statusCode).toBe(404);
    expect((await postForm(clerk, `/counter/visits/${id}`, page.body, { action: 'record_visit' })).statusCode).toBe(404);
    // The workflow refuses it as well, whoever asks.
    const cabClerk = await accountPrincipal(built, CLERK.accountId);
    await expect(built.services.workflow.act(undefined, { caseId: id, action: 'record_visit', actor: cabClerk })).rejects.toMatchObject({ code: 'TB_WORKFLOW_FORBIDDEN' });
    expect((await built.services.workflow.getCase(id)).status).toBe('awaiting_visit');
    expect(await visitReads(id)).toEqual([]);
  });

  it('refuses an ID number that is not a real one, or none, with an error summary and the field error', async () => {
    const page = await clerk.get('/counter/visits');
    for (const [typed, message] of [['110101199003072358', 'Enter a real resident ID number'], ['', 'Enter the person’s ID number'], ['TB-2026-0000', 'Enter a real resident ID number']] as const) {
      const refused = await postForm(clerk, '/counter/visits', page.body, { person: typed });
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain('class="tb-error-summary"');
      expect(refused.body).toContain('href="#person"');
      expect(refused.body).toContain(message);
      // What was typed stays in the box.
      if (typed !== '') expect(refused.body).toContain(`value="${typed}"`);
      pages.push([`visits: ${typed === '' ? 'no' : 'wrong'} ID number`, refused.body]);
    }
  });

  it('finds the person’s waiting case by ID number for a clerk of its agency, audited, and records the visit', async () => {
    await built.services.identity.grantRole(CLERK.accountId, PSB, 'clerk');
    const { id, reference } = await awaitingVisit(citizen);
    const page = await clerk.get('/counter/visits');
    // The list of cases waiting names no one.
    expect(page.body).toContain(`href="/counter/visits/${id}"`);
    expect(page.body).toContain(reference);
    expect(page.body).not.toContain(ZHANG_WEI.name);
    expect(await visitReads(id)).toEqual([]);
    pages.push(['visits: the list', page.body]);

    const found = await postForm(clerk, '/counter/visits', page.body, { person: `${(ZHANG_WEI.idNumber ?? '').slice(0, 6)} ${(ZHANG_WEI.idNumber ?? '').slice(6)}` });
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain(ZHANG_WEI.name);
    expect(found.body).toContain(reference);
    expect(found.body).toContain('Apply for a residence permit');
    expect(found.body).toContain(`action="/counter/visits/${id}"`);
    expect(found.body).toContain('name="action" value="record_visit"');
    expect(found.body).toContain('Record the visit');
    // The ID number went in the body, never an address; the read is the person's to see.
    expect(await visitReads(id)).toEqual([{ actor_kind: 'staff', actor_id: CLERK.accountId, actor_organisation: PSB, subject: ZHANG_WEI.accountId, purpose: 'Person at the counter' }]);
    pages.push(['visits: the person’s case', found.body]);

    const done = await postForm(clerk, `/counter/visits/${id}`, found.body, { action: 'record_visit' });
    expect(done.statusCode).toBe(303);
    expect(done.headers.location).toBe(`/counter/visits?recorded=${id}&action=record_visit`);
    const banner = await clerk.follow(done);
    expect(banner.body).toContain('tb-notification-banner--success');
    expect(banner.body).toContain(`Record the visit: recorded for ${reference}`);
    pages.push(['visits: recorded', banner.body]);
    const kase = await built.services.workflow.getCase(id);
    expect(kase.status).toBe('visit_done');
    expect(kase.history.at(-1)).toMatchObject({ action: 'record_visit', actor: { kind: 'staff', id: CLERK.accountId, role: 'clerk' } });
    const records = await sql<{ actor_id: string; actor_organisation: string; subject: string }>`
      select actor_id, actor_organisation, subject from tb_audit_record where action = 'workflow.record_visit' and resource_id = ${id}`.execute(built.kernel.db);
    expect(records.rows).toEqual([{ actor_id: CLERK.accountId, actor_organisation: PSB, subject: ZHANG_WEI.accountId }]);

    // A second click (the page from before): said to be recorded already, not a raw 409 page.
    const again = await postForm(clerk, `/counter/visits/${id}`, found.body, { action: 'record_visit' });
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('class="tb-error-summary"');
    expect(again.body).toContain('This step has already been recorded for this case');
    pages.push(['visits: recorded already', again.body]);
    // Nothing waits for this person any more; an officer's step is not the clerk's to take.
    expect((await postForm(clerk, '/counter/visits', page.body, { person: reference })).body).toContain('No case waits for a step at this counter');
    const approve = await postForm(clerk, `/counter/visits/${id}`, found.body, { action: 'approve' });
    expect(approve.statusCode).toBe(409);
    expect(approve.body).toContain('You cannot record this step on this case now');
    expect((await built.services.workflow.getCase(id)).status).toBe('visit_done');
  });

  it('finds a case by its reference too, and offers the clerk no step on their own application', async () => {
    const { id, reference } = await awaitingVisit(citizen);
    const page = await clerk.get(`/counter/visits/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).not.toContain(ZHANG_WEI.name);
    pages.push(['visits: one case', page.body]);
    const found = await postForm(clerk, '/counter/visits', page.body, { person: reference.toLowerCase() });
    expect(found.body).toContain(`action="/counter/visits/${id}"`);

    const self = await accountPrincipal(built, CLERK.accountId);
    const own = await awaitingVisit(self);
    const ownPage = await clerk.get(`/counter/visits/${own.id}`);
    expect(ownPage.body).not.toContain('name="action"');
    expect(ownPage.body).toContain('No step waits at this counter for this case');
    const refused = await postForm(clerk, `/counter/visits/${own.id}`, ownPage.body, { action: 'record_visit' });
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toContain('This is your own application. Another member of staff must record this step');
    pages.push(['visits: own application', refused.body]);
    expect((await built.services.workflow.getCase(own.id)).status).toBe('awaiting_visit');
  });

  it('is in Chinese by default and in English with the en locale', async () => {
    const chinese = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(chinese, 'clerk');
    const zh = await chinese.get('/counter/visits');
    expect(zh.body).toContain('<html lang="zh-CN"');
    expect(zh.body).toContain('窗口现场办理');
    expect(zh.body).toContain('身份证号码或申请编号');
    pages.push(['visits: the list (zh-CN)', zh.body]);
    const refused = await postForm(chinese, '/counter/visits', zh.body, { person: '123' });
    expect(refused.body).toContain('请输入真实有效的 18 位居民身份证号码');
    pages.push(['visits: wrong ID number (zh-CN)', refused.body]);
    const en = await clerk.get('/counter/visits');
    expect(en.body).toContain('<html lang="en"');
    expect(en.body).toContain('Visits at the counter');
  });

  it('passes axe (WCAG 2.2 AA) in Chromium: the list, the results, the errors and the refusals', async () => {
    expect(pages.length).toBeGreaterThan(8);
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  }, 180_000);
});
