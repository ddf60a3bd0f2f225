import { describe, expect, it } from 'vitest';
import { leakIn } from './leak.js';

describe('leakIn', () => {
  const problem = (instance: string, detail = 'must match format "uuid"') =>
    JSON.stringify({ type: 'https://tongban.dev/errors/TB_KERNEL_VALIDATION', status: 400, instance, errors: [{ pointer: '/params/serviceId', detail }] });

  it('finds an internal detail in an answer', () => {
    expect(leakIn(problem('/x', 'at Object.<anonymous> (/app/src/kernel/db.ts:12:3)'))).toBe('.ts:1');
    expect(leakIn('<p>relation "cases" does not exist</p>')).toBe('relation "');
    expect(leakIn('Error\n    at run (file.js:1:1)')).toBe('\n    at ');
  });

  it('does not count the request echoed back as a leak', () => {
    const url = '/govstack/registration/services/pg/applications';
    expect(leakIn(problem(url))).toBe('pg/');
    expect(leakIn(problem(url), [url])).toBeUndefined();
    // A value echoed inside a JSON string or HTML attribute, as each writes it.
    expect(leakIn(JSON.stringify({ detail: 'SELECT "x"' }), ['SELECT "x"'])).toBeUndefined();
    expect(leakIn('<input value="SELECT &quot;x&quot; &lt;b&gt;">', ['SELECT "x" <b>'])).toBeUndefined();
  });

  it('still finds a leak beside an echo, and an innocent echo cuts nothing', () => {
    const url = '/services/pg/applications';
    expect(leakIn(`${problem(url)} at /srv/node_modules/kysely`, [url])).toBe('node_modules');
    // Cutting "t" would break the stack frame apart; an echo that is no leak by itself stays.
    expect(leakIn('Error\n    at run (file.js:1:1)', ['t', ' '])).toBe('\n    at ');
  });
});
