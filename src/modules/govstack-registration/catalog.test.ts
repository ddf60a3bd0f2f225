import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { parseEFormId } from './mapping.js';
import { specViolations } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const BASE = '/govstack/registration';
const RESIDENCE = '7d16d506-9f99-4721-b933-1f8981ddfddc';
const UNKNOWN = '00000000-0000-4000-8000-000000000000';

describeEachDatabase('GovStack Registration API: services and e-forms', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules) await mod.seed?.({ kernel: built.kernel, services: built.services });
  });
  afterAll(async () => { await built.app.close(); });

  const get = (url: string, lang?: string) => built.app.inject({ method: 'GET', url: `${BASE}${url}`, headers: { accept: 'application/json', ...(lang ? { 'accept-language': lang } : {}) } });

  it('lists the published services in the spec\'s shape, in the caller\'s language', async () => {
    const res = await get('/services', 'en');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ id: string; name: string; version: string; serviceBody: { code: string; value: string }[] }[]>();
    expect(specViolations('main', '/services', 'get', '200', body)).toEqual([]);
    expect(body).toHaveLength(6);
    const residence = body.find((s) => s.id === RESIDENCE);
    expect(residence).toMatchObject({ name: 'Apply for a residence permit (juzhuzheng)', version: '1', type: 'Public', isExecutable: true });
    expect(residence?.serviceBody).toContainEqual({ code: 'startPage', value: `${PUBLIC_URL}/services/residence-certificate` });
    const zh = (await get('/services')).json<{ id: string; name: string }[]>();
    expect(zh.find((s) => s.id === RESIDENCE)?.name).toMatch(/居住证/);
  });

  it('filters by name and answers an empty array when nothing matches', async () => {
    const found = (await get(`/services?name=${encodeURIComponent('居住证')}`)).json<{ id: string }[]>();
    expect(found.map((s) => s.id)).toEqual([RESIDENCE]);
    const none = await get('/services?name=zzzz-no-such-service');
    expect(none.statusCode).toBe(200);
    expect(none.json()).toEqual([]);
  });

  it('gives one service with its details, and 404 problem+json for an unknown one', async () => {
    const res = await get(`/services/${RESIDENCE}`, 'en');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ serviceBody: { code: string; value: string }[] }>();
    expect(specViolations('main', '/services/{serviceId}', 'get', '200', body)).toEqual([]);
    expect(body.serviceBody).toEqual(expect.arrayContaining([
      { code: 'agency', value: '110000-PSB' }, { code: 'eFormId', value: `${RESIDENCE}.v1` }, { code: 'fee', value: 'none' },
    ]));
    const missing = await get(`/services/${UNKNOWN}`);
    expect(missing.statusCode).toBe(404);
    expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(missing.json()).toMatchObject({ code: 'TB_CATALOG_SERVICE_NOT_FOUND', status: 404 });
    const malformed = await get('/services/not-a-uuid');
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toMatchObject({ code: 'TB_KERNEL_VALIDATION', errors: [expect.objectContaining({ pointer: '/params/serviceId' })] });
  });

  it('hides an unpublished service but keeps its e-form readable', async () => {
    const sole = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
    await built.services.catalog.setListed(sole, false, { kind: 'system', id: 'test' }, () => true);
    try {
      expect((await get(`/services/${sole}`)).statusCode).toBe(404);
      expect((await get(`/services/${sole}/eForms`)).statusCode).toBe(404);
      expect((await get('/services')).json<{ id: string }[]>().map((s) => s.id)).not.toContain(sole);
      expect((await get(`/eForms/${sole}.v1`)).statusCode).toBe(200);
    } finally {
      await built.services.catalog.setListed(sole, true, { kind: 'system', id: 'test' }, () => true);
    }
  });

  it('lists a service\'s e-forms, one per version, the current one marked latest', async () => {
    const definition = (await built.services.catalog.getCurrentService(RESIDENCE))!.definition;
    await built.services.catalog.publishDefinition({ ...definition, summary: { ...definition.summary, en: `${definition.summary.en} (revised)` } }, { kind: 'system', id: 'test' }, () => true);
    const res = await get(`/services/${RESIDENCE}/eForms`, 'en');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ eFormId: string; latest: boolean; version: string; description: string }[]>();
    expect(specViolations('main', '/services/{serviceId}/eForms', 'get', '200', body)).toEqual([]);
    expect(body.map((f) => [f.eFormId, f.version, f.latest])).toEqual([[`${RESIDENCE}.v2`, '2', true], [`${RESIDENCE}.v1`, '1', false]]);
    expect(body[0]?.description).toMatch(/\(revised\)$/);
    expect((await get(`/services/${UNKNOWN}/eForms`)).statusCode).toBe(404);
  });

  it('gives an e-form with a JSON Schema of formData.data, by page then field', async () => {
    const res = await get(`/eForms/${RESIDENCE}.v1`, 'en');
    expect(res.statusCode).toBe(200);
    const body = res.json<{ eFormId: string; latest: boolean; schema: { properties: Record<string, { properties: Record<string, unknown> }>; 'x-tongban-form': { pages: unknown[] } } }>();
    expect(specViolations('main', '/eForms/{eFormId}', 'get', '200', body)).toEqual([]);
    expect(body).toMatchObject({ eFormId: `${RESIDENCE}.v1`, latest: false, version: '1' });
    expect(Object.keys(body.schema.properties)).toEqual(['you', 'addresses', 'basis']);
    expect(Object.keys(body.schema.properties.you?.properties ?? {})).toEqual(['full_name', 'id_number', 'date_of_birth', 'phone']);
    expect(body.schema['x-tongban-form'].pages).toHaveLength(3);
    for (const id of [`${RESIDENCE}.v9`, `${UNKNOWN}.v1`, 'nonsense', `${RESIDENCE}.v0`]) {
      const missing = await get(`/eForms/${id}`);
      expect(missing.statusCode, id).toBe(404);
      expect(missing.json()).toMatchObject({ code: 'TB_GOVSTACK_EFORM_NOT_FOUND' });
    }
  });

  it('has a spec check that fails on answers the spec does not allow', () => {
    expect(specViolations('main', '/services', 'get', '200', [{ id: RESIDENCE, name: 'x', version: '1', type: 'Official' }])).toEqual(['/0/type must be equal to one of the allowed values']);
    expect(specViolations('main', '/services/{serviceId}', 'get', '200', { id: 'x', name: 'x', type: 'Public' })).toEqual(expect.arrayContaining(['/ must have required property \'version\'', '/id must match format "uuid"']));
  });

  it('parses only well-formed e-form ids', () => {
    expect(parseEFormId(`${RESIDENCE.toUpperCase()}.v12`)).toEqual({ serviceId: RESIDENCE, version: 12 });
    expect(parseEFormId(`${RESIDENCE}.v012`)).toBeUndefined();
    expect(parseEFormId(`${RESIDENCE}v1`)).toBeUndefined();
  });

  it('describes every route in /openapi.json with its schemas', async () => {
    const doc = (await built.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { responses: Record<string, unknown>; tags: string[] }>> }>();
    for (const path of ['/services', '/services/{serviceId}', '/services/{serviceId}/eForms', '/eForms/{eFormId}']) {
      const op = doc.paths[`${BASE}${path}`]?.get;
      expect(op?.tags, path).toEqual(['govstack-registration']);
      expect(Object.keys(op?.responses ?? {}), path).toContain('200');
    }
  });
});
