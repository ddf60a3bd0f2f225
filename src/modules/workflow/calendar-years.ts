import { TongbanError } from '../../kernel/http/index.js';
import { WorkflowErrors } from './errors.js';
import type { HolidayYear } from './holidays.js';

/** A year of the calendar in force, and where it comes from. */
export interface CalendarYearInfo {
  readonly year: number;
  readonly source: string;
  readonly provisional: boolean;
  readonly origin: 'built-in' | 'imported';
}

/** A year that needs the operator: missing from the data, or only provisional. */
export interface CalendarWarning {
  readonly year: number;
  readonly problem: 'missing' | 'provisional';
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const isDay = (value: unknown): value is string =>
  typeof value === 'string' && DAY.test(value) && new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) === value;
const weekday = (day: string) => new Date(`${day}T00:00:00Z`).getUTCDay();

function dayList(value: unknown, name: string, year: number, problems: string[]): string[] {
  if (!Array.isArray(value)) {
    problems.push(`${name} must be a list of dates (YYYY-MM-DD)`);
    return [];
  }
  const seen = new Set<string>();
  for (const [i, day] of value.entries()) {
    if (!isDay(day)) problems.push(`${name}[${i}] is not a date (YYYY-MM-DD): ${JSON.stringify(day)}`);
    else if (!day.startsWith(`${year}-`)) problems.push(`${name}[${i}] ${day} is not in ${year}: import one year at a time`);
    else if (seen.has(day)) problems.push(`${name}[${i}] ${day} is listed twice`);
    else seen.add(day);
  }
  return [...seen].sort();
}

/**
 * One year of the official arrangement, as an operator writes it from the State Council's notice:
 * `{ "year": 2027, "source": "国办发明电〔2026〕…", "daysOff": [...], "makeUpWorkdays": [...] }`
 * (`provisional` optional, false). Every problem is listed at once, in a TB_WORKFLOW_CALENDAR_INVALID.
 */
export function parseCalendarYear(input: unknown): HolidayYear {
  const problems: string[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw invalid(['the file must hold one JSON object: { "year", "source", "daysOff", "makeUpWorkdays" } (one year at a time)']);
  }
  const o = input as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!['year', 'source', 'provisional', 'daysOff', 'makeUpWorkdays'].includes(key)) problems.push(`unknown field ${JSON.stringify(key)}`);
  }
  const year = o.year;
  if (typeof year !== 'number' || !Number.isInteger(year) || year < 2000 || year > 2100) {
    throw invalid([...problems, 'year must be a whole year between 2000 and 2100']);
  }
  const source = typeof o.source === 'string' ? o.source.trim() : '';
  if (source === '' || source.length > 500) problems.push('source must name the notice (at most 500 characters)');
  if (o.provisional !== undefined && typeof o.provisional !== 'boolean') problems.push('provisional must be true or false');
  const daysOff = dayList(o.daysOff, 'daysOff', year, problems);
  const makeUpWorkdays = dayList(o.makeUpWorkdays, 'makeUpWorkdays', year, problems);
  if (daysOff.length === 0 && Array.isArray(o.daysOff)) problems.push('daysOff is empty: every year has public holidays');
  for (const day of makeUpWorkdays) {
    if (weekday(day) !== 0 && weekday(day) !== 6) problems.push(`makeUpWorkdays ${day} is not a Saturday or Sunday`);
    if (daysOff.includes(day)) problems.push(`${day} is both a day off and a make-up working day`);
  }
  if (problems.length > 0) throw invalid(problems);
  return { year, source, provisional: o.provisional === true, daysOff, makeUpWorkdays };
}

function invalid(problems: readonly string[]): TongbanError {
  return new TongbanError(WorkflowErrors.TB_WORKFLOW_CALENDAR_INVALID, { detail: problems.join('; ') });
}

/** The built-in years with the imported ones in their place (an imported year replaces a built-in one). */
export function mergeYears(builtIn: readonly HolidayYear[], imported: readonly HolidayYear[]): { years: HolidayYear[]; info: CalendarYearInfo[] } {
  const byYear = new Map<number, { year: HolidayYear; origin: CalendarYearInfo['origin'] }>();
  for (const year of builtIn) byYear.set(year.year, { year, origin: 'built-in' });
  for (const year of imported) byYear.set(year.year, { year, origin: 'imported' });
  const sorted = [...byYear.values()].sort((a, b) => a.year.year - b.year.year);
  return {
    years: sorted.map((y) => y.year),
    info: sorted.map(({ year, origin }) => ({ year: year.year, source: year.source, provisional: year.provisional, origin })),
  };
}

/**
 * The last year from the current one on that the official arrangement covers without a gap; the
 * year before the current one when the current year itself is missing or provisional.
 */
export function coveredUntil(years: readonly CalendarYearInfo[], currentYear: number): number {
  const official = new Set(years.filter((y) => !y.provisional).map((y) => y.year));
  let year = currentYear;
  while (official.has(year)) year += 1;
  return year - 1;
}

/**
 * What the operator must see: the current year, and from December the next, when missing (days
 * would count as weekdays, weekends only) or provisional (statutory days only, no make-up days).
 */
export function calendarWarnings(years: readonly CalendarYearInfo[], today: string): CalendarWarning[] {
  const current = Number(today.slice(0, 4));
  const checked = today.slice(5, 7) === '12' ? [current, current + 1] : [current];
  return checked.flatMap((year): CalendarWarning[] => {
    const found = years.find((y) => y.year === year);
    if (!found) return [{ year, problem: 'missing' }];
    return found.provisional ? [{ year, problem: 'provisional' }] : [];
  });
}
