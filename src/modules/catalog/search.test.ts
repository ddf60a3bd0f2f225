import { sql } from 'kysely';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Kernel } from '../../kernel/context.js';
import { serviceColumns } from './derive.js';
import { createCatalogService, DEMO_CATALOG_DIR, loadDefinitionFolder, type CatalogService, type ServiceDefinition } from './index.js';
import { up as searchNamesWithKeywords } from './migrations/0002_search-names-with-keywords.js';
import { parseQuery } from './search.js';
import { catalogSources, demoDefinition, testKernel } from './test-kit.js';

const seedActor = { kind: 'system', id: 'test' } as const;

/** Queries as people type them, and the service they mean (first in the results). */
const QUERIES: readonly [query: string, slug: string][] = [
  ['营业执照', 'sole-trader-business-licence'],
  ['怎么办理营业执照', 'sole-trader-business-licence'],
  ['个体户营业执照申请', 'sole-trader-business-licence'],
  ['我想开个店', 'sole-trader-business-licence'],
  ['營業執照', 'sole-trader-business-licence'],
  ['我要办居住证', 'residence-certificate'],
  ['居住證', 'residence-certificate'],
  ['居住证怎么申请', 'residence-certificate'],
  ['暂住证', 'residence-certificate'],
  ['驾照', 'driving-licence-renewal'],
  ['驾照到期了怎么换', 'driving-licence-renewal'],
  ['駕駛證', 'driving-licence-renewal'],
  ['驾驶证换证', 'driving-licence-renewal'],
  ['新生儿怎么上户口', 'birth-registration'],
  ['宝宝落户', 'birth-registration'],
  ['低保怎么申请', 'minimum-living-allowance'],
  ['如何申请低保？', 'minimum-living-allowance'],
  ['建房规划许可', 'building-planning-permit'],
  ['ｄｉｂａｏ', 'minimum-living-allowance'],
  ['driving licences', 'driving-licence-renewal'],
  ['driving license', 'driving-licence-renewal'],
  ['drivers license renewal', 'driving-licence-renewal'],
  ['renew my driving licnece', 'driving-licence-renewal'],
  ['business licenses', 'sole-trader-business-licence'],
  ['planning permits', 'building-planning-permit'],
  ['residence permit', 'residence-certificate'],
  ['register a birth', 'birth-registration'],
  ['how do I register a baby', 'birth-registration'],
];

describeEachDatabase('service search as people type it', catalogSources, (use) => {
  let kernel: Kernel;
  let catalog: CatalogService;
  beforeAll(async () => {
    kernel = await testKernel(use());
    catalog = createCatalogService(kernel);
    const report = await catalog.importBundle((await loadDefinitionFolder(DEMO_CATALOG_DIR)).bundle, seedActor);
    if (!report.ok) throw new Error(JSON.stringify(report.problems));
  });
  const slugs = async (text: string) => (await catalog.searchServices({ text, locale: /[a-z]/i.test(text) ? 'en' : 'zh-CN' })).map((s) => s.slug);

  it.each(QUERIES)('finds %s', async (query, slug) => {
    expect((await slugs(query))[0]).toBe(slug);
  });

  it.each(['护照', '结婚登记', '社保卡挂失', '怎么办理', '出入境', 'tax refund', 'marriage licence', 'licence hologram', '%', '_'])('finds nothing for %s', async (query) => {
    expect(await slugs(query)).toEqual([]);
  });

  it('puts a service named for the query before one that mentions it in its text', async () => {
    // "register": in two names, and only in the guidance of the minimum living allowance.
    const register = await slugs('register');
    expect(register.slice(0, 2).sort()).toEqual(['birth-registration', 'sole-trader-business-licence']);
    expect(register.slice(2)).toContain('minimum-living-allowance');
    // 个体工商户营业执照: the whole query in the sole trader's name, ahead of any partial match.
    expect((await slugs('个体工商户营业执照'))[0]).toBe('sole-trader-business-licence');
  });

  it('keeps filters and the order by name when nothing was typed', async () => {
    expect(await slugs('   ')).toHaveLength(6);
    expect((await catalog.searchServices({ text: '驾照', category: 'business' })).map((s) => s.slug)).toEqual([]);
    expect((await catalog.searchServices({ text: '营业執照', lifeEvent: 'starting-a-business' })).map((s) => s.slug)).toEqual(['sole-trader-business-licence']);
  });

  it('fills the names and keywords of services published before, as publishing does now (migration 0002)', async () => {
    await sql`update catalog_services set name_search = lower(name_zh || E'\n' || name_en)`.execute(kernel.db);
    await searchNamesWithKeywords(kernel.db);
    const { rows } = await sql<{ slug: string; name_search: string }>`select slug, name_search from catalog_services`.execute(kernel.db);
    expect(rows).toHaveLength(6);
    for (const row of rows) expect(row.name_search).toBe(serviceColumns(demoDefinition(row.slug) as ServiceDefinition, 1).nameSearch);
  });
});

describe('reading a query', () => {
  const units = (q: string) => parseQuery(q).units.map((u) => u.text);
  it('drops how people ask, keeps what they ask for, in character pairs', () => {
    expect(units('怎么办理营业执照？')).toEqual(['营业', '业执', '执照']);
    expect(units('我要办居住证')).toEqual(['居住', '住证']);
    expect(units('驾照到期了怎么换')).toEqual(['驾照', '照到', '到期', '换']);
  });
  it('reads full-width letters, traditional characters and American spelling as the catalogue writes them', () => {
    expect(units('ＤＩＢＡＯ')).toEqual(['dibao']);
    expect(units('營業執照')).toEqual(['营业', '业执', '执照']);
    expect(parseQuery('how do I renew my driver licenses').units.map((u) => (u.kind === 'word' ? u.stem : u.text))).toEqual(['renew', 'driver', 'licence']);
  });
  it('keeps the question words when they are all there is', () => {
    expect(units('怎么办理')).toEqual(['怎么', '么办', '办理']);
    expect(units('%_')).toEqual([]);
  });
});
