import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { currentHolidays, holidaysFrom, setCurrentHolidays, shanghaiDay, slaDueAt, type Holidays } from './calendar.js';
import { calendarWarnings, coveredUntil, mergeYears, parseCalendarYear, type CalendarWarning, type CalendarYearInfo } from './calendar-years.js';
import { HOLIDAY_YEARS, type HolidayYear } from './holidays.js';
import type { WorkflowStore } from './store.js';

export interface CalendarStatus {
  readonly years: readonly CalendarYearInfo[];
  /** The last year the official arrangement covers without a gap from the current one. */
  readonly coveredUntil: number;
  readonly warnings: readonly CalendarWarning[];
}

export interface RecomputeResult {
  readonly checked: number;
  readonly changed: number;
  /** Changed cases whose deadline job was not pending (it ran or is running): the next escalation check follows `dueAt` anyway. */
  readonly jobsNotMoved: number;
}

/**
 * The working-day calendar in force and what follows a correction of it (docs/adr/0011): the
 * imported years over the built-in ones, loaded at boot and cached; an import stores a year
 * and reloads; `recompute` moves the deadlines of open cases to the calendar in force.
 */
export function createDeadlines(kernel: Kernel, store: WorkflowStore, queue: string, fixed: Holidays | undefined) {
  let years: CalendarYearInfo[] = mergeYears(HOLIDAY_YEARS, []).info;

  const holidays = (): Holidays => fixed ?? currentHolidays();

  function status(): CalendarStatus {
    const today = shanghaiDay(kernel.now());
    return { years, coveredUntil: coveredUntil(years, Number(today.slice(0, 4))), warnings: calendarWarnings(years, today) };
  }

  async function load(): Promise<CalendarStatus> {
    const rows = await store.calendarYears(kernel.db);
    const imported: HolidayYear[] = rows.map((r) => ({ year: r.year, source: r.source, provisional: r.provisional, daysOff: r.days_off, makeUpWorkdays: r.make_up_workdays }));
    const merged = mergeYears(HOLIDAY_YEARS, imported);
    years = merged.info;
    // A service built with its own holidays (tests) leaves the process's calendar alone.
    if (!fixed) setCurrentHolidays(holidaysFrom(merged.years));
    return status();
  }

  return {
    holidays,
    status,
    load,

    /** Validates one year (TB_WORKFLOW_CALENDAR_INVALID), stores it in place of what was there, audits it, and puts it in force. */
    async importYear(input: unknown, actor: Actor): Promise<CalendarStatus> {
      const year = parseCalendarYear(input);
      await kernel.db.transaction().execute(async (tx) => {
        await store.putCalendarYear(tx, year, kernel.now());
        await kernel.audit.append(tx, {
          actor, action: 'workflow.calendar.import', resource: { type: 'calendar-year', id: String(year.year) },
          details: { source: year.source, provisional: year.provisional, daysOff: year.daysOff.length, makeUpWorkdays: year.makeUpWorkdays.length },
        });
      });
      return load();
    },

    /**
     * Moves the deadline of every open, not yet escalated case to what the calendar in force gives
     * for its submission and its workflow's working days, with its `workflow.sla` job; one
     * `workflow.deadline.recompute` audit record per case moved (from, to). A case a moment
     * before escalation is locked, so an escalation and a move never cross.
     */
    async recompute(actor: Actor): Promise<RecomputeResult> {
      const open = await store.openUnescalatedCases(kernel.db);
      let changed = 0;
      let jobsNotMoved = 0;
      for (const { id } of open) {
        await kernel.db.transaction().execute(async (tx) => {
          const row = await store.getCase(tx, id, { forUpdate: true });
          if (!row || row.final || row.escalated) return;
          const dueAt = slaDueAt(row.submitted_at, row.definition.sla.workingDays, holidays());
          if (dueAt.getTime() === row.due_at.getTime()) return;
          await store.setDueAt(tx, id, dueAt, kernel.now());
          if (!(await kernel.jobs.reschedule(tx, queue, id, dueAt))) jobsNotMoved += 1;
          await kernel.audit.append(tx, {
            actor, action: 'workflow.deadline.recompute', resource: { type: 'case', id },
            details: { from: row.due_at.toISOString(), to: dueAt.toISOString(), workingDays: row.definition.sla.workingDays },
          });
          changed += 1;
        });
      }
      return { checked: open.length, changed, jobsNotMoved };
    },
  };
}

export type Deadlines = ReturnType<typeof createDeadlines>;
