import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { createCatalogService, DEMO_CATALOG_DIR, loadDefinitionFolder, type CatalogService } from './index.js';
import { catalogSources, demoDefinition, testKernel } from './test-kit.js';

/*
 * A service's prefill may read only the items its data agreement lists (docs/adr/0019): publishing
 * one that maps an item outside the agreement is refused with the item's JSON Pointer, through the
 * API and an import alike. An agreement not in force (not made yet, retired) cannot be checked.
 */

const seedActor = { kind: 'system', id: 'test' } as const;
const AGREEMENTS: Record<string, readonly string[]> = { 'prefill-population': ['name', 'dateOfBirth', 'householdAddress'] };

describeEachDatabase('catalog: prefill items must be in the data agreement', catalogSources, (use) => {
  let catalog: CatalogService;
  beforeAll(async () => {
    catalog = createCatalogService(await testKernel(use()), { agreementItems: (id) => Promise.resolve(AGREEMENTS[id]) });
    const imported = await catalog.importBundle((await loadDefinitionFolder(DEMO_CATALOG_DIR)).bundle, seedActor);
    expect(imported.ok).toBe(true);
  });

  const outside = () => {
    const d = demoDefinition('residence-certificate');
    d.prefill!.fields[2]!.item = 'sex';
    return d;
  };

  it('refuses to publish a prefill of an item the agreement does not list', async () => {
    await expect(catalog.publishDefinition(outside(), seedActor, () => true)).rejects.toMatchObject({
      code: 'TB_CATALOG_INVALID_DEFINITION',
      fields: [{ pointer: '/prefill/fields/2/item', message: 'catalog.problem.itemNotInAgreement', params: { item: 'sex', agreement: 'prefill-population' } }],
    });
    const report = await catalog.importBundle({ services: [{ file: 'residence.json', json: outside() }] }, seedActor);
    expect(report).toEqual({ ok: false, problems: [{ file: 'residence.json', pointer: '/prefill/fields/2/item', detail: 'item "sex" is not among the items of the data agreement "prefill-population"' }] });
    expect(await catalog.listVersions('residence-certificate')).toHaveLength(1);
  });

  it('publishes one whose items are all in the agreement, or whose agreement is not in force', async () => {
    const within = demoDefinition('residence-certificate');
    within.prefill!.fields = within.prefill!.fields.slice(0, 2);
    expect(await catalog.publishDefinition(within, seedActor, () => true)).toMatchObject({ outcome: 'updated', version: 2 });
    const elsewhere = outside();
    elsewhere.prefill!.agreement = 'not-made-yet';
    expect(await catalog.publishDefinition(elsewhere, seedActor, () => true)).toMatchObject({ outcome: 'updated', version: 3 });
  });
});
