import { describe, expect, it } from 'vitest';
import { formatDay, formatTime, formatWhen } from './format.js';
import { isOpen, shanghaiInstant, shanghaiTime, slotTimes } from './slots.js';
import { ticketLabel } from './model.js';

const hall = { slotMinutes: 30, hours: { 1: [['09:00', '12:00'], ['13:30', '17:00']], 6: [['09:00', '10:00']], 7: [] }, closedDays: ['2026-12-08'] } as const;

describe('slots from opening hours and the PRC calendar', () => {
  it('cuts each opening period into whole slots', () => {
    const times = slotTimes(hall, '2026-12-07'); // a Monday
    expect(times.slice(0, 3)).toEqual(['09:00', '09:30', '10:00']);
    expect(times).toContain('11:30');
    expect(times).not.toContain('12:00');
    expect(times).toContain('13:30');
    expect(times.at(-1)).toBe('16:30');
    expect(times).toHaveLength(6 + 7);
  });

  it('is closed on the hall’s own closed days, on days with no hours and on public holidays', () => {
    expect(isOpen(hall, '2026-12-08')).toBe(false); // closed day
    expect(slotTimes(hall, '2026-12-09')).toEqual([]); // Wednesday: no hours in this hall
    expect(isOpen(hall, '2026-12-13')).toBe(false); // Sunday
    expect(isOpen(hall, '2026-12-12')).toBe(true); // Saturday with hours
    expect(slotTimes(hall, '2026-10-05')).toEqual([]); // National Day holiday (a Monday)
  });

  it('opens on a weekend made-up working day with Monday’s hours', () => {
    // 2026-09-20 is a Sunday worked for the Mid-Autumn holiday.
    expect(slotTimes(hall, '2026-09-20')).toEqual(slotTimes(hall, '2026-12-07'));
  });

  it('converts Shanghai wall-clock times and formats them per locale', () => {
    const at = shanghaiInstant('2026-12-07', '09:30');
    expect(at.toISOString()).toBe('2026-12-07T01:30:00.000Z');
    expect(shanghaiTime(at)).toBe('09:30');
    expect(formatDay(at, 'zh-CN')).toBe('2026年12月7日星期一');
    expect(formatDay(at, 'en')).toBe('Monday, 7 December 2026');
    expect(formatTime(at, 'zh-CN')).toBe('09:30');
    expect(formatTime(at, 'en')).toBe('9:30 am');
    expect(formatWhen(at, 'en')).toBe('Monday, 7 December 2026 at 9:30 am');
    expect(formatWhen(at, 'zh-CN')).toBe('2026年12月7日星期一 09:30');
  });

  it('labels tickets with the hall letter and three digits', () => {
    expect(ticketLabel('A', 1)).toBe('A001');
    expect(ticketLabel('B', 42)).toBe('B042');
    expect(ticketLabel('A', 1000)).toBe('A1000');
  });
});
