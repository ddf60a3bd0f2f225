import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWorkingDays, countdown, holidaysFrom, isWorkingDay, PRC_HOLIDAYS, shanghaiDay, slaDueAt } from './calendar.js';
import { HOLIDAY_YEARS } from './holidays.js';

/** An instant given as Shanghai wall-clock time. */
const cst = (local: string) => new Date(`${local}+08:00`);

describe('the working-day calendar (Asia/Shanghai)', () => {
  it('takes the calendar day in Shanghai, not in UTC', () => {
    expect(shanghaiDay(new Date('2026-03-01T16:30:00Z'))).toBe('2026-03-02');
    expect(shanghaiDay(new Date('2026-03-01T15:59:59Z'))).toBe('2026-03-01');
  });

  it('knows weekends, the 2026 holidays and the make-up working days', () => {
    expect(isWorkingDay('2026-03-02', PRC_HOLIDAYS)).toBe(true); // Monday
    expect(isWorkingDay('2026-03-07', PRC_HOLIDAYS)).toBe(false); // Saturday
    expect(isWorkingDay('2026-02-16', PRC_HOLIDAYS)).toBe(false); // Spring Festival, Monday
    expect(isWorkingDay('2026-02-14', PRC_HOLIDAYS)).toBe(true); // make-up Saturday
    expect(isWorkingDay('2026-01-04', PRC_HOLIDAYS)).toBe(true); // make-up Sunday
    expect(isWorkingDay('2026-10-08', PRC_HOLIDAYS)).toBe(true); // after National Day
    expect(isWorkingDay('2026-10-07', PRC_HOLIDAYS)).toBe(false);
    expect(isWorkingDay('2027-02-08', PRC_HOLIDAYS)).toBe(false); // 2027 Spring Festival, Monday (statutory)
    // 2027 (provisional): 除夕 is Friday 5 February (初一 Saturday 6th); 初一 and 初二 fall on the
    // weekend, so Tuesday 9th and Wednesday 10th are off in lieu (全国年节及纪念日放假办法 art. 6).
    expect(isWorkingDay('2027-02-04', PRC_HOLIDAYS)).toBe(true);
    expect(isWorkingDay('2027-02-05', PRC_HOLIDAYS)).toBe(false);
    expect(isWorkingDay('2027-02-10', PRC_HOLIDAYS)).toBe(false);
    expect(isWorkingDay('2027-02-11', PRC_HOLIDAYS)).toBe(true);
    expect(['2027-05-03', '2027-05-04', '2027-10-04', '2027-10-05'].map((d) => isWorkingDay(d, PRC_HOLIDAYS))).toEqual([false, false, false, false]);
    expect(isWorkingDay('2027-10-06', PRC_HOLIDAYS)).toBe(true);
    expect(HOLIDAY_YEARS.find((y) => y.year === 2027)?.provisional).toBe(true);
    // With no holiday data a weekday is a working day: the data, not the code, makes the holiday.
    expect(isWorkingDay('2026-02-16', holidaysFrom([]))).toBe(true);
  });

  it('keeps its data consistent: make-up days are weekends and never days off', () => {
    for (const year of HOLIDAY_YEARS) {
      for (const day of year.makeUpWorkdays) {
        expect([0, 6]).toContain(new Date(`${day}T00:00:00Z`).getUTCDay());
        expect(year.daysOff).not.toContain(day);
      }
      for (const day of [...year.daysOff, ...year.makeUpWorkdays]) expect(day.startsWith(`${year.year}-`)).toBe(true);
    }
    expect(HOLIDAY_YEARS.map((y) => y.year)).toEqual([2026, 2027]);
  });

  it('adds working days from the next day, keeping the clock time', () => {
    // Friday afternoon + 3 working days = Wednesday afternoon.
    expect(addWorkingDays(cst('2026-03-06T15:00:00'), 3)).toEqual(cst('2026-03-11T15:00:00'));
    // A Saturday submission counts from Monday.
    expect(addWorkingDays(cst('2026-03-07T10:00:00'), 1)).toEqual(cst('2026-03-09T10:00:00'));
    // Across the Spring Festival: Friday 13 Feb, then the make-up Saturday 14th, then the holiday to the 23rd.
    expect(addWorkingDays(cst('2026-02-13T09:00:00'), 1)).toEqual(cst('2026-02-14T09:00:00'));
    expect(addWorkingDays(cst('2026-02-13T09:00:00'), 2)).toEqual(cst('2026-02-24T09:00:00'));
    // Across National Day: 30 September + 1 working day is 8 October.
    expect(addWorkingDays(cst('2026-09-30T09:00:00'), 1)).toEqual(cst('2026-10-08T09:00:00'));
    expect(addWorkingDays(cst('2026-03-06T15:00:00'), 0)).toEqual(cst('2026-03-06T15:00:00'));
    expect(() => addWorkingDays(cst('2026-03-06T15:00:00'), -1)).toThrow(RangeError);
  });

  it('ends a deadline at midnight after its last working day', () => {
    expect(slaDueAt(cst('2026-03-06T15:00:00'), 3)).toEqual(cst('2026-03-12T00:00:00'));
    // 23:30 on Friday in Shanghai is still Friday (15:30 UTC): the next working day is Monday.
    expect(slaDueAt(cst('2026-03-06T23:30:00'), 1)).toEqual(cst('2026-03-10T00:00:00'));
  });

  it('lands on a working day, after the start, for any start and length', () => {
    const start = fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-10-31T00:00:00Z') }).map((t) => new Date(t));
    fc.assert(fc.property(start, fc.integer({ min: 1, max: 30 }), (from, n) => {
      const to = addWorkingDays(from, n);
      expect(isWorkingDay(shanghaiDay(to), PRC_HOLIDAYS)).toBe(true);
      expect(to.getTime()).toBeGreaterThan(from.getTime());
      // One more working day is always later: the count is monotonic.
      expect(addWorkingDays(from, n + 1).getTime()).toBeGreaterThan(to.getTime());
      // Splitting the count changes nothing.
      expect(addWorkingDays(addWorkingDays(from, 1), n - 1)).toEqual(to);
    }), { numRuns: 300 });
  });

  it('counts down in working days, says "today" on the last day, and then counts late days', () => {
    const due = cst('2026-03-12T00:00:00'); // last day Wednesday 11 March
    expect(countdown(cst('2026-03-06T15:00:00'), due)).toEqual({ kind: 'left', workingDays: 3 });
    expect(countdown(cst('2026-03-10T08:00:00'), due)).toEqual({ kind: 'left', workingDays: 1 });
    expect(countdown(cst('2026-03-11T23:59:00'), due)).toEqual({ kind: 'today' });
    expect(countdown(cst('2026-03-12T00:00:00'), due)).toEqual({ kind: 'overdue', days: 1 });
    expect(countdown(cst('2026-03-13T09:00:00'), due)).toEqual({ kind: 'overdue', days: 2 });
  });
});
