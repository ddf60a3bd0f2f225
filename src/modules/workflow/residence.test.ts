import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE, type Principal } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { CSRF_FIELD } from '../../ui/index.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { accountPrincipal, PUBLIC_URL, schedulingApp, submitResidenceApplication, testClock } from '../scheduling/test-kit.js';
import { dueDay } from './service.js';

const PSB = '110000-PSB';

/**
 * The back office on the real app with the demo catalog: the residence permit's in-person visit,
 * staff and their own applications, long reasons, and the supervisors' mail of a missed deadline.
 */
describeEachDatabase('back office: visits, own applications, reasons and escalations', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, demoPersona('citizen').accountId);
  });
  afterAll(async () => { await built?.app.close(); });

  async function staff(persona: string): Promise<{ browser: TestBrowser; api: (method: 'GET' | 'POST', url: string, payload?: object) => Promise<LightMyRequestResponse> }> {
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    browser.setCookie(LANG_COOKIE, 'en');
    await signIn(browser, persona, { returnTo: '/backoffice' });
    const cookie = `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE) ?? ''}`;
    return { browser, api: (method, url, payload) => built.app.inject({ method, url, headers: { cookie, accept: 'application/json' }, ...(payload ? { payload } : {}) }) };
  }

  /** Takes an action with the case page's form, as the officer's browser does. */
  async function act(browser: TestBrowser, caseId: string, action: string, reason?: string) {
    const page = await browser.get(`/backoffice/cases/${caseId}`);
    expect(page.body).toContain(`name="action" value="${action}"`);
    return browser.post(`/backoffice/cases/${caseId}/act`, { [CSRF_FIELD]: csrfToken(page.body), action, ...(reason === undefined ? {} : { reason }) });
  }

  it('lets the officer handling a residence permit ask for the visit, record it and grant the permit in the back office', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const { browser } = await staff('officer');
    for (const action of ['claim', 'request_visit', 'record_visit', 'approve']) {
      const done = await act(browser, id, action);
      expect(done.statusCode).toBe(303);
    }
    const kase = await built.services.workflow.getCase(id);
    expect(kase).toMatchObject({ status: 'approved', final: true });
    expect(kase.history.map((h) => [h.action, h.actor.role])).toEqual([
      ['submit', 'applicant'], ['claim', 'officer'], ['request_visit', 'officer'], ['record_visit', 'officer'], ['approve', 'officer'],
    ]);
    // Each of the officer's actions is on 张伟's "who used my data" (his own submission is not).
    const audited = await sql<{ action: string; subject: string | null; actor_kind: string }>`
      select action, subject, actor_kind from tb_audit_record where resource_id = ${id} and action like 'workflow.%' and action <> 'workflow.start'`.execute(built.kernel.db);
    expect(audited.rows.map((r) => r.action).sort()).toEqual(['workflow.approve', 'workflow.claim', 'workflow.record_visit', 'workflow.request_visit']);
    expect(new Set(audited.rows.map((r) => `${r.subject}/${r.actor_kind}`))).toEqual(new Set([`${citizen.accountId}/staff`]));
    const zhang = createTestBrowser(built.app, PUBLIC_URL);
    zhang.setCookie(LANG_COOKIE, 'en');
    await signIn(zhang, 'citizen', { returnTo: '/my-data/accesses' });
    expect((await zhang.get('/my-data/accesses')).body).toContain('Worked on your application');
  });

  it('refuses staff every action on their own application, on the page and in the API, with its own code', async () => {
    const officer = await accountPrincipal(built, demoPersona('officer').accountId);
    // Staff may apply online for themselves, as anyone may; it is deciding that is refused.
    const { id, reference } = await submitResidenceApplication(built, officer);
    const { browser, api } = await staff('officer');
    const page = await browser.get(`/backoffice/cases/${id}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('This is your own application. Another officer must handle it');
    expect(page.body).not.toContain('name="action" value="claim"');
    // A form from before (or forged) is refused all the same.
    const posted = await browser.post(`/backoffice/cases/${id}/act`, { [CSRF_FIELD]: csrfToken(page.body), action: 'claim' });
    expect(posted.statusCode).toBe(403);
    expect(posted.body).toContain('This is your own application. Another officer must handle it');

    const view = await api('GET', `/api/workflow/cases/${id}`);
    expect(view.json<{ reference: string; availableActions: string[] }>()).toMatchObject({ reference, availableActions: [] });
    const claim = await api('POST', `/api/workflow/cases/${id}/actions`, { action: 'claim' });
    expect(claim.statusCode).toBe(403);
    expect(claim.headers['content-type']).toContain('application/problem+json');
    expect(claim.json<{ code: string }>().code).toBe('TB_WORKFLOW_OWN_APPLICATION');
    // Nor as a supervisor through the service: any member of staff, any role.
    const asSupervisor = { accountId: officer.accountId, roles: [{ agency: PSB, role: 'supervisor' }] };
    await expect(built.services.workflow.act(undefined, { caseId: id, action: 'claim', actor: asSupervisor })).rejects.toMatchObject({ code: 'TB_WORKFLOW_OWN_APPLICATION', status: 403 });
    expect((await built.services.workflow.getCase(id)).status).toBe('submitted');

    // Another officer handles it; the applicant may still withdraw (their own action).
    await built.services.workflow.act(undefined, { caseId: id, action: 'claim', actor: { accountId: '0190a1b2-0000-7000-8000-0000000000f1', roles: [{ agency: PSB, role: 'officer' }] } });
    await built.services.workflow.act(undefined, { caseId: id, action: 'withdraw', actor: officer, applicantAccountId: officer.accountId });
    expect((await built.services.workflow.getCase(id)).status).toBe('withdrawn');
  });

  it('refuses a reason longer than 2,000 characters with a field error, on the page and in the API', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const { browser, api } = await staff('officer');
    expect((await act(browser, id, 'claim')).statusCode).toBe(303);
    const long = 'x'.repeat(2001);
    const page = await act(browser, id, 'reject', long);
    expect(page.statusCode).toBe(422);
    expect(page.body).toContain('href="#reason-reject"');
    expect(page.body).toContain('Enter a reason of 2,000 characters or fewer');
    const refused = await api('POST', `/api/workflow/cases/${id}/actions`, { action: 'reject', reason: long });
    expect(refused.statusCode).toBe(422);
    expect(refused.json<{ code: string; errors: { pointer: string }[] }>()).toMatchObject({ code: 'TB_WORKFLOW_REASON_TOO_LONG', errors: [{ pointer: '/reason' }] });
    // The longest allowed reason is mailed to the applicant with the rejection (the template takes it).
    const rejected = await api('POST', `/api/workflow/cases/${id}/actions`, { action: 'reject', reason: 'y'.repeat(2000) });
    expect(rejected.statusCode).toBe(200);
    const mails = (await built.services.messaging.listForAccount(citizen.accountId)).items.filter((m) => m.template === 'applicationRejected');
    expect(mails.some((m) => m.body.includes('y'.repeat(2000)))).toBe(true);
  });

  it('records every read of a case and its notes through the JSON API for the applicant; another agency is told it does not exist and nothing is recorded', async () => {
    const { id, reference } = await submitResidenceApplication(built, citizen);
    const { api } = await staff('officer');
    expect((await api('POST', `/api/workflow/cases/${id}/notes`, { text: 'Passport photo checked' })).statusCode).toBe(201);
    const reads = async () => (await sql<{ subject: string | null; actor_kind: string; actor_id: string; actor_organisation: string; purpose: string; details: { part: string; reference: string } }>`
      select subject, actor_kind, actor_id, actor_organisation, purpose, details from tb_audit_record
      where action = 'workflow.case.view' and resource_id = ${id}`.execute(built.kernel.db)).rows
      // Records go to several chains: no order between them to rely on.
      .sort((a, b) => a.details.part.localeCompare(b.details.part));
    expect(await reads()).toEqual([]);

    const view = await api('GET', `/api/workflow/cases/${id}`);
    expect(view.json<{ reference: string }>().reference).toBe(reference);
    const notes = await api('GET', `/api/workflow/cases/${id}/notes`);
    expect(notes.json<{ notes: { text: string }[] }>().notes.map((n) => n.text)).toEqual(['Passport photo checked']);
    const officer = { subject: citizen.accountId, actor_kind: 'staff', actor_id: demoPersona('officer').accountId, actor_organisation: PSB, purpose: 'Handling the case through the back office API' };
    expect(await reads()).toEqual([{ ...officer, details: { part: 'case', reference } }, { ...officer, details: { part: 'notes', reference } }]);

    // Staff of another agency: the same answer as for a case that does not exist, and no record.
    const other = await staff('transport-officer');
    for (const url of [`/api/workflow/cases/${id}`, `/api/workflow/cases/${id}/notes`]) {
      const refused = await other.api('GET', url);
      expect(refused.statusCode).toBe(404);
      expect(refused.json<{ code: string }>().code).toBe('TB_WORKFLOW_NOT_FOUND');
    }
    expect(await reads()).toHaveLength(2);

    // 张伟 sees both reads on "who used my data", in his language.
    const zhang = createTestBrowser(built.app, PUBLIC_URL);
    zhang.setCookie(LANG_COOKIE, 'zh');
    await signIn(zhang, 'citizen', { returnTo: '/my-data/accesses' });
    const page = await zhang.get('/my-data/accesses');
    expect(page.statusCode).toBe(200);
    expect(page.body.match(/查看了您申请的办理情况/g)).toHaveLength(2);
    expect(page.body).toContain('通过后台接口办理案件');
  });

  it('mails the agency’s supervisors when the deadline job escalates a case, with the deadline’s last day', async () => {
    const supervisor = await built.services.identity.saveAccount({ kind: 'staff', name: 'PSB supervisor', email: 'psb.supervisor@tongban.example' });
    await built.services.identity.grantRole(supervisor.id, PSB, 'supervisor');
    const { id, reference } = await submitResidenceApplication(built, citizen);
    const kase = await built.services.workflow.getCase(id);
    const mailsFor = async () => (await built.services.messaging.listForAccount(supervisor.id)).items.filter((m) => m.template === 'deadlineEscalation' && m.subject.includes(reference));

    clock.set(new Date(kase.dueAt.getTime() - 60_000).toISOString());
    await built.kernel.jobs.drain();
    expect(await mailsFor()).toEqual([]);

    clock.set(new Date(kase.dueAt.getTime() + 60_000).toISOString());
    await built.kernel.jobs.drain();
    expect((await built.services.workflow.getCase(id)).status).toBe('escalated');
    const mails = await mailsFor();
    expect(mails).toHaveLength(1);
    // zh-CN, the platform's language; the last day of the deadline, not the midnight after it.
    const last = new Intl.DateTimeFormat('zh-CN', { dateStyle: 'long', timeZone: 'UTC' }).format(new Date(`${dueDay(kase.dueAt)}T00:00:00Z`));
    expect(mails[0]?.body).toContain(`的办理期限截至 ${last}，`);
    // The officer (no supervisor at PSB) hears nothing; a second run sends nothing twice.
    expect((await built.services.messaging.listForAccount(demoPersona('officer').accountId)).items.filter((m) => m.template === 'deadlineEscalation')).toEqual([]);
    await built.kernel.jobs.drain();
    expect(await mailsFor()).toHaveLength(1);
  });
});
