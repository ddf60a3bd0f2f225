import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { createHeldForms, formFieldsOf, HELD_FORM_MS } from './held-forms.js';
import { authMigrations } from './index.js';

describe('the fields of a posted form, as kept', () => {
  it('keeps every field in order, a repeated one as often as it came, without the CSRF token', () => {
    expect(formFieldsOf({ _csrf: 'old-token', service: 'CN/GOV/110000-PSB/population/persons', options: ['needsConsent', 'storeBodies'], path: '' })).toEqual([
      ['service', 'CN/GOV/110000-PSB/population/persons'], ['options', 'needsConsent'], ['options', 'storeBodies'], ['path', ''],
    ]);
  });

  it('keeps nothing that is not a plain form: JSON objects with other values, arrays, nothing, a form too large', () => {
    expect(formFieldsOf({ count: 3 })).toBeUndefined();
    expect(formFieldsOf({ nested: { a: 'b' } })).toBeUndefined();
    expect(formFieldsOf(['a'])).toBeUndefined();
    expect(formFieldsOf(undefined)).toBeUndefined();
    expect(formFieldsOf({ openapi: 'x'.repeat(1_000_001) })).toBeUndefined();
  });
});

describeEachDatabase('forms kept while their sender signs in again (ADR 55)', [authMigrations], (use) => {
  const clock = { t: new Date('2030-01-01T08:00:00Z').getTime() };
  const held = () => createHeldForms(use().database.db, () => new Date(clock.t));

  it('gives a kept form back to its own account only, and only for fifteen minutes', async () => {
    const id = await held().hold('account-1', '/admin/mediator/registry/services/edit?id=CN%2FGOV', [['name', '人口信息'], ['options', 'a'], ['options', 'b']]);
    expect(await held().find(id, 'account-1')).toEqual({ path: '/admin/mediator/registry/services/edit?id=CN%2FGOV', fields: [['name', '人口信息'], ['options', 'a'], ['options', 'b']] });
    expect(await held().find(id, 'account-2')).toBeUndefined();
    expect(await held().find('0190a1b2-0000-7000-8000-000000000000', 'account-1')).toBeUndefined();
    clock.t += HELD_FORM_MS - 1;
    expect(await held().find(id, 'account-1')).toBeDefined();
    clock.t += 1;
    expect(await held().find(id, 'account-1')).toBeUndefined();
  });

  it('forgets the forms kept of one path for one account once it is sent again, and no other', async () => {
    const sent = await held().hold('account-4', '/admin/x?id=1', [['x', '1']]);
    const other = await held().hold('account-4', '/admin/x?id=2', [['x', '2']]);
    const someoneElse = await held().hold('account-5', '/admin/x?id=1', [['x', '3']]);
    await held().release('account-4', '/admin/x?id=1');
    expect(await held().find(sent, 'account-4')).toBeUndefined();
    expect(await held().find(other, 'account-4')).toBeDefined();
    expect(await held().find(someoneElse, 'account-5')).toBeDefined();
  });

  it('deletes expired forms when another is kept and when pruned', async () => {
    const count = async () => (await sql<{ n: number }>`select count(*)::int as n from kernel_held_form`.execute(use().database.db)).rows[0]?.n;
    await held().hold('account-3', '/a', [['x', '1']]);
    clock.t += HELD_FORM_MS;
    await held().hold('account-3', '/b', [['x', '2']]);
    expect(await count()).toBe(1);
    clock.t += HELD_FORM_MS;
    await held().prune();
    expect(await count()).toBe(0);
  });
});
