import { sql } from 'kysely';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { registerCalendarCommands } from '../../cli/calendar.js';
import { runCli } from '../../cli/test-kit.js';
import type { Kernel } from '../../kernel/context.js';
import { holidaysFrom, isWorkingDay, PRC_HOLIDAYS, setCurrentHolidays } from './calendar.js';
import { registerCalendarMetrics } from './calendar-metrics.js';
import { HOLIDAY_YEARS } from './holidays.js';
import { createWorkflowService, SLA_QUEUE, slaDueAt, type WorkflowService } from './service.js';
import { SIMPLE_WORKFLOW } from './testing/definitions.js';
import { testClock, testKernel, workflowTestSources } from './testing/kernel.js';

/** The official 2027 arrangement as an operator would write it (here: a made-up one, B). */
const OFFICIAL_2027 = {
  year: 2027, source: 'test notice', makeUpWorkdays: ['2027-02-20'],
  daysOff: ['2027-01-01', '2027-02-05', '2027-02-06', '2027-02-07', '2027-02-08', '2027-02-09', '2027-02-10', '2027-02-11', '2027-02-12',
    '2027-04-05', '2027-05-01', '2027-05-02', '2027-05-03', '2027-05-04', '2027-06-09', '2027-09-15', '2027-10-01', '2027-10-02', '2027-10-03', '2027-10-04', '2027-10-05'],
};
const cli = { kind: 'system', id: 'cli' } as const;

afterEach(() => { process.exitCode = undefined; });
// The calendar in force is the process's: leave the built-in one for the next file's tests.
afterAll(() => { setCurrentHolidays(PRC_HOLIDAYS); });

