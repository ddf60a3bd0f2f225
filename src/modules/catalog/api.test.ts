import { beforeAll, afterAll, expect, it } from 'vitest';
import { expectAccessible, launchBrowser, newPage } from '../../../test/helpers/browser.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, signIn } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { demoDefinition, newServiceFrom } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const RESIDENCE = '7d16d506-9f99-4721-b933-1f8981ddfddc';

describeEachDatabase('catalog API and pages', migrationSources, (use) => {
  let built: Built;
  const sessions = new Map<string, string>();

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => m.name === 'identity' || m.name === 'catalog')) {
      await mod.seed?.({ kernel: built.kernel, services: built.services });
    }
    for (const persona of ['officer', 'agency-admin', 'platform-admin']) {
      const browser = createTestBrowser(built.app, PUBLIC_URL);
      await signIn(browser, persona);
      sessions.set(persona, browser.cookie(SESSION_COOKIE) ?? '');
    }
  });
  afterAll(async () => { await built.app.close(); });

  const api = (method: 'GET' | 'POST', url: string, options: { as?: string; body?: unknown } = {}) => built.app.inject({
    method, url,
    headers: { accept: 'application/json', ...(options.as ? { cookie: `${SESSION_COOKIE}=${sessions.get(options.as)}` } : {}) },
    ...(options.body !== undefined ? { payload: options.body as object } : {}),
  });
  const page = (url: string, lang?: 'en' | 'zh-CN') => built.app.inject({ method: 'GET', url, headers: { accept: 'text/html', ...(lang ? { 'accept-language': lang } : {}) } });

  it('lists and searches services publicly', async () => {
    const all = await api('GET', '/api/catalog/services');
    expect(all.statusCode).toBe(200);
    expect((all.json<{ services: unknown[] }>()).services).toHaveLength(6);
    const found = await api('GET', `/api/catalog/services?q=${encodeURIComponent('居住证')}`);
    expect(found.json<{ services: { slug: string }[] }>().services.map((s) => s.slug)).toEqual(['residence-certificate']);
    const byEvent = await api('GET', '/api/catalog/services?lifeEvent=owning-a-vehicle&lang=en');
    expect(byEvent.json<{ services: { slug: string; category: string }[] }>().services).toEqual([expect.objectContaining({ slug: 'driving-licence-renewal', category: 'transport' })]);
    const agencies = await api('GET', '/api/catalog/agencies');
    expect(agencies.json<{ agencies: { code: string }[] }>().agencies.map((a) => a.code)).toContain('110000-HUC');
  });

  it('gets one service by slug or id, a version by number, and 404 for neither', async () => {
    const bySlug = await api('GET', '/api/catalog/services/residence-certificate');
    expect(bySlug.statusCode).toBe(200);
    const body = bySlug.json<{ id: string; version: number; publishedAt: string; definition: { name: { en: string } } }>();
    expect(body).toMatchObject({ id: RESIDENCE, version: 1, definition: { name: { en: 'Apply for a residence permit (juzhuzheng)' } } });
    expect(Date.parse(body.publishedAt)).not.toBeNaN();
    expect((await api('GET', `/api/catalog/services/${RESIDENCE}?version=1`)).json<{ slug: string }>().slug).toBe('residence-certificate');
    const missing = await api('GET', '/api/catalog/services/residence-certificate?version=9');
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ code: string }>().code).toBe('TB_CATALOG_VERSION_NOT_FOUND');
    expect((await api('GET', '/api/catalog/services/no-such-service')).json<{ code: string }>().code).toBe('TB_CATALOG_SERVICE_NOT_FOUND');
  });

  it('lets only administrators of the agency publish', async () => {
    const changed = demoDefinition('residence-certificate');
    changed.summary.en = 'Get a Beijing residence permit if you moved here from another city.';
    const anonymous = await api('POST', '/api/catalog/services', { body: changed });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['content-type']).toContain('application/problem+json');
    expect((await api('POST', '/api/catalog/services', { as: 'officer', body: changed })).statusCode).toBe(403);
    // The agency administrator of PSB may not publish for market regulation.
    const amr = await api('POST', '/api/catalog/services', { as: 'agency-admin', body: demoDefinition('sole-trader-business-licence') });
    expect(amr.statusCode).toBe(403);
    expect(amr.json<{ code: string }>().code).toBe('TB_KERNEL_FORBIDDEN');

    const updated = await api('POST', '/api/catalog/services', { as: 'agency-admin', body: changed });
    expect(updated.statusCode).toBe(200);
    expect(updated.json()).toEqual({ outcome: 'updated', id: RESIDENCE, slug: 'residence-certificate', version: 2 });
    const again = await api('POST', '/api/catalog/services', { as: 'agency-admin', body: changed });
    expect(again.json<{ outcome: string; version: number }>()).toMatchObject({ outcome: 'unchanged', version: 2 });

    const created = await api('POST', '/api/catalog/services', { as: 'platform-admin', body: newServiceFrom('birth-registration', '3f1b8b1e-2d1c-4f7e-9a55-6a0c8e2b7c01', 'birth-registration-copy') });
    expect(created.statusCode).toBe(201);
    expect(created.headers.location).toBe('/api/catalog/services/3f1b8b1e-2d1c-4f7e-9a55-6a0c8e2b7c01');
  });

  it('answers 422 problem+json with a pointer per problem for an invalid definition', async () => {
    const bad = demoDefinition('residence-certificate') as unknown as { name: Record<string, string>; workflow: { transitions: { to: string }[] } };
    delete bad.name['zh-CN'];
    const response = await api('POST', '/api/catalog/services', { as: 'platform-admin', body: bad });
    expect(response.statusCode).toBe(422);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{ code: string; errors: { pointer: string; code: string }[] }>();
    expect(problem.code).toBe('TB_CATALOG_INVALID_DEFINITION');
    expect(problem.errors).toEqual([{ pointer: '/name/zh-CN', detail: 'is required', code: 'catalog.problem.schema' }]);

    const wrongState = demoDefinition('residence-certificate');
    wrongState.workflow.transitions[0]!.to = 'nowhere';
    const workflow = await api('POST', '/api/catalog/services', { as: 'platform-admin', body: wrongState });
    expect(workflow.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(['/workflow/transitions/0/to']);
    const slug = await api('POST', '/api/catalog/services', { as: 'platform-admin', body: newServiceFrom('birth-registration', '3f1b8b1e-2d1c-4f7e-9a55-6a0c8e2b7c02', 'residence-certificate') });
    expect(slug.statusCode).toBe(409);
    expect(slug.json<{ errors: { pointer: string }[] }>().errors[0]?.pointer).toBe('/slug');
  });

  it('renders the start page in both languages', async () => {
    const zh = await page('/services/driving-licence-renewal', 'zh-CN');
    expect(zh.statusCode).toBe(200);
    expect(zh.body).toContain('<html lang="zh-CN"');
    expect(zh.body).toContain('机动车驾驶证换证');
    expect(zh.body).toContain('¥10.00');
    expect(zh.body).toContain('href="/services/driving-licence-renewal/apply"');
    expect(zh.body).toContain('立即办理');
    const en = await page('/services/driving-licence-renewal?lang=en');
    expect(en.body).toContain('<html lang="en"');
    expect(en.body).toContain('Renew a driving licence');
    expect(en.body).toContain('Start now');
    expect(en.body).toContain('1 working day');
    expect(en.body).toContain('Medical certificate of fitness to drive');
    expect(en.body).toContain('<li>your resident identity card</li>');
    const visit = await page('/services/residence-certificate?lang=en');
    expect(visit.body).toContain('You will need to go in person');
    expect((await page('/services/no-such-service')).statusCode).toBe(404);
  });

  it('escapes definition text on the start page and in search results', async () => {
    const hostile = newServiceFrom('birth-registration', '3f1b8b1e-2d1c-4f7e-9a55-6a0c8e2b7c03', 'hostile-text');
    hostile.name.en = 'Register <script>alert(1)</script> a birth';
    hostile.guidance.whoCanApply.en = '<img src=x onerror=alert(2)> & everyone';
    expect((await api('POST', '/api/catalog/services', { as: 'platform-admin', body: hostile })).statusCode).toBe(201);
    const start = await page('/services/hostile-text?lang=en');
    expect(start.body).not.toContain('<script>alert');
    expect(start.body).not.toContain('<img src=x');
    expect(start.body).toContain('Register &lt;script>alert(1)&lt;/script> a birth');
    expect(start.body).toContain('&lt;img src=x onerror=alert(2)> &amp; everyone');
    const results = await page(`/services?q=${encodeURIComponent('<script>')}&lang=en`);
    expect(results.body).not.toContain('<script>alert');
    expect(results.body).toContain('value="&lt;script>"');
  });

  it('browses and searches on the services page without JavaScript', async () => {
    const all = await page('/services?lang=en');
    expect(all.statusCode).toBe(200);
    expect(all.body).toContain('<form method="get" action="/services" role="search"');
    expect(all.body).toContain('Driving and transport (1)');
    const byCategory = await page('/services?category=transport&lang=en');
    expect(byCategory.body).toContain('1 service found');
    expect(byCategory.body).toContain('href="/services/driving-licence-renewal"');
    expect(byCategory.body).toContain('<option value="transport" selected');
    const zh = await page(`/services?q=${encodeURIComponent('营业执照')}`, 'zh-CN');
    expect(zh.body).toContain('找到 1 项服务');
    expect(zh.body).toContain('个体工商户营业执照办理');
    const none = await page('/services?q=hologram&lifeEvent=not-an-event&lang=en');
    expect(none.body).toContain('No services found');
  });

  it('says when nothing matched, what to try, where to browse and whom to ask, in both languages (axe in Chromium)', async () => {
    const en = (await page('/services?q=hologram&category=transport&lang=en')).body;
    expect(en).toContain('No services found');
    expect(en).toContain('There are no services matching your search.');
    expect(en).toContain('checking your spelling');
    expect(en).toContain('using fewer or different words');
    expect(en).toContain('<a href="/services?q=hologram">clearing the filters</a>');
    expect(en).toContain('href="/services?category=business"');
    expect(en).toContain('href="/services?lifeEvent=having-a-baby"');
    expect(en).toContain('<a href="/contact">Contact us if you cannot find the service you need</a>');
    const zh = (await page(`/services?q=${encodeURIComponent('全息图')}`, 'zh-CN')).body;
    expect(zh).toContain('没有与搜索内容相符的服务。');
    expect(zh).toContain('检查是否有错别字');
    expect(zh).not.toContain('清除筛选条件</a>');
    expect(zh).toContain('或按主题、人生事件浏览服务');
    expect(zh).toContain('<a href="/contact">找不到需要的服务？联系我们</a>');

    const chromium = await launchBrowser();
    try {
      const tab = await newPage(chromium);
      let html = '';
      await tab.route(`${PUBLIC_URL}/**`, async (route) => {
        const url = new URL(route.request().url());
        if (url.pathname === '/under-test') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
        const asset = await built.app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
        return route.fulfill({ status: asset.statusCode, headers: asset.headers as Record<string, string>, body: asset.rawPayload });
      });
      for (const [label, body] of [['no results (en)', en], ['no results (zh-CN)', zh]] as const) {
        html = body;
        await tab.goto(`${PUBLIC_URL}/under-test`);
        await expectAccessible(tab, label);
      }
    } finally {
      await chromium.close();
    }
  });

  it('hides an unpublished service from search and its start page, keeping its versions', async () => {
    expect((await api('POST', '/api/catalog/services/driving-licence-renewal/unpublish', { as: 'agency-admin' })).statusCode).toBe(403);
    const hidden = await api('POST', '/api/catalog/services/driving-licence-renewal/unpublish', { as: 'platform-admin' });
    expect(hidden.json<{ listed: boolean }>().listed).toBe(false);
    expect((await page('/services/driving-licence-renewal')).statusCode).toBe(404);
    expect((await api('GET', '/api/catalog/services/driving-licence-renewal')).statusCode).toBe(404);
    expect((await api('GET', '/api/catalog/services/driving-licence-renewal?version=1')).statusCode).toBe(200);
    const back = await api('POST', '/api/catalog/services/driving-licence-renewal/republish', { as: 'platform-admin' });
    expect(back.json<{ listed: boolean }>().listed).toBe(true);
    expect((await page('/services/driving-licence-renewal')).statusCode).toBe(200);
  });

  it('describes the API in OpenAPI', async () => {
    const spec = (await built.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, unknown> }>();
    expect(Object.keys(spec.paths)).toEqual(expect.arrayContaining(['/api/catalog/services', '/api/catalog/services/{idOrSlug}', '/api/catalog/agencies']));
    expect(Object.keys(spec.paths)).not.toContain('/services/{slug}');
  });
});
