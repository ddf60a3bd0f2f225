import { describe, expect, it } from 'vitest';
import { parseLogSearch, startOfDay } from './log-search.js';

describe('the message log search form, parsed', () => {
  it('reads days as whole days in China Standard Time, the last one included', () => {
    expect(startOfDay('2026-12-05')?.toISOString()).toBe('2026-12-04T16:00:00.000Z');
    expect(parseLogSearch({ from: '2026-12-05', to: '2026-12-05' })).toEqual({
      ok: true, filter: { outcome: 'all', from: new Date('2026-12-04T16:00:00Z'), to: new Date('2026-12-05T16:00:00Z') },
    });
  });

  it('takes blanks as no filter and trims what was typed', () => {
    expect(parseLogSearch({ client: ' ', service: '', from: undefined, outcome: '' })).toEqual({ ok: true, filter: { outcome: 'all' } });
    expect(parseLogSearch({ client: ' CN/GOV/110000-CAB/civil-system ', service: 'CN/GOV/110000-PSB', outcome: 'refused' })).toEqual({
      ok: true, filter: { outcome: 'refused', client: 'CN/GOV/110000-CAB/civil-system', service: 'CN/GOV/110000-PSB' },
    });
  });

  it('names each field that is wrong: ids of the wrong shape, days that do not exist, days out of order, unknown outcomes', () => {
    expect(parseLogSearch({ client: 'CN/GOV/110000-CAB', service: 'CN/GOV', from: '2026-02-30', to: '5 Dec', outcome: 'maybe' })).toEqual({
      ok: false,
      problems: [{ field: 'client', problem: 'client' }, { field: 'service', problem: 'service' }, { field: 'from', problem: 'date' }, { field: 'to', problem: 'date' }, { field: 'outcome', problem: 'outcome' }],
    });
    expect(parseLogSearch({ from: '2026-12-05', to: '2026-12-04' })).toEqual({ ok: false, problems: [{ field: 'to', problem: 'order' }] });
    expect(parseLogSearch({ service: 'CN/GOV/110000-PSB/population/persons/extra' })).toMatchObject({ ok: false });
  });

  it('reads the cursor of the next page, and refuses one that is not a time and a record id', () => {
    const id = '0193A5C2-7B4E-7C1D-9F00-2B6E4C8D1A2F';
    expect(parseLogSearch({ older: `2026-12-05T08:00:00.123Z_${id}` })).toEqual({ ok: true, filter: { outcome: 'all', olderThan: { at: new Date('2026-12-05T08:00:00.123Z'), id: id.toLowerCase() } } });
    for (const older of ['yesterday', `2026-13-05T08:00:00Z_${id}`, '2026-12-05T08:00:00Z_x', `2026-12-05T08:00:00Z_${id}_more`]) {
      expect(parseLogSearch({ older })).toEqual({ ok: false, problems: [{ field: 'older', problem: 'older' }] });
    }
  });
});