/** A calendar correction loaded without a release, and the open deadlines following it (ADR 11). */
describeEachDatabase('workflow calendar import and deadline recomputation', workflowTestSources, (use) => {
  const clock = testClock('2026-12-06T10:00:00+08:00');
  let kernel: Kernel;
  let workflow: WorkflowService;
  const open = () => Promise.resolve({ services: { workflow }, close: () => Promise.resolve() });
  const jobRunAt = async (key: string) => (await sql<{ run_at: Date }>`select run_at from kernel_job where queue = ${SLA_QUEUE} and key = ${key}`.execute(kernel.db)).rows[0]?.run_at;

  beforeAll(async () => {
    kernel = await testKernel(use(), clock.now);
    workflow = createWorkflowService(kernel);
    await workflow.calendar.load();
  });

  it('warns, in the status and in /metrics, while next year is provisional in December; not once it is imported', async () => {
    const registry = new Registry();
    registerCalendarMetrics(registry, () => workflow.calendar.status());
    expect(workflow.calendar.status().warnings).toEqual([{ year: 2027, problem: 'provisional' }]);
    let text = await registry.metrics();
    expect(text).toContain('tongban_calendar_covered_until 2026');
    expect(text).toContain('tongban_calendar_warning{year="2027",problem="provisional"} 1');
    clock.set('2026-11-30T10:00:00+08:00');
    expect(workflow.calendar.status().warnings).toEqual([]);
    clock.set('2027-01-04T10:00:00+08:00');
    expect(workflow.calendar.status().warnings).toEqual([{ year: 2027, problem: 'provisional' }]);
    expect(await registry.metrics()).toContain('tongban_calendar_covered_until 2026');
    // A year after the data's end is missing, not silently weekends-only.
    clock.set('2028-12-01T10:00:00+08:00');
    expect(workflow.calendar.status().warnings).toEqual([{ year: 2028, problem: 'missing' }, { year: 2029, problem: 'missing' }]);
    clock.set('2026-12-06T10:00:00+08:00');
    text = await registry.metrics();
    expect(text).toContain('tongban_calendar_warning{year="2027",problem="provisional"} 1');
  });

  it('refuses a file that is not one valid year, saying every problem, and keeps the calendar', async () => {
    const run = await runCli((p, o) => registerCalendarCommands(p, open, o), ['calendar', 'status']);
    expect(run.lines).toContain('covered until 2026');
    const bad = { year: 2027, source: '', daysOff: ['2027-02-30', '2027-01-01', '2027-01-01', '2028-01-01'], makeUpWorkdays: ['2027-02-22', '2027-01-01'] };
    await expect(workflow.calendar.importYear(bad, cli)).rejects.toMatchObject({ code: 'TB_WORKFLOW_CALENDAR_INVALID' });
    const error = await workflow.calendar.importYear(bad, cli).then(() => ({ detail: 'imported' }), (e: unknown) => e as { detail: string });
    for (const problem of ['source must name', 'daysOff[0] is not a date', 'daysOff[2] 2027-01-01 is listed twice', 'daysOff[3] 2028-01-01 is not in 2027',
      'makeUpWorkdays 2027-02-22 is not a Saturday or Sunday', '2027-01-01 is both a day off and a make-up working day']) {
      expect(error.detail).toContain(problem);
    }
    await expect(workflow.calendar.importYear([OFFICIAL_2027], cli)).rejects.toMatchObject({ code: 'TB_WORKFLOW_CALENDAR_INVALID' });
    expect(isWorkingDay('2027-02-11', workflow.calendar.holidays())).toBe(true);
  });

  it('moves the deadline and the deadline job of an open case to an imported calendar, audited', async () => {
    const submittedAt = new Date('2027-02-04T09:00:00+08:00');
    const view = await workflow.start(kernel.db, {
      caseId: '7d0d3f4e-0000-4000-8000-000000002027', serviceId: '7d0d3f4e-0000-4000-8000-00000000000a', serviceVersion: 1, agency: 'test-agency', definition: SIMPLE_WORKFLOW,
      submittedAt, actor: { accountId: '7d0d3f4e-0000-4000-8000-00000000000b', role: 'applicant' },
    });
    // Calendar A (built-in, provisional): Thursday 11 and Friday 12 February are working days.
    expect(view.dueAt).toEqual(new Date('2027-02-13T00:00:00+08:00'));
    const status = await workflow.calendar.importYear(OFFICIAL_2027, cli);
    expect(status.warnings).toEqual([]);
    expect(status.coveredUntil).toBe(2027);
    expect(isWorkingDay('2027-02-11', workflow.calendar.holidays())).toBe(false);
    expect(isWorkingDay('2027-02-20', workflow.calendar.holidays())).toBe(true);
    expect((await workflow.getCase(view.id)).dueAt).toEqual(view.dueAt); // not yet recomputed

    const run = await runCli((p, o) => registerCalendarCommands(p, open, o), ['workflow', 'recompute-deadlines']);
    expect(run.exitCode).toBeUndefined();
    expect(run.lines).toContain('deadlines: 1 of 1 open cases moved');
    const b = holidaysFrom([...HOLIDAY_YEARS.filter((y) => y.year !== 2027), { ...OFFICIAL_2027, provisional: false }]);
    const expected = slaDueAt(submittedAt, SIMPLE_WORKFLOW.sla.workingDays, b);
    expect(expected).toEqual(new Date('2027-02-17T00:00:00+08:00'));
    expect((await workflow.getCase(view.id)).dueAt).toEqual(expected);
    expect(await jobRunAt(view.id)).toEqual(expected);
    const audit = await sql<{ resource_id: string }>`select resource_id from tb_audit_record where action = 'workflow.deadline.recompute'`.execute(kernel.db);
    expect(audit.rows.map((r) => r.resource_id)).toEqual([view.id]);
    const imported = await sql<{ resource_id: string }>`select resource_id from tb_audit_record where action = 'workflow.calendar.import'`.execute(kernel.db);
    expect(imported.rows.map((r) => r.resource_id)).toEqual(['2027']);
    // Again: nothing left to move.
    expect(await workflow.calendar.recompute(cli)).toMatchObject({ checked: 1, changed: 0 });
  });
});
