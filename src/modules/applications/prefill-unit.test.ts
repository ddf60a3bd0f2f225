import { describe, expect, it } from 'vitest';
import { compileForm } from '../../forms/index.js';
import { demoDefinition } from '../catalog/test-kit.js';
import type { PrefillSpec } from '../catalog/service.js';
import { toAddress } from './prefill-address.js';
import { answersFromRegistry, digestOf, markedForm, markedRowTargets, marksOf } from './prefill.js';
import type { PrefillRow } from './prefill-store.js';

const definition = demoDefinition('residence-certificate') as unknown as { form: Parameters<typeof compileForm>[0]; prefill: PrefillSpec };
const form = compileForm(definition.form);
const spec = definition.prefill;
const ctx = { now: '2026-12-03' };
const REGISTER = { 'zh-CN': '人口登记簿', en: 'Population register' };

const row = (fields: PrefillRow['fields']): PrefillRow => ({
  application_id: '00000000-0000-7000-8000-000000000000', outcome: 'filled', registry: 'population', agreement_id: 'prefill-population',
  agreement_version: 1, basis: 'consent', reason: null, fields, channel: 'online', decided_by: 'x', decided_at: new Date(),
});

describe('prefill: registry values into answers', () => {
  it('splits a register address line into the address field\'s parts, and refuses a line it cannot split', () => {
    expect(toAddress('北京市东城区示例街道 1 号')).toEqual({ province: '北京市', city: '北京市', district: '东城区', line1: '示例街道 1 号' });
    expect(toAddress('广东省深圳市南山区科技园路 8 号')).toEqual({ province: '广东省', city: '深圳市', district: '南山区', line1: '科技园路 8 号' });
    expect(toAddress('内蒙古自治区呼和浩特市新城区 某路 3 号')).toEqual({ province: '内蒙古自治区', city: '呼和浩特市', district: '新城区', line1: '某路 3 号' });
    expect(toAddress('示例街道 1 号')).toBeUndefined();
    expect(toAddress('北京市东城区')).toBeUndefined();
  });

  it('fills the mapped fields with values the form accepts, and leaves out values it would refuse', () => {
    const good = answersFromRegistry(form, spec, { name: '张伟', dateOfBirth: '1990-03-07', householdAddress: '北京市东城区示例街道 1 号', sex: 'male' }, ctx);
    expect(good.answers).toEqual({
      full_name: '张伟', date_of_birth: '1990-03-07', hukou_address: { province: '北京市', city: '北京市', district: '东城区', line1: '示例街道 1 号' },
    });
    expect(good.fields.map((f) => [f.field, f.item])).toEqual([['full_name', 'name'], ['date_of_birth', 'dateOfBirth'], ['hukou_address', 'householdAddress']]);
    expect(good.fields[0]?.digest).toBe(digestOf('张伟'));

    // A birth date in the future fails the field's own rule; an address with no district cannot be split; a name too long.
    const bad = answersFromRegistry(form, spec, { name: '张'.repeat(51), dateOfBirth: '2099-01-01', householdAddress: '东城区' }, ctx);
    expect(bad.answers).toEqual({});
    expect(bad.fields).toEqual([]);
    expect(answersFromRegistry(form, spec, {}, ctx).fields).toEqual([]);
  });

  it('tells an unchanged answer from a changed one by digest, whatever the key order', () => {
    const address = { province: '北京市', city: '北京市', district: '东城区', line1: '示例街道 1 号' };
    const stored = row([{ field: 'full_name', item: 'name', digest: digestOf('张伟') }, { field: 'hukou_address', item: 'householdAddress', digest: digestOf(address) }]);
    const marks = marksOf(stored, { full_name: '张伟', hukou_address: { line1: '示例街道 1 号', district: '东城区', city: '北京市', province: '北京市' } }, REGISTER);
    expect([...(marks?.fields ?? [])]).toEqual([['full_name', { item: 'name', changed: false }], ['hukou_address', { item: 'householdAddress', changed: false }]]);
    const changed = marksOf(stored, { full_name: '张 伟' }, REGISTER);
    expect([...(changed?.fields.values() ?? [])].map((m) => m.changed)).toEqual([true, true]);
    expect(marksOf({ ...stored, outcome: 'declined' }, {}, REGISTER)).toBeUndefined();
    expect(marksOf(undefined, {}, REGISTER)).toBeUndefined();
  });

  it('says on the field where its answer came from, in both languages, and marks the check page rows', () => {
    const marks = marksOf(row([{ field: 'full_name', item: 'name', digest: digestOf('张伟') }, { field: 'date_of_birth', item: 'dateOfBirth', digest: digestOf('x') }]), { full_name: '张伟', date_of_birth: '1990-03-07' }, REGISTER);
    const marked = markedForm(form, marks);
    const you = marked.definition.pages[0]?.fields ?? [];
    expect(you.find((f) => f.id === 'full_name')?.hint).toEqual({ 'zh-CN': '来自人口登记簿。', en: 'From the population register.' });
    expect(you.find((f) => f.id === 'date_of_birth')?.hint?.en).toBe('Changed: this answer is different from the population register.');
    expect(you.find((f) => f.id === 'phone')?.hint).toBeUndefined();
    expect(markedForm(form, undefined)).toBe(form);
    const rows = markedRowTargets(form, marks);
    expect(rows.get('you#full_name')).toEqual({ field: 'full_name', changed: false });
    expect(rows.get('you#date_of_birth-day')).toEqual({ field: 'date_of_birth', changed: true });
    const summaryHrefs = marked.summary({ full_name: '张伟', date_of_birth: '1990-03-07' }, 'en', ctx).map((r) => r.changeHref);
    expect(summaryHrefs.filter((h) => rows.has(h))).toHaveLength(2);
  });
});
