import { sql } from 'kysely';
import { v4 as uuidv4 } from 'uuid';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Kernel } from '../../kernel/context.js';
import { createWorkflowService, type PrincipalLike, type WorkflowService } from './service.js';
import { bucketStart, nextBucket } from './statistics.js';
import { demoWorkflow } from './testing/definitions.js';
import { testClock, testKernel, workflowTestSources } from './testing/kernel.js';

const AGENCY = '110000-PSB';
const O1: PrincipalLike = { accountId: 'officer-1', roles: [{ agency: AGENCY, role: 'officer' }] };
const O2: PrincipalLike = { accountId: 'officer-2', roles: [{ agency: AGENCY, role: 'officer' }] };
const SUPERVISOR: PrincipalLike = { accountId: 'supervisor-1', roles: [{ agency: AGENCY, role: 'supervisor' }] };
const OTHER: PrincipalLike = { accountId: 'officer-9', roles: [{ agency: '110000-AMR', role: 'officer' }] };
const BIRTH = demoWorkflow('birth-registration');
const SERVICE_A = uuidv4();
const SERVICE_B = uuidv4();

it('buckets like date_trunc: Monday weeks, months, years', () => {
  expect(bucketStart('2026-03-08', 'week')).toBe('2026-03-02');
  expect(bucketStart('2026-03-02', 'week')).toBe('2026-03-02');
  expect(bucketStart('2026-03-08', 'month')).toBe('2026-03-01');
  expect(bucketStart('2026-03-08', 'year')).toBe('2026-01-01');
  expect(nextBucket('2026-01-01', 'month')).toBe('2026-02-01');
  expect(nextBucket('2026-12-28', 'week')).toBe('2027-01-04');
  expect(nextBucket('2026-01-01', 'year')).toBe('2027-01-01');
});

