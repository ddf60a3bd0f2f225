import { currentHolidays, shanghaiDay, type Holidays } from '../workflow/service.js';
import type { Hours } from './store.js';

/** What slot generation needs to know about a hall. */
export interface HallCalendar {
  readonly slotMinutes: number;
  readonly hours: Hours;
  readonly closedDays: readonly string[];
}

const DAY_MS = 86_400_000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

export const isDay = (value: string): boolean => DAY.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
export const isTime = (value: string): boolean => TIME.test(value);

export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/** The instant of a Shanghai wall-clock time (China keeps UTC+8 all year). */
export function shanghaiInstant(day: string, time: string): Date {
  return new Date(`${day}T${time}:00+08:00`);
}

/** `HH:MM` of an instant in Shanghai. */
export function shanghaiTime(at: Date): string {
  return new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(11, 16);
}

export { shanghaiDay };

/** ISO weekday, 1 (Monday) to 7 (Sunday). */
function weekday(day: string): number {
  const d = new Date(`${day}T00:00:00Z`).getUTCDay();
  return d === 0 ? 7 : d;
}

/**
 * Whether the hall opens on `day`: a working day in the PRC calendar (weekends off unless made up
 * for a holiday, public holidays off) and not one of the hall's own closed days. The calendar is
 * the one in force (imported years included: `tongban calendar import`), read at each call.
 */
export function isOpen(hall: HallCalendar, day: string, holidays: Holidays = currentHolidays()): boolean {
  if (hall.closedDays.includes(day)) return false;
  if (holidays.makeUpWorkdays.has(day)) return true;
  if (holidays.daysOff.has(day)) return false;
  return (hall.hours[String(weekday(day))] ?? []).length > 0;
}

/** The opening periods of a day; a weekend made-up working day keeps Monday's hours. */
function periodsOf(hall: HallCalendar, day: string, holidays: Holidays): readonly (readonly [string, string])[] {
  const own = hall.hours[String(weekday(day))] ?? [];
  if (own.length === 0 && holidays.makeUpWorkdays.has(day)) return hall.hours['1'] ?? [];
  return own;
}

const minutes = (time: string): number => Number(time.slice(0, 2)) * 60 + Number(time.slice(3, 5));
const clock = (total: number): string => `${String(Math.floor(total / 60)).padStart(2, '0')}:${String(total % 60).padStart(2, '0')}`;

/** The slot start times of a day, `HH:MM`, each slot ending within its opening period. */
export function slotTimes(hall: HallCalendar, day: string, holidays: Holidays = currentHolidays()): string[] {
  if (!isOpen(hall, day, holidays)) return [];
  const times: string[] = [];
  for (const [open, close] of periodsOf(hall, day, holidays)) {
    for (let t = minutes(open); t + hall.slotMinutes <= minutes(close); t += hall.slotMinutes) times.push(clock(t));
  }
  return times;
}
