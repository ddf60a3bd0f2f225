import { HOLIDAY_YEARS, type HolidayYear } from './holidays.js';

/** Days off and weekend working days, as `YYYY-MM-DD` in Asia/Shanghai. */
export interface Holidays {
  readonly daysOff: ReadonlySet<string>;
  readonly makeUpWorkdays: ReadonlySet<string>;
}

export function holidaysFrom(years: readonly HolidayYear[]): Holidays {
  return {
    daysOff: new Set(years.flatMap((y) => y.daysOff)),
    makeUpWorkdays: new Set(years.flatMap((y) => y.makeUpWorkdays)),
  };
}

/** The PRC calendar kept in holidays.ts (the built-in data). */
export const PRC_HOLIDAYS: Holidays = holidaysFrom(HOLIDAY_YEARS);

// The calendar in force: the built-in data, with the years an operator imported
// (`tongban calendar import`) in their place, set when the workflow service loads them at boot.
// One for the process: the country has one calendar; every default below reads it at call time.
let inForce: Holidays = PRC_HOLIDAYS;

/** The working-day calendar in force: built-in years, replaced by imported ones once loaded. */
export function currentHolidays(): Holidays {
  return inForce;
}

/** Puts a calendar in force (the workflow service, after reading the imported years). */
export function setCurrentHolidays(holidays: Holidays): void {
  inForce = holidays;
}

// China has kept UTC+8 all year since 1991, so a fixed offset is exact and needs no tz database.
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

/** The calendar day in Asia/Shanghai of an instant, `YYYY-MM-DD`. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + OFFSET_MS).toISOString().slice(0, 10);
}

/** Midnight in Asia/Shanghai at the start of a calendar day. */
export function startOfShanghaiDay(day: string): Date {
  return new Date(Date.parse(`${day}T00:00:00Z`) - OFFSET_MS);
}

export function addCalendarDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function calendarDaysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function isWorkingDay(day: string, holidays: Holidays): boolean {
  if (holidays.makeUpWorkdays.has(day)) return true;
  if (holidays.daysOff.has(day)) return false;
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  return weekday !== 0 && weekday !== 6;
}

function nthWorkingDayAfter(day: string, n: number, holidays: Holidays): string {
  let current = day;
  for (let left = n; left > 0;) {
    current = addCalendarDays(current, 1);
    if (isWorkingDay(current, holidays)) left -= 1;
  }
  return current;
}

/**
 * The same Shanghai clock time on the `n`th working day after the day of `start` (the day itself
 * never counts, whether or not it is a working day). `n` = 0 gives `start`.
 */
export function addWorkingDays(start: Date, n: number, holidays: Holidays = currentHolidays()): Date {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`n must be a whole number of days, got ${n}`);
  const day = shanghaiDay(start);
  const target = nthWorkingDayAfter(day, n, holidays);
  return new Date(start.getTime() + calendarDaysBetween(day, target) * DAY_MS);
}

/**
 * A deadline of `workingDays` working days: the end of the last working day, i.e. midnight in
 * Shanghai at its close. A case is overdue from that instant on.
 */
export function slaDueAt(submittedAt: Date, workingDays: number, holidays: Holidays = currentHolidays()): Date {
  const last = shanghaiDay(addWorkingDays(submittedAt, workingDays, holidays));
  return startOfShanghaiDay(addCalendarDays(last, 1));
}

/** The last day on which a deadline is still met. */
export function dueDay(dueAt: Date): string {
  return shanghaiDay(new Date(dueAt.getTime() - 1));
}

export type Countdown =
  | { readonly kind: 'left'; readonly workingDays: number }
  | { readonly kind: 'today' }
  | { readonly kind: 'overdue'; readonly days: number };

/**
 * What a deadline countdown says at `now`: working days left after today, "due today", or whole
 * calendar days overdue (people count late days on the calendar, not in working days).
 */
export function countdown(now: Date, dueAt: Date, holidays: Holidays = currentHolidays()): Countdown {
  const today = shanghaiDay(now);
  const last = dueDay(dueAt);
  if (now.getTime() >= dueAt.getTime()) return { kind: 'overdue', days: Math.max(1, calendarDaysBetween(last, today)) };
  if (today === last) return { kind: 'today' };
  let workingDays = 0;
  for (let day = addCalendarDays(today, 1); day <= last; day = addCalendarDays(day, 1)) {
    if (isWorkingDay(day, holidays)) workingDays += 1;
  }
  return { kind: 'left', workingDays };
}
