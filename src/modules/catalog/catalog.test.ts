import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Kernel } from '../../kernel/context.js';
import { createCatalogService, DEMO_CATALOG_DIR, loadDefinitionFolder, type CatalogService, type DefinitionBundle } from './index.js';
import { catalogSources, demoDefinition, newServiceFrom, testKernel } from './test-kit.js';

const seedActor = { kind: 'system', id: 'test' } as const;
const DRIVING = '24a15176-d0ec-414d-98f5-dd44339f99a9';
const services = (...files: { file: string; json: unknown }[]): DefinitionBundle => ({ services: files });

describeEachDatabase('catalog import, versions and search', catalogSources, (use) => {
  let kernel: Kernel;
  let catalog: CatalogService;
  beforeAll(async () => {
    kernel = await testKernel(use());
    catalog = createCatalogService(kernel);
  });

  it('imports the demo folder, and importing it again changes nothing', async () => {
    const { bundle, problems } = await loadDefinitionFolder(DEMO_CATALOG_DIR);
    expect(problems).toEqual([]);
    const first = await catalog.importBundle(bundle, seedActor);
    if (!first.ok) throw new Error(JSON.stringify(first.problems));
    expect(first.agencies.map((a) => a.outcome)).toEqual(['created', 'created', 'created', 'created', 'created']);
    expect(first.services).toHaveLength(6);
    expect(first.services.every((s) => s.outcome === 'created' && s.version === 1)).toBe(true);

    const again = await catalog.importBundle((await loadDefinitionFolder(DEMO_CATALOG_DIR)).bundle, seedActor);
    if (!again.ok) throw new Error('re-import failed');
    expect(new Set([...again.agencies, ...again.services].map((r) => r.outcome))).toEqual(new Set(['unchanged']));
    expect(await catalog.listVersions('driving-licence-renewal')).toHaveLength(1);
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from tb_audit_record where action = 'catalog.service.publish'`.execute(kernel.db);
    expect(rows[0]?.n).toBe(6);
  });

  it('makes a changed definition version 2 while version 1 stays readable', async () => {
    const changed = demoDefinition('driving-licence-renewal');
    changed.fee = { type: 'fixed', amount: 1500, currency: 'CNY' };
    const report = await catalog.importBundle(services({ file: 'driving.json', json: changed }), seedActor);
    expect(report.ok && report.services[0]).toMatchObject({ outcome: 'updated', id: DRIVING, version: 2 });

    const current = await catalog.getCurrentService('driving-licence-renewal');
    expect(current).toMatchObject({ id: DRIVING, version: 2, currentVersion: 2 });
    expect(current?.definition.fee).toEqual({ type: 'fixed', amount: 1500, currency: 'CNY' });
    const v1 = await catalog.getServiceVersion(DRIVING, 1);
    expect(v1).toMatchObject({ version: 1, currentVersion: 2, publishedBy: 'system:test' });
    expect(v1?.definition.fee).toEqual({ type: 'fixed', amount: 1000, currency: 'CNY' });
    expect(v1?.contentHash).not.toBe(current?.contentHash);
    expect(await catalog.getServiceVersion(DRIVING, 3)).toBeUndefined();
    expect(await catalog.getServiceVersion('not-a-uuid', 1)).toBeUndefined();
    // By id works as well as by slug, and the same change again is a no-op.
    expect((await catalog.getCurrentService(DRIVING))?.slug).toBe('driving-licence-renewal');
    const same = await catalog.importBundle(services({ file: 'driving.json', json: changed }), seedActor);
    expect(same.ok && same.services[0]?.outcome).toBe('unchanged');
    // Going back to the first text is a change too: history only grows.
    const back = await catalog.importBundle(services({ file: 'driving.json', json: demoDefinition('driving-licence-renewal') }), seedActor);
    expect(back.ok && back.services[0]).toMatchObject({ outcome: 'updated', version: 3 });
    expect((await catalog.listVersions(DRIVING)).map((v) => v.version)).toEqual([1, 2, 3]);
  });

  it('reads a version inside the caller\'s transaction', async () => {
    const version = await kernel.db.transaction().execute((tx) => catalog.getServiceVersion(DRIVING, 1, tx));
    expect(version?.slug).toBe('driving-licence-renewal');
  });

  it('imports nothing when any file is invalid, naming each file and pointer', async () => {
    const valid = newServiceFrom('birth-registration', '5a0f4a59-3f67-4d55-9e2e-9d6f1c1e0001', 'valid-but-not-alone');
    const badWorkflow = newServiceFrom('birth-registration', '5a0f4a59-3f67-4d55-9e2e-9d6f1c1e0002', 'bad-workflow');
    badWorkflow.workflow.transitions[0]!.to = 'nowhere';
    const badField = newServiceFrom('sole-trader-business-licence', '5a0f4a59-3f67-4d55-9e2e-9d6f1c1e0003', 'bad-field');
    (badField.form.pages[0]!.fields[0] as { type: string }).type = 'hologram';
    const noName = newServiceFrom('residence-certificate', '5a0f4a59-3f67-4d55-9e2e-9d6f1c1e0004', 'no-chinese-name') as { name: Partial<Record<string, string>> };
    delete noName.name['zh-CN'];
    const unknownAgency = newServiceFrom('birth-registration', '5a0f4a59-3f67-4d55-9e2e-9d6f1c1e0005', 'unknown-agency');
    unknownAgency.agency = '310000-PSB';
    const stolenSlug = newServiceFrom('birth-registration', '5a0f4a59-3f67-4d55-9e2e-9d6f1c1e0006', 'residence-certificate');

    const report = await catalog.importBundle(services(
      { file: 'valid.json', json: valid },
      { file: 'bad-workflow.json', json: badWorkflow },
      { file: 'bad-field.json', json: badField },
      { file: 'no-name.json', json: noName },
      { file: 'unknown-agency.json', json: unknownAgency },
      { file: 'stolen-slug.json', json: stolenSlug },
      { file: 'twin.json', json: { ...valid, slug: 'valid-twin' } },
    ), seedActor);
    expect(report.ok).toBe(false);
    const found = report.ok ? [] : report.problems.map((p) => `${p.file} ${p.pointer}`);
    expect(found).toContain('bad-workflow.json /workflow/transitions/0/to');
    expect(found.some((p) => p.startsWith('bad-field.json /form/pages/0/fields/0'))).toBe(true);
    expect(found).toContain('no-name.json /name/zh-CN');
    expect(found).toContain('unknown-agency.json /agency');
    expect(found).toContain('stolen-slug.json /slug');
    expect(found).toContain('twin.json /id');
    expect(found.some((p) => p.startsWith('valid.json'))).toBe(false);
    expect(await catalog.getCurrentService('valid-but-not-alone')).toBeUndefined();
  });

  it('reports a broken agencies file once, not as unknown agencies in every service', async () => {
    const bundle: DefinitionBundle = {
      agencies: { file: 'agencies.json', json: { agencies: [{ code: '120000-PSB', name: { en: 'Tianjin police' } }] } },
      services: [{ file: 'tianjin.json', json: { ...newServiceFrom('birth-registration', '5a0f4a59-3f67-4d55-9e2e-9d6f1c1e0007', 'tianjin-birth'), agency: '120000-PSB' } }],
    };
    const report = await catalog.importBundle(bundle, seedActor);
    const files = report.ok ? [] : report.problems.map((p) => p.file);
    expect(new Set(files)).toEqual(new Set(['agencies.json']));
  });

  it('updates a changed agency and leaves an unchanged one alone', async () => {
    const { bundle } = await loadDefinitionFolder(DEMO_CATALOG_DIR);
    const file = structuredClone(bundle.agencies!.json) as { agencies: { code: string; contact: { phone: string } }[] };
    file.agencies[0]!.contact.phone = '010-110';
    const report = await catalog.importBundle({ agencies: { file: 'agencies.json', json: file }, services: [] }, seedActor);
    expect(report.ok && report.agencies.map((a) => a.outcome)).toEqual(['updated', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect((await catalog.getAgency('110000-PSB'))?.contact.phone).toBe('010-110');
  });

  it('finds services by Chinese and English text, names first', async () => {
    const slugs = async (text: string, locale: 'zh-CN' | 'en' = 'zh-CN') => (await catalog.searchServices({ text, locale })).map((s) => s.slug);
    expect(await slugs('营业执照')).toEqual(['sole-trader-business-licence']);
    expect(await slugs('居住证')).toEqual(['residence-certificate']);
    expect(await slugs('Driving LICENCE', 'en')).toEqual(['driving-licence-renewal']);
    expect(await slugs('dibao')).toEqual(['minimum-living-allowance']);
    // "register" is in two names and in other services' guidance: names come first.
    const register = await slugs('register', 'en');
    expect(register.slice(0, 2).sort()).toEqual(['birth-registration', 'sole-trader-business-licence']);
    expect(register.slice(2)).toContain('minimum-living-allowance');
    // Every word must match somewhere, in either language.
    expect(await slugs('licence 个体')).toEqual(['sole-trader-business-licence']);
    expect(await slugs('licence hologram')).toEqual([]);
    // LIKE wildcards are text, not patterns.
    expect(await slugs('%')).toEqual([]);
    expect(await slugs('_')).toEqual([]);
  });

  it('filters by category and life event, and lists both with counts', async () => {
    const slugs = async (q: { category?: string; lifeEvent?: string; text?: string }) => (await catalog.searchServices(q)).map((s) => s.slug);
    expect(await slugs({ category: 'transport' })).toEqual(['driving-licence-renewal']);
    expect(await slugs({ lifeEvent: 'having-a-baby' })).toEqual(['birth-registration']);
    expect((await slugs({ lifeEvent: 'starting-a-business' })).sort()).toEqual(['building-planning-permit', 'sole-trader-business-licence']);
    expect(await slugs({ lifeEvent: 'starting-a-business', text: '营业执照' })).toEqual(['sole-trader-business-licence']);
    expect(await slugs({ category: 'tax' })).toEqual([]);
    expect(await slugs({})).toHaveLength(6);
    expect(await catalog.listCategories()).toEqual([
      { id: 'business', count: 1 }, { id: 'identity-and-residence', count: 1 }, { id: 'family', count: 1 },
      { id: 'housing-and-construction', count: 1 }, { id: 'social-support', count: 1 }, { id: 'transport', count: 1 },
    ]);
    expect(await catalog.listLifeEvents()).toContainEqual({ id: 'starting-a-business', count: 2 });
  });

  it('orders results by name in the reader\'s language', async () => {
    const en = (await catalog.searchServices({ locale: 'en' })).map((s) => s.name.en);
    expect(en).toEqual([...en].sort((a, b) => a.localeCompare(b, 'en')));
  });

  it('unpublishes a service without losing its history, and publishes it again', async () => {
    const admin = () => true;
    const hidden = await catalog.setListed('birth-registration', false, seedActor, admin);
    expect(hidden.listed).toBe(false);
    expect((await catalog.searchServices({ text: '出生' })).map((s) => s.slug)).toEqual([]);
    expect(await catalog.getCurrentService('birth-registration')).toBeUndefined();
    expect((await catalog.getCurrentService('birth-registration', { includeUnlisted: true }))?.listed).toBe(false);
    expect((await catalog.getServiceVersion('9c8a4eac-8103-482a-979e-484e94cfec8f', 1))?.slug).toBe('birth-registration');
    expect(await catalog.listLifeEvents()).not.toContainEqual(expect.objectContaining({ id: 'having-a-baby' }));
    await expect(catalog.setListed('birth-registration', true, seedActor, () => false)).rejects.toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    expect((await catalog.setListed('birth-registration', true, seedActor, admin)).listed).toBe(true);
    expect((await catalog.searchServices({ text: '出生' })).map((s) => s.slug)).toEqual(['birth-registration']);
    await expect(catalog.setListed('no-such-service', false, seedActor, admin)).rejects.toMatchObject({ code: 'TB_CATALOG_SERVICE_NOT_FOUND' });
  });

  it('publishes one definition with the agency guard, and refuses moving it to an agency the publisher does not hold', async () => {
    const d = demoDefinition('birth-registration');
    d.summary.en = 'Register a birth in Beijing.';
    const psbOnly = (agency: string) => agency === '110000-PSB';
    expect(await catalog.publishDefinition(d, seedActor, psbOnly)).toMatchObject({ outcome: 'updated', version: 2 });
    await expect(catalog.publishDefinition(d, seedActor, () => false)).rejects.toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    d.agency = '110000-CAB';
    await expect(catalog.publishDefinition(d, seedActor, (agency) => agency === '110000-CAB')).rejects.toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    const invalid = { ...d, slug: 'Not A Slug' };
    await expect(catalog.publishDefinition(invalid, seedActor, () => true)).rejects.toMatchObject({
      code: 'TB_CATALOG_INVALID_DEFINITION', status: 422, fields: [expect.objectContaining({ pointer: '/slug' })],
    });
  });

  it('refuses to publish a form that takes an account fact into a field of the wrong type (ADR 70)', async () => {
    const d = structuredClone(demoDefinition('residence-certificate'));
    const fields = d.form.pages[0]!.fields as unknown as Record<string, unknown>[];
    const at = fields.findIndex((f) => f.type === 'date');
    fields[at] = { ...fields[at], fromAccount: 'name' };
    const before = await catalog.getCurrentService('residence-certificate');
    await expect(catalog.publishDefinition(d, seedActor, () => true)).rejects.toMatchObject({
      code: 'TB_CATALOG_INVALID_DEFINITION', status: 422,
      fields: [expect.objectContaining({ pointer: `/form/pages/0/fields/${at}/fromAccount`, detail: '"name" fits only a short-text field, not a date field' })],
    });
    expect((await catalog.getCurrentService('residence-certificate'))?.version).toBe(before?.version);
  });

  it('refuses to publish a workflow whose own action has no label in both languages, and keeps the current version', async () => {
    const d = demoDefinition('building-planning-permit');
    const at = d.workflow.transitions.findIndex((t) => t.action === 'schedule_inspection');
    const own = d.workflow.transitions[at]!;
    const unlabelled = structuredClone(d);
    delete unlabelled.workflow.transitions[at]!.label;
    await expect(catalog.publishDefinition(unlabelled, seedActor, () => true)).rejects.toMatchObject({
      code: 'TB_CATALOG_INVALID_DEFINITION', status: 422,
      fields: [{ pointer: `/workflow/transitions/${at}/label`, message: 'catalog.problem.actionNeedsLabel', params: { action: 'schedule_inspection' } }],
    });
    const chineseOnly = structuredClone(d);
    chineseOnly.workflow.transitions[at]!.label = { 'zh-CN': own.label!['zh-CN'] } as never;
    await expect(catalog.publishDefinition(chineseOnly, seedActor, () => true)).rejects.toMatchObject({
      code: 'TB_CATALOG_INVALID_DEFINITION', fields: [expect.objectContaining({ pointer: `/workflow/transitions/${at}/label/en` })],
    });
    // A built-in action needs none: the workflow module labels it.
    expect(d.workflow.transitions.find((t) => t.action === 'claim')?.label).toBeUndefined();
    expect((await catalog.listVersions('building-planning-permit')).map((v) => v.version)).toEqual([1]);
  });
});
