import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_CATALOG_DIR, validateAgenciesFile, validateServiceDefinition, type ServiceDefinition } from '../src/modules/catalog/index.js';

const read = (name: string): unknown => JSON.parse(readFileSync(join(DEMO_CATALOG_DIR, name), 'utf8'));
const serviceFiles = readdirSync(DEMO_CATALOG_DIR).filter((f) => f.endsWith('.json') && f !== 'agencies.json').sort();

/** The demo is what newcomers see first: every file must be valid, complete and consistent. */
describe('demo catalog', () => {
  const agencies = validateAgenciesFile(read('agencies.json'));
  const definitions = new Map<string, ServiceDefinition>();
  for (const file of serviceFiles) {
    const checked = validateServiceDefinition(read(file));
    if (checked.ok) definitions.set(file, checked.value);
  }

  it('has a valid agencies file with the five demo agencies', () => {
    expect(agencies.ok ? [] : agencies.problems).toEqual([]);
    expect(agencies.ok && agencies.value.map((a) => a.code)).toEqual(['110000-PSB', '110000-AMR', '110000-CAB', '110000-HUC', '110000-TRA']);
  });

  it.each(serviceFiles)('%s is a valid service definition', (file) => {
    const checked = validateServiceDefinition(read(file));
    expect(checked.ok ? [] : checked.problems.map((p) => `${p.pointer}: ${p.detail}`)).toEqual([]);
  });

  it('has six services with their own ids and slugs, named after their files, from known agencies', () => {
    expect(definitions.size).toBe(6);
    const codes = new Set(agencies.ok ? agencies.value.map((a) => a.code) : []);
    const all = [...definitions.entries()];
    expect(new Set(all.map(([, d]) => d.id)).size).toBe(6);
    for (const [file, d] of all) {
      expect(file).toBe(`${d.slug}.json`);
      expect(codes.has(d.agency)).toBe(true);
    }
  });

  it('covers the fee, the in-person step, certificates and a good spread of field types', () => {
    const bySlug = new Map([...definitions.values()].map((d) => [d.slug, d]));
    expect(bySlug.get('driving-licence-renewal')?.fee).toEqual({ type: 'fixed', amount: 1000, currency: 'CNY' });
    expect(bySlug.get('sole-trader-business-licence')?.fee).toEqual({ type: 'none' });
    expect(bySlug.get('sole-trader-business-licence')?.certificate?.templateId).toBe('business-licence');
    expect(bySlug.get('residence-certificate')?.inPerson.required).toBe(true);
    // One service has all three (fee, in-person step, certificate): the one-stop journey's.
    const renewal = bySlug.get('driving-licence-renewal');
    expect([renewal?.inPerson.required, renewal?.certificate?.templateId]).toEqual([true, 'driving-licence']);
    expect(bySlug.get('building-planning-permit')?.documents.map((d) => d.id)).toContain('site_plan');
    const allowance = bySlug.get('minimum-living-allowance');
    const fields = allowance?.form.pages.flatMap((p) => p.fields) ?? [];
    expect(fields.find((f) => f.type === 'repeating-group')?.id).toBe('members');
    expect(fields.filter((f) => f.type === 'money').length).toBeGreaterThan(0);
    const types = new Set([...definitions.values()].flatMap((d) => d.form.pages.flatMap((p) => p.fields.map((f) => f.type))));
    expect(types.size).toBeGreaterThanOrEqual(12);
  });
});
