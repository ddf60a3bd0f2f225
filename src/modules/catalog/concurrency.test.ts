import { readFileSync } from 'node:fs';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Kernel } from '../../kernel/context.js';
import { createCatalogService, DEMO_CATALOG_DIR, loadDefinitionFolder, type CatalogService } from './index.js';
import { catalogSources, demoDefinition, newServiceFrom, testKernel } from './test-kit.js';

// Publishing at once. On PostgreSQL the calls really overlap; PGlite runs one transaction at a
// time, where the same calls must give the same answers.
const seedActor = { kind: 'system', id: 'test' } as const;
const anyAgency = () => true;
const outcome = (r: PromiseSettledResult<{ outcome: string }>) => (r.status === 'fulfilled' ? r.value.outcome : (r.reason as { code?: string }).code ?? String(r.reason));

describeEachDatabase('catalog: publishing at once', catalogSources, (use) => {
  let kernel: Kernel;
  let catalog: CatalogService;
  beforeAll(async () => {
    kernel = await testKernel(use());
    catalog = createCatalogService(kernel);
    const { bundle } = await loadDefinitionFolder(DEMO_CATALOG_DIR);
    const imported = await catalog.importBundle(bundle, seedActor);
    if (!imported.ok) throw new Error(JSON.stringify(imported.problems));
  });

  it('creates a new service published several times at once once, the others as versions after it', async () => {
    const id = '0f3e7a52-5d4b-4c1e-9a6f-3b2d1c0e9f81';
    const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => {
      const d = newServiceFrom('residence-certificate', id, 'race-new-service');
      d.summary.en = `Version written by caller ${i}.`;
      return catalog.publishDefinition(d, seedActor, anyAgency);
    }));
    expect(results.map(outcome).sort()).toEqual(['created', ...Array<string>(7).fill('updated')]);
    expect((await catalog.listVersions(id)).map((v) => v.version)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it('gives a new slug claimed by two new services at once to one, the other TB_CATALOG_SLUG_TAKEN', async () => {
    const ids = ['5a1c9e2b-7d3f-4e8a-b6c4-2f9d8e7a1b30', '6b2d0f3c-8e4a-4f9b-a7d5-3a0e9f8b2c41'];
    const results = await Promise.allSettled(ids.map((id) => catalog.publishDefinition(newServiceFrom('residence-certificate', id, 'race-same-slug'), seedActor, anyAgency)));
    expect(results.map(outcome).sort()).toEqual(['TB_CATALOG_SLUG_TAKEN', 'created']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
  });

  it('numbers versions of an existing service published at once one after another', async () => {
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => {
      const d = demoDefinition('driving-licence-renewal');
      d.summary.en = `Renew a driving licence (${i}).`;
      return catalog.publishDefinition(d, seedActor, anyAgency);
    }));
    expect(results.map(outcome)).toEqual(['updated', 'updated', 'updated', 'updated']);
    expect((await catalog.listVersions('driving-licence-renewal')).map((v) => v.version)).toEqual([1, 2, 3, 4, 5]);
  });

  it('creates a new agency imported twice at once once', async () => {
    const demo = JSON.parse(readFileSync(`${DEMO_CATALOG_DIR}/agencies.json`, 'utf8')) as { agencies: { code: string }[] };
    const agency = { ...demo.agencies[0]!, code: '110000-RACE' };
    const bundle = { agencies: { file: 'agencies.json', json: { agencies: [agency] } }, services: [] };
    const results = await Promise.allSettled([catalog.importBundle(bundle, seedActor), catalog.importBundle(bundle, seedActor)]);
    expect(results.map((r) => (r.status === 'fulfilled' && r.value.ok ? r.value.agencies[0]?.outcome : r.status === 'rejected' ? String(r.reason) : 'problems')).sort()).toEqual(['created', 'unchanged']);
  });
});
