import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CATEGORIES, LIFE_EVENTS, validateAgenciesFile, validateServiceDefinition } from './service.js';
import { demoDefinition } from './test-kit.js';
import { DOCUMENTS_PAGE } from '../applications/service.js';
import { definitionSchemaPath, RESERVED_PAGE_IDS } from './validate.js';

const pointers = (json: unknown) => {
  const checked = validateServiceDefinition(json);
  return checked.ok ? [] : checked.problems.map((p) => p.pointer);
};

describe('service definition validation', () => {
  it('accepts a demo definition and drops the $schema editor hint', () => {
    const checked = validateServiceDefinition(demoDefinition('driving-licence-renewal'));
    expect(checked.ok).toBe(true);
    if (checked.ok) {
      expect(checked.value).not.toHaveProperty('$schema');
      expect(checked.value.fee).toEqual({ type: 'fixed', amount: 1000, currency: 'CNY' });
    }
  });

  it('points at a missing zh-CN name and at an unknown property', () => {
    const d = demoDefinition('birth-registration') as unknown as Record<string, Record<string, unknown>>;
    delete d.name!['zh-CN'];
    d.guidance!.moreInfo = { 'zh-CN': '更多', en: 'More' };
    expect(pointers(d)).toEqual(['/name/zh-CN', '/guidance/moreInfo']);
    const checked = validateServiceDefinition(d);
    expect(checked.ok ? [] : checked.problems.map((p) => p.detail)).toEqual(['is required', 'is not a known property']);
  });

  it('points at a workflow transition to a state that is not declared', () => {
    const d = demoDefinition('birth-registration');
    d.workflow.transitions[0]!.to = 'nowhere';
    d.workflow.transitions[1]!.from = ['in_review', 'limbo'];
    const checked = validateServiceDefinition(d);
    expect(checked.ok).toBe(false);
    if (!checked.ok) {
      expect(checked.problems.map((p) => [p.pointer, p.message])).toEqual([
        ['/workflow/transitions/0/to', 'catalog.problem.unknownState'],
        ['/workflow/transitions/1/from/1', 'catalog.problem.unknownState'],
      ]);
      expect(checked.problems[0]?.detail).toBe('state "nowhere" is not declared');
    }
  });

  it('refuses an undeclared initial state, a final state that leads on, and an unreachable state', () => {
    const undeclared = demoDefinition('birth-registration');
    undeclared.workflow.initial = 'draft';
    expect(pointers(undeclared)).toEqual(['/workflow/initial']);

    const leaves = demoDefinition('birth-registration');
    leaves.workflow.transitions.push({ action: 'reopen', from: ['approved'], to: 'in_review', by: 'supervisor', needsReason: true, label: { 'zh-CN': '重新办理', en: 'Reopen' } });
    expect(pointers(leaves)).toEqual([`/workflow/transitions/${leaves.workflow.transitions.length - 1}/from/0`]);

    const unreachable = demoDefinition('birth-registration');
    unreachable.workflow.states.splice(2, 0, { id: 'archived', name: { 'zh-CN': '已归档', en: 'Archived' }, final: false });
    expect(pointers(unreachable)).toEqual(['/workflow/states/2']);
  });

  it('refuses two transitions for one action from one state, and duplicate ids', () => {
    const d = demoDefinition('birth-registration');
    d.workflow.transitions.push({ action: 'claim', from: ['submitted'], to: 'escalated', by: 'supervisor', needsReason: false });
    d.documents.push({ ...d.documents[0]! });
    expect(pointers(d)).toEqual([`/workflow/transitions/${d.workflow.transitions.length - 1}/from/0`, `/documents/${d.documents.length - 1}/id`]);
  });

  it('refuses a reject that needs no reason: the applicant is always told why (the mail needs one)', () => {
    const d = demoDefinition('birth-registration');
    const rejects = d.workflow.transitions.flatMap((t, i) => (t.action === 'reject' ? [i] : []));
    expect(rejects.length).toBe(2);
    d.workflow.transitions[rejects[1]!] = { ...d.workflow.transitions[rejects[1]!]!, needsReason: false };
    const checked = validateServiceDefinition(d);
    expect(checked.ok ? [] : checked.problems.map((p) => [p.pointer, p.message])).toEqual([
      [`/workflow/transitions/${rejects[1]!}/needsReason`, 'catalog.problem.rejectNeedsReason'],
    ]);
  });

  it('refuses a form page named like a page the journey makes (the documents page)', () => {
    expect(RESERVED_PAGE_IDS).toContain(DOCUMENTS_PAGE);
    const d = demoDefinition('sole-trader-business-licence');
    d.form.pages[1] = { ...d.form.pages[1]!, id: DOCUMENTS_PAGE };
    const checked = validateServiceDefinition(d);
    expect(checked.ok ? [] : checked.problems.map((p) => [p.pointer, p.message, p.detail])).toEqual([
      ['/form/pages/1/id', 'catalog.problem.reservedPageId', 'page id "documents" is taken by the application journey'],
    ]);
  });

  it('relays the forms engine: an unknown field type is reported inside /form', () => {
    const d = demoDefinition('sole-trader-business-licence');
    (d.form.pages[0]!.fields[1] as { type: string }).type = 'colour-picker';
    const found = pointers(d);
    expect(found.length).toBeGreaterThan(0);
    expect(found.every((p) => p.startsWith('/form/pages/0/fields/1'))).toBe(true);
  });

  it('checks that certificate answers name form fields', () => {
    const d = demoDefinition('sole-trader-business-licence');
    d.certificate!.answers.push('shoe_size');
    expect(pointers(d)).toEqual([`/certificate/answers/${d.certificate!.answers.length - 1}`]);
  });

  it('checks fees and the in-person step', () => {
    const fee = demoDefinition('driving-licence-renewal') as unknown as { fee: Record<string, unknown> };
    fee.fee = { type: 'fixed', currency: 'CNY' };
    expect(pointers(fee)).toEqual(['/fee/amount']);
    fee.fee = { type: 'none', amount: 0 };
    expect(new Set(pointers(fee))).toEqual(new Set(['/fee/amount']));
    fee.fee = { type: 'fixed', amount: 10.5, currency: 'USD' };
    expect(pointers(fee)).toEqual(['/fee/amount', '/fee/currency']);

    const visit = demoDefinition('residence-certificate');
    delete visit.inPerson.description;
    expect(pointers(visit)).toEqual(['/inPerson/description']);
  });

  it('escapes JSON Pointer tokens of unknown properties', () => {
    const d = demoDefinition('birth-registration') as unknown as Record<string, unknown>;
    d['a/b~c'] = 1;
    expect(pointers(d)).toEqual(['/a~1b~0c']);
  });

  it('refuses something that is not a definition at all', () => {
    expect(pointers('hello')).toEqual(['']);
    expect(pointers({})).toContain('/id');
  });

  it('checks the agencies file, including duplicate codes', () => {
    const file = { agencies: [
      { code: '110000-PSB', name: { 'zh-CN': '公安局', en: 'Police' }, contact: { phone: '010-1', address: { 'zh-CN': '北京', en: 'Beijing' } } },
      { code: '110000-PSB', name: { 'zh-CN': '公安局', en: 'Police' }, contact: { phone: '010-1', address: { 'zh-CN': '北京', en: 'Beijing' } } },
      { code: 'PSB', name: { en: 'Police' }, contact: { phone: '010-1', address: { 'zh-CN': '北京', en: 'Beijing' } } },
    ] };
    const bad = validateAgenciesFile(file);
    expect(bad.ok ? [] : bad.problems.map((p) => p.pointer)).toEqual(['/agencies/2/code', '/agencies/2/name/zh-CN']);
    file.agencies.pop();
    const twice = validateAgenciesFile(file);
    expect(twice.ok ? [] : twice.problems.map((p) => p.pointer)).toEqual(['/agencies/1/code']);
  });

  it('publishes the same browse vocabulary in the JSON Schema as in the code', () => {
    const schema = JSON.parse(readFileSync(definitionSchemaPath, 'utf8')) as { properties: { category: { enum: string[] }; lifeEvents: { items: { enum: string[] } } } };
    expect(schema.properties.category.enum).toEqual([...CATEGORIES]);
    expect(schema.properties.lifeEvents.items.enum).toEqual([...LIFE_EVENTS]);
  });

  it('accepts the demo prefill and refuses a prefill of a missing field, a file, or one field twice', () => {
    const demo = validateServiceDefinition(demoDefinition('residence-certificate'));
    expect(demo.ok && demo.value.prefill?.fields.map((f) => f.field)).toEqual(['full_name', 'date_of_birth', 'hukou_address']);

    const d = demoDefinition('birth-registration');
    const purpose = { 'zh-CN': '预填', en: 'To fill in the form' };
    const withPrefill = { ...d, prefill: { registry: 'population', agreement: 'prefill-population', purpose, fields: [
      { field: 'mother_name', item: 'name' }, { field: 'nobody', item: 'name' }, { field: 'mother_name', item: 'dateOfBirth' },
    ] } };
    const checked = validateServiceDefinition(withPrefill);
    expect(checked.ok ? [] : checked.problems.map((p) => [p.pointer, p.message])).toEqual([
      ['/prefill/fields/1/field', 'catalog.problem.unknownField'],
      ['/prefill/fields/2/field', 'catalog.problem.duplicateId'],
    ]);

    const licence = demoDefinition('minimum-living-allowance');
    const group = { ...licence, prefill: { registry: 'population', agreement: 'prefill-population', purpose, fields: [{ field: 'members', item: 'household' }] } };
    const refused = validateServiceDefinition(group);
    expect(refused.ok ? [] : refused.problems.map((p) => [p.pointer, p.message, p.detail])).toEqual([
      ['/prefill/fields/0/field', 'catalog.problem.notPrefillable', 'field "members" is a repeating-group and cannot be filled from a registry'],
    ]);

    const noPurpose = { ...d, prefill: { registry: 'population', agreement: 'prefill-population', fields: [{ field: 'mother_name', item: 'name' }] } };
    expect(pointers(noPurpose)).toEqual(['/prefill/purpose']);
  });
});
