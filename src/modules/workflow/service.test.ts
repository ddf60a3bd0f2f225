import { sql } from 'kysely';
import { v4 as uuidv4 } from 'uuid';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Kernel } from '../../kernel/context.js';
import { createWorkflowService, SLA_QUEUE, type PrincipalLike, type WorkflowDefinition, type WorkflowService } from './service.js';
import { demoWorkflow, SIMPLE_WORKFLOW } from './testing/definitions.js';
import { testClock, testKernel, workflowTestSources } from './testing/kernel.js';

const AGENCY = '110000-PSB';
const officer = (id: string, role = 'officer', agency = AGENCY): PrincipalLike => ({ accountId: id, roles: [{ agency, role }] });
const O1 = officer('officer-1');
const O2 = officer('officer-2');
const SUPERVISOR = officer('supervisor-1', 'supervisor');
const APPLICANT = 'applicant-1';
const BIRTH = demoWorkflow('birth-registration');

const code = (promise: Promise<unknown>) => promise.then(() => 'ok', (e: Error & { code?: string }) => e.code ?? e.message);

describeEachDatabase('workflow service', workflowTestSources, (use) => {
  const clock = testClock();
  let kernel: Kernel;
  let workflow: WorkflowService;
  beforeAll(async () => {
    kernel = await testKernel(use(), clock.now);
    workflow = createWorkflowService(kernel);
  });

  async function start(definition: WorkflowDefinition = BIRTH, options: { agency?: string; submittedAt?: Date } = {}) {
    const caseId = uuidv4();
    return workflow.start(kernel.db, {
      caseId, reference: `TB-2026-${caseId.slice(0, 6).toUpperCase()}`, serviceId: uuidv4(), serviceVersion: 1,
      agency: options.agency ?? AGENCY, definition, submittedAt: options.submittedAt ?? clock.now(), actor: { accountId: APPLICANT, role: 'applicant' },
    });
  }

  const auditActions = async (caseId: string) => (await sql<{ action: string; actor_kind: string; subject: string | null }>`
    select action, actor_kind, subject from tb_audit_record where resource_id = ${caseId} order by at, seq`.execute(kernel.db)).rows;

  it('starts a case: first history entry, a deadline in working days, a deadline job keyed by the case, an audit record', async () => {
    clock.set('2026-03-02T09:00:00+08:00');
    const view = await start();
    expect(view).toMatchObject({ status: 'submitted', statusName: { en: 'Submitted' }, assignee: null, final: false, overdue: false, escalated: false });
    // Five working days from Monday 2 March: the last is Monday 9 March.
    expect(view.dueAt).toEqual(new Date('2026-03-10T00:00:00+08:00'));
    expect(view.history).toHaveLength(1);
    const { rows } = await sql<{ key: string; run_at: Date; queue: string }>`select key, run_at, queue from kernel_job where key = ${view.id}`.execute(kernel.db);
    expect(rows).toEqual([{ key: view.id, run_at: view.dueAt, queue: SLA_QUEUE }]);
    expect(await auditActions(view.id)).toEqual([{ action: 'workflow.start', actor_kind: 'person', subject: null }]);
    await expect(workflow.start(kernel.db, {
      caseId: view.id, serviceId: view.serviceId, serviceVersion: 1, agency: AGENCY, definition: BIRTH, submittedAt: clock.now(), actor: { accountId: APPLICANT, role: 'applicant' },
    })).rejects.toMatchObject({ code: 'TB_WORKFLOW_ALREADY_STARTED' });
  });

  it('takes a case through claim, request for information, answer and approval; each step audited and projected', async () => {
    const { id } = await start();
    expect((await workflow.act(undefined, { caseId: id, action: 'claim', actor: O1 })).assignee).toBe('officer-1');
    await workflow.act(undefined, { caseId: id, action: 'request_info', actor: O1, reason: 'Upload the hospital certificate', applicantAccountId: APPLICANT });
    await workflow.act(undefined, { caseId: id, action: 'answer_info', actor: { accountId: APPLICANT, roles: [] }, applicantAccountId: APPLICANT });
    const done = await workflow.act(undefined, { caseId: id, action: 'approve', actor: O1 });
    expect(done).toMatchObject({ status: 'approved', final: true, closedAt: clock.now() });
    expect(done.history.map((h) => [h.action, h.actor.role, h.reason])).toEqual([
      ['submit', 'applicant', null], ['claim', 'officer', null], ['request_info', 'officer', 'Upload the hospital certificate'],
      ['answer_info', 'applicant', null], ['approve', 'officer', null],
    ]);
    expect(await workflow.getCase(id)).toEqual(done);
    const { rows } = await sql<{ status: string; assignee: string; final: boolean; last_seq: number }>`select status, assignee, final, last_seq from workflow_cases where id = ${id}`.execute(kernel.db);
    expect(rows).toEqual([{ status: 'approved', assignee: 'officer-1', final: true, last_seq: 5 }]);
    // Records of one moment spread over several hash chains: compare them as a set.
    expect((await auditActions(id)).map((a) => `${a.action}:${a.actor_kind}:${a.subject ?? '-'}`).sort()).toEqual([
      'workflow.answer_info:person:applicant-1', 'workflow.approve:staff:-', 'workflow.claim:staff:-', 'workflow.request_info:staff:applicant-1', 'workflow.start:person:-',
    ]);
  });

  it('refuses with the right code: unknown case, wrong agency, wrong role, not the applicant, no reason, wrong state', async () => {
    const { id } = await start();
    expect(await code(workflow.getCase(uuidv4()))).toBe('TB_WORKFLOW_NOT_FOUND');
    expect(await code(workflow.act(undefined, { caseId: 'not-a-uuid', action: 'claim', actor: O1 }))).toBe('TB_WORKFLOW_NOT_FOUND');
    expect(await code(workflow.act(undefined, { caseId: id, action: 'claim', actor: officer('x', 'officer', '110000-AMR') }))).toBe('TB_WORKFLOW_FORBIDDEN');
    expect(await code(workflow.act(undefined, { caseId: id, action: 'claim', actor: officer('c', 'clerk') }))).toBe('TB_WORKFLOW_FORBIDDEN');
    expect(await code(workflow.act(undefined, { caseId: id, action: 'withdraw', actor: { accountId: 'someone-else', roles: [] }, applicantAccountId: APPLICANT }))).toBe('TB_WORKFLOW_FORBIDDEN');
    expect(await code(workflow.act(undefined, { caseId: id, action: 'withdraw', actor: O1, applicantAccountId: APPLICANT }))).toBe('TB_WORKFLOW_FORBIDDEN');
    expect(await code(workflow.act(undefined, { caseId: id, action: 'escalate', actor: SUPERVISOR }))).toBe('TB_WORKFLOW_FORBIDDEN');
    expect(await code(workflow.act(undefined, { caseId: id, action: 'approve', actor: O1 }))).toBe('TB_WORKFLOW_ACTION_NOT_ALLOWED');
    await workflow.act(undefined, { caseId: id, action: 'claim', actor: O1 });
    expect(await code(workflow.act(undefined, { caseId: id, action: 'reject', actor: O1, reason: '   ' }))).toBe('TB_WORKFLOW_REASON_REQUIRED');
    expect(await code(workflow.act(undefined, { caseId: id, action: 'release', actor: O2 }))).toBe('TB_WORKFLOW_FORBIDDEN');
    // A supervisor may release anyone's case.
    expect((await workflow.act(undefined, { caseId: id, action: 'release', actor: SUPERVISOR })).assignee).toBeNull();
    // Refusals wrote nothing.
    expect((await workflow.getCase(id)).history.map((h) => h.action)).toEqual(['submit', 'claim', 'release']);
  });

  it('lets exactly one of many officers claiming at once win', async () => {
    const { id } = await start();
    const officers = Array.from({ length: 6 }, (_, i) => officer(`racer-${i}`));
    const results = await Promise.all(officers.map((o) => code(workflow.act(undefined, { caseId: id, action: 'claim', actor: o }))));
    expect(results.filter((r) => r === 'ok')).toHaveLength(1);
    expect(results.filter((r) => r === 'TB_WORKFLOW_ACTION_NOT_ALLOWED')).toHaveLength(5);
    const view = await workflow.getCase(id);
    expect(view.history.filter((h) => h.action === 'claim')).toHaveLength(1);
    expect(view.assignee).toBe(`racer-${results.indexOf('ok')}`);
  });

  it('acts inside the caller\'s transaction: listeners run in it, and a rollback undoes the action', async () => {
    const { id } = await start();
    const seen: string[] = [];
    workflow.onTransition(async (tx, event) => {
      seen.push(`${event.entry.action}:${event.case.status}:${event.applicantAccountId ?? '-'}`);
      await kernel.jobs.enqueue(tx, 'test.notify', { caseId: event.case.id, action: event.entry.action });
      if (event.entry.reason === 'explode') throw new Error('listener failed');
    });
    await expect(kernel.db.transaction().execute(async (tx) => {
      await workflow.act(tx, { caseId: id, action: 'claim', actor: O1 });
      throw new Error('caller rolls back');
    })).rejects.toThrow('caller rolls back');
    expect((await workflow.getCase(id)).status).toBe('submitted');
    await workflow.act(undefined, { caseId: id, action: 'claim', actor: O1, applicantAccountId: APPLICANT });
    await expect(workflow.act(undefined, { caseId: id, action: 'request_info', actor: O1, reason: 'explode' })).rejects.toThrow('listener failed');
    expect((await workflow.getCase(id)).status).toBe('in_review');
    expect(seen).toEqual(['claim:in_review:-', 'claim:in_review:applicant-1', 'request_info:info_requested:-']);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from kernel_job where queue = 'test.notify' and payload->>'caseId' = ${id}`.execute(kernel.db);
    expect(rows[0]?.n).toBe(1);
  });

  it('keeps the history append-only in the database itself', async () => {
    const { id } = await start(SIMPLE_WORKFLOW);
    await expect(sql`update workflow_actions set action = 'approve' where case_id = ${id}`.execute(kernel.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from workflow_actions where case_id = ${id}`.execute(kernel.db)).rejects.toThrow(/append-only/);
  });

  it('escalates a case at its deadline through the job, and only flags one whose workflow cannot escalate', async () => {
    clock.set('2026-03-02T09:00:00+08:00');
    const escalating = await start(BIRTH);
    const flagged = await start(SIMPLE_WORKFLOW);
    await workflow.act(undefined, { caseId: flagged.id, action: 'claim', actor: O1 });
    const closed = await start(SIMPLE_WORKFLOW);
    await workflow.act(undefined, { caseId: closed.id, action: 'claim', actor: O1 });
    await workflow.act(undefined, { caseId: closed.id, action: 'approve', actor: O1 });
    // Before the deadline the jobs are not due.
    await kernel.jobs.drain();
    expect((await workflow.getCase(escalating.id)).escalated).toBe(false);
    expect((await workflow.queue({ agency: AGENCY, role: 'supervisor' })).items.map((c) => c.id)).not.toContain(escalating.id);

    clock.set('2026-03-10T00:00:01+08:00');
    await kernel.jobs.drain();
    const escalated = await workflow.getCase(escalating.id);
    expect(escalated).toMatchObject({ status: 'escalated', escalated: true, overdue: true });
    expect(escalated.history.at(-1)).toMatchObject({ action: 'escalate', actor: { kind: 'system', role: 'system' } });
    const marked = await workflow.getCase(flagged.id);
    expect(marked).toMatchObject({ status: 'in_review', escalated: true, assignee: 'officer-1', overdue: true });
    expect(marked.history.at(-1)).toMatchObject({ action: 'sla_breach', from: 'in_review', to: 'in_review' });
    expect((await workflow.getCase(closed.id)).history.map((h) => h.action)).toEqual(['submit', 'claim', 'approve']);

    const supervisorQueue = (await workflow.queue({ agency: AGENCY, role: 'supervisor', pageSize: 100 })).items.map((c) => c.id);
    expect(supervisorQueue).toEqual(expect.arrayContaining([escalating.id, flagged.id]));
    expect(supervisorQueue).not.toContain(closed.id);
    const overdue = (await workflow.queue({ agency: AGENCY, overdueOnly: true, pageSize: 100 })).items;
    expect(overdue.every((c) => c.overdue)).toBe(true);
    expect(overdue.map((c) => c.id)).toContain(flagged.id);
    // Running the check again (a retried job) adds nothing.
    await workflow.escalateIfDue(escalating.id);
    expect((await workflow.getCase(escalating.id)).history).toHaveLength(escalated.history.length);
  });

  it('lists a queue with filters, sorting and pages', async () => {
    const agency = '110000-QUEUE';
    const o = officer('queue-officer', 'officer', agency);
    const ids: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      // Later submissions get shorter deadlines, so the two sort orders differ.
      const definition = { ...SIMPLE_WORKFLOW, sla: { workingDays: 10 - i } };
      ids.push((await start(definition, { agency, submittedAt: new Date(Date.parse('2026-04-01T01:00:00Z') + i * 3_600_000) })).id);
    }
    await workflow.act(undefined, { caseId: ids[1]!, action: 'claim', actor: o });
    const bySubmitted = await workflow.queue({ agency, sort: 'submitted' });
    expect(bySubmitted.items.map((c) => c.id)).toEqual(ids);
    expect(bySubmitted).toMatchObject({ total: 5, page: 1, pages: 1 });
    expect((await workflow.queue({ agency, sort: 'due' })).items.map((c) => c.id)).toEqual([...ids].reverse());
    const page2 = await workflow.queue({ agency, sort: 'submitted', page: 2, pageSize: 2 });
    expect(page2).toMatchObject({ total: 5, page: 2, pageSize: 2, pages: 3 });
    expect(page2.items.map((c) => c.id)).toEqual(ids.slice(2, 4));
    expect((await workflow.queue({ agency, assignedTo: 'queue-officer' })).items.map((c) => c.id)).toEqual([ids[1]]);
    expect((await workflow.queue({ agency, status: 'in_review' })).items.map((c) => c.id)).toEqual([ids[1]]);
    expect((await workflow.queue({ agency, state: 'closed' })).total).toBe(0);
    expect((await workflow.queue({ agency: [] })).total).toBe(0);
  });

  it('tells which of many cases ended without a decision (rejected, withdrawn), in one question, never those open or approved', async () => {
    clock.set('2026-03-04T10:00:00+08:00');
    const open = await start();
    const approved = await start();
    await workflow.act(undefined, { caseId: approved.id, action: 'claim', actor: O1 });
    await workflow.act(undefined, { caseId: approved.id, action: 'approve', actor: O1 });
    const rejected = await start();
    await workflow.act(undefined, { caseId: rejected.id, action: 'claim', actor: O1 });
    clock.set('2026-03-04T11:00:00+08:00');
    await workflow.act(undefined, { caseId: rejected.id, action: 'reject', actor: O1, reason: 'The certificate is not valid' });
    const withdrawn = await start();
    clock.set('2026-03-04T12:00:00+08:00');
    await workflow.act(undefined, { caseId: withdrawn.id, action: 'withdraw', actor: { accountId: APPLICANT, roles: [] }, applicantAccountId: APPLICANT });
    const ended = await workflow.endedWithoutDecision([open.id, approved.id, rejected.id, withdrawn.id.toUpperCase(), uuidv4(), 'not-a-case', rejected.id]);
    expect(Object.fromEntries(ended)).toEqual({
      [rejected.id]: { status: 'rejected', statusName: { 'zh-CN': '已办结（不予）', en: 'Rejected' }, closedAt: new Date('2026-03-04T11:00:00+08:00') },
      [withdrawn.id]: { status: 'withdrawn', statusName: { 'zh-CN': '已撤回', en: 'Withdrawn' }, closedAt: new Date('2026-03-04T12:00:00+08:00') },
    });
    // The same answer as the case read one by one, within a transaction too.
    await kernel.db.transaction().execute(async (tx) => {
      expect([...(await workflow.endedWithoutDecision([rejected.id], tx)).keys()]).toEqual([rejected.id]);
    });
    expect((await workflow.getCase(rejected.id)).closedAt).toEqual(ended.get(rejected.id)?.closedAt);
    expect((await workflow.endedWithoutDecision([])).size).toBe(0);
  });

  it('keeps internal notes for the case\'s officers only', async () => {
    const { id } = await start();
    const note = await workflow.addNote(id, O1, '  Called the hospital: certificate on its way.  ');
    expect(note.text).toBe('Called the hospital: certificate on its way.');
    await workflow.addNote(id, SUPERVISOR, 'Second note');
    expect((await workflow.listNotes(id, O2)).map((n) => n.text)).toEqual(['Called the hospital: certificate on its way.', 'Second note']);
    expect(await code(workflow.addNote(id, O1, '   '))).toBe('TB_WORKFLOW_NOTE_REQUIRED');
    expect(await code(workflow.addNote(id, O1, 'x'.repeat(2001)))).toBe('TB_WORKFLOW_NOTE_REQUIRED');
    expect(await code(workflow.addNote(id, officer('x', 'officer', '110000-AMR'), 'Not mine'))).toBe('TB_WORKFLOW_FORBIDDEN');
    expect(await code(workflow.listNotes(id, officer('c', 'clerk')))).toBe('TB_WORKFLOW_FORBIDDEN');
    expect((await auditActions(id)).filter((a) => a.action === 'workflow.note.add')).toHaveLength(2);
  });
});