describeEachDatabase('workflow statistics', workflowTestSources, (use) => {
  const clock = testClock();
  let kernel: Kernel;
  let workflow: WorkflowService;

  const start = async (serviceId: string, agency = AGENCY) => (await workflow.start(kernel.db, {
    caseId: uuidv4(), serviceId, serviceVersion: 1, agency, definition: BIRTH, submittedAt: clock.now(), actor: { accountId: 'applicant-1', role: 'applicant' },
  })).id;
  const act = (caseId: string, action: string, actor: PrincipalLike, reason?: string) =>
    workflow.act(undefined, { caseId, action, actor, reason, applicantAccountId: 'applicant-1' });

  beforeAll(async () => {
    kernel = await testKernel(use(), clock.now);
    workflow = createWorkflowService(kernel);
    // Monday 2 March (Shanghai): three cases of service A, one of B, one at another agency.
    clock.set('2026-03-02T10:00:00+08:00');
    const [a1, a2, a3, b1, other] = [await start(SERVICE_A), await start(SERVICE_A), await start(SERVICE_A), await start(SERVICE_B), await start(SERVICE_A, '110000-AMR')];
    await act(a1, 'claim', O1);
    await act(a1, 'approve', O1);
    await act(a2, 'claim', O2);
    await act(a2, 'request_info', O2, 'Which hospital?');
    await act(other, 'claim', OTHER);
    await act(other, 'approve', OTHER);
    // 23:30 in Shanghai on Tuesday is still Tuesday, though it is 15:30 UTC.
    clock.set('2026-03-03T23:30:00+08:00');
    await workflow.act(undefined, { caseId: a2, action: 'answer_info', actor: { accountId: 'applicant-1', roles: [] }, applicantAccountId: 'applicant-1' });
    await act(a2, 'reject', SUPERVISOR, 'Not born here');
    // Monday 9 March, the next week.
    clock.set('2026-03-09T09:00:00+08:00');
    await act(a3, 'claim', O1);
    await act(a3, 'reject', O1, 'Duplicate');
    await act(b1, 'claim', O1);
    await act(b1, 'approve', O1);
  });

  const counts = (b: { byStatus: readonly { status: string; actions: number }[] } | undefined) =>
    Object.fromEntries((b?.byStatus ?? []).map((s) => [s.status, s.actions]));

  it('counts operators\' actions of the agency by the state they led to, in SQL', async () => {
    const [all] = await workflow.statistics({ agencies: [AGENCY] });
    // Applicant answers, submissions and the other agency's work are not operators' work here.
    expect(all).toMatchObject({ from: undefined, to: undefined, cases: 4 });
    expect(counts(all)).toEqual({ in_review: 4, approved: 2, info_requested: 1, rejected: 2 });
    expect(all?.byStatus.find((s) => s.status === 'rejected')).toMatchObject({ final: true, cases: 2 });
    expect(all?.byStatus.find((s) => s.status === 'info_requested')).toMatchObject({ final: false });
  });

  it('filters by period (Shanghai days, inclusive), service, operator and role', async () => {
    expect(counts((await workflow.statistics({ agencies: [AGENCY], from: '2026-03-02', to: '2026-03-03' }))[0])).toEqual({ in_review: 2, approved: 1, info_requested: 1, rejected: 1 });
    expect(counts((await workflow.statistics({ agencies: [AGENCY], from: '2026-03-03', to: '2026-03-03' }))[0])).toEqual({ rejected: 1 });
    expect(counts((await workflow.statistics({ agencies: [AGENCY], serviceIds: [SERVICE_B] }))[0])).toEqual({ in_review: 1, approved: 1 });
    expect((await workflow.statistics({ agencies: [AGENCY], serviceIds: [] }))[0]).toMatchObject({ cases: 0, byStatus: [] });
    expect(counts((await workflow.statistics({ agencies: [AGENCY], actorId: 'officer-1' }))[0])).toEqual({ in_review: 3, approved: 2, rejected: 1 });
    expect(counts((await workflow.statistics({ agencies: [AGENCY], role: 'supervisor' }))[0])).toEqual({ rejected: 1 });
    expect(await workflow.statistics({ agencies: [] })).toEqual([{ from: undefined, to: undefined, cases: 0, byStatus: [] }]);
  });

  it('gives one bucket per day or week of the period, empty ones included', async () => {
    const days = await workflow.statistics({ agencies: [AGENCY], from: '2026-03-01', to: '2026-03-04', timeframe: 'day' });
    expect(days.map((d) => [d.from, d.to, d.cases])).toEqual([['2026-03-01', '2026-03-01', 0], ['2026-03-02', '2026-03-02', 2], ['2026-03-03', '2026-03-03', 1], ['2026-03-04', '2026-03-04', 0]]);
    const weeks = await workflow.statistics({ agencies: [AGENCY], from: '2026-03-04', to: '2026-03-10', timeframe: 'week' });
    expect(weeks.map((w) => [w.from, w.to])).toEqual([['2026-03-04', '2026-03-08'], ['2026-03-09', '2026-03-10']]);
    expect(counts(weeks[1])).toEqual({ in_review: 2, approved: 1, rejected: 1 });
    // An open start begins with the first bucket that has work; an open end is today.
    clock.set('2026-03-10T12:00:00+08:00');
    const open = await workflow.statistics({ agencies: [AGENCY], timeframe: 'month' });
    expect(open.map((m) => [m.from, m.to, m.cases])).toEqual([['2026-03-01', '2026-03-10', 4]]);
  });

  it('refuses a period that is backwards, not a date, or too many buckets', async () => {
    await expect(workflow.statistics({ agencies: [AGENCY], from: '2026-03-05', to: '2026-03-01' })).rejects.toMatchObject({ code: 'TB_WORKFLOW_STATISTICS_RANGE' });
    await expect(workflow.statistics({ agencies: [AGENCY], from: '2026-02-30x' })).rejects.toMatchObject({ code: 'TB_WORKFLOW_STATISTICS_RANGE' });
    await expect(workflow.statistics({ agencies: [AGENCY], from: '2020-01-01', to: '2026-01-01', timeframe: 'day' })).rejects.toMatchObject({ code: 'TB_WORKFLOW_STATISTICS_RANGE' });
  });

  it('has the indexes the statistics query filters on', async () => {
    const { rows } = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename in ('workflow_actions', 'workflow_cases') order by indexname`.execute(kernel.db);
    expect(rows.map((r) => r.indexname)).toEqual(expect.arrayContaining(['workflow_actions_at', 'workflow_actions_actor', 'workflow_cases_service']));
  });
});
