import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateServiceDefinition } from './validate.js';

const demo = (slug: string) => JSON.parse(readFileSync(new URL(`../../../demo/catalog/${slug}.json`, import.meta.url), 'utf8')) as Record<string, unknown>;
const pointers = (json: unknown) => {
  const checked = validateServiceDefinition(json);
  return checked.ok ? [] : checked.problems.map((p) => p.pointer);
};

describe('fee rules in service definitions', () => {
  it('accepts the demo planning permit: a rule on the work type, due after the decision', () => {
    const checked = validateServiceDefinition(demo('building-planning-permit'));
    expect(checked.ok).toBe(true);
    if (checked.ok) expect(checked.value.fee).toMatchObject({ type: 'rule', when: 'after_decision', otherwise: 10000 });
  });

  it('refuses a rule without cases or otherwise, an amount beside cases, a bad due time, and a condition that does not compile', () => {
    const d = demo('building-planning-permit');
    d.fee = { type: 'rule', currency: 'CNY' };
    expect(new Set(pointers(d))).toEqual(new Set(['/fee/cases', '/fee/otherwise']));
    d.fee = { type: 'rule', currency: 'CNY', amount: 100, cases: [{ when: true, amount: 5 }], otherwise: 0, when: 'whenever' };
    expect(new Set(pointers(d))).toEqual(new Set(['/fee/amount', '/fee/when']));
    d.fee = { type: 'rule', currency: 'CNY', cases: [{ when: { type: 'no-such-type' }, amount: 5 }], otherwise: 0 };
    expect(pointers(d)).toEqual(['/fee/cases/0/when']);
    d.fee = { type: 'rule', currency: 'CNY', cases: [{ when: { properties: { $form: { properties: { work: { pattern: '(a+)+$' } } } } }, amount: 5 }], otherwise: 0 };
    expect(pointers(d)).toEqual(['/fee/cases/0/when/properties/$form/properties/work/pattern']);
    d.fee = { type: 'none', when: 'before_decision' };
    expect(pointers(d)).toEqual(['/fee/when']);
  });
});
