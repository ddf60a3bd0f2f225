import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { seedAdmin, tokenFor as subsystemToken } from '../../modules/mediator/test-kit.js';
import { migrationSources } from '../../modules/index.js';
import { tokenFor } from '../../modules/registries/test-kit.js';
import { loadConfig } from '../config/index.js';
import { kernelMessages } from '../i18n/messages.js';
import { MAX_JSON_DEPTH, tooDeepPointer } from './json-depth.js';

const arrays = (depth: number, inner = '1') => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
/** `{"a":{"a":…{"a":1}…}}`, `depth` objects deep. */
const objects = (depth: number) => `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
const nestedObject = (depth: number): unknown => JSON.parse(objects(depth));

describe('the depth of a parsed JSON body, walked without recursion', () => {
  it('lets a body of MAX_JSON_DEPTH levels through and points at the first level beyond', () => {
    expect(tooDeepPointer(JSON.parse(arrays(MAX_JSON_DEPTH)))).toBeUndefined();
    expect(tooDeepPointer(nestedObject(MAX_JSON_DEPTH))).toBeUndefined();
    expect(tooDeepPointer(JSON.parse(arrays(MAX_JSON_DEPTH + 1)))).toBe('/0'.repeat(MAX_JSON_DEPTH));
    expect(tooDeepPointer(nestedObject(MAX_JSON_DEPTH + 1))).toBe('/a'.repeat(MAX_JSON_DEPTH));
    // Far deeper than any call stack would take.
    expect(tooDeepPointer(JSON.parse(arrays(200_000)))).toBe('/0'.repeat(MAX_JSON_DEPTH));
    expect(tooDeepPointer('text')).toBeUndefined();
    expect(tooDeepPointer(null)).toBeUndefined();
  });

  it('names the first place too deep in the document by keys and indexes, escaped as JSON pointers', () => {
    expect(tooDeepPointer(JSON.parse('{"x":1,"a/b":[0,"[[[",{"k~":[[1]]}],"z":[[[[]]]]}'), 3)).toBe('/a~1b/2/k~0');
    expect(tooDeepPointer({ text: '{'.repeat(1000) }, 1)).toBeUndefined();
    expect(tooDeepPointer(JSON.parse(`[${'{"a":[],"b":{}},'.repeat(1000)}1]`), 3)).toBeUndefined();
  });

  it('says the limit in both languages', () => {
    for (const catalog of Object.values(kernelMessages)) expect(catalog['kernel.error.bodyTooDeep']).toContain(String(MAX_JSON_DEPTH));
  });
});

const PUBLIC_URL = 'http://tongban.test';
const AGENCY_SYSTEM = 'CN/GOV/110000-PSB/population-system';
const ROOM = '/r1/CN/GOV/110000-PSB/births';
const PUBLISHER = 'CN/GOV/110000-PSB/hospital-system';

/**
 * Deeply nested JSON (a review's finding): the registries' idempotency fingerprint and the PubSub
 * message log walked the parsed body recursively, and a body nested thousands deep ended in a 500
 * "Maximum call stack size exceeded". The kernel's JSON parser now refuses it first.
 */
describeEachDatabase('JSON bodies nested too deeply', migrationSources, (use) => {
  let built: Built;
  let registries: string;
  let publisher: string;
  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    registries = await tokenFor(built, 'depth-population-system', AGENCY_SYSTEM, ['registries:read', 'registries:write', 'registries:schema']);
    const { mediator } = built.services;
    await mediator.addMember({ instance: 'CN', memberClass: 'GOV', code: '110000-PSB', name: 'PSB', agency: '110000-PSB' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-PSB', code: 'births', name: 'Births room' }, seedAdmin);
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-PSB', code: 'hospital-system', name: 'Hospital', clientId: 'depth-hospital' }, seedAdmin);
    publisher = await subsystemToken(built, 'depth-hospital', PUBLISHER);
  }, 240_000);
  afterAll(async () => { await built.app.close(); });

  const modify = (payload: string, key: string) => built.app.inject({
    method: 'POST', url: '/govstack/registries/database/modify', payload,
    headers: { 'content-type': 'application/json', accept: 'application/json', authorization: `Bearer ${registries}`, 'information-mediator-client': AGENCY_SYSTEM, 'idempotency-key': key },
  });
  const registryVersion = (code: string, nested: unknown) => JSON.stringify({
    catalogName: 'Deep', code, version: '1',
    schema: { type: 'object', properties: { ID: { type: 'string', primaryKey: true }, extra: nested } },
  });

  it('refuses a registry version nested 9,000 deep with 400 problem+json, not a 500', async () => {
    const deep = registryVersion('deep-refused', '__DEEP__').replace('"__DEEP__"', objects(9_000));
    expect(deep.length).toBeGreaterThan(18_000);
    const res = await modify(deep, 'depth-refused-0001');
    expect(res.statusCode, res.body).toBe(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({
      status: 400, code: 'TB_KERNEL_BODY_TOO_DEEP',
      errors: [{ pointer: `/schema/properties/extra${'/a'.repeat(MAX_JSON_DEPTH - 3)}` }],
    });
  });

  it('accepts a registry version nested moderately (30 levels), with its key', async () => {
    const res = await modify(registryVersion('deep-accepted', nestedObject(30)), 'depth-accepted-0001');
    expect(res.statusCode, res.body).toBe(200);
    const again = await modify(registryVersion('deep-accepted', nestedObject(30)), 'depth-accepted-0001');
    expect(again.statusCode, again.body).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
  });

  const pubsub = (method: 'POST' | 'DELETE', url: string, payload: string) => built.app.inject({
    method, url: `${ROOM}${url}`, payload,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${publisher}`, 'x-govstack-client': PUBLISHER },
  });

  it('refuses a PubSub call whose body is nested 5,000 deep, on every route that takes one', async () => {
    for (const [method, url] of [
      ['POST', '/api/v1/eventType'], ['POST', '/api/v1/subs/birth'], ['POST', '/pub/v1/birth'],
      ['DELETE', '/pull/v1/birth/0190a1b2-0000-7000-8000-000000000000'],
    ] as const) {
      const res = await pubsub(method, url, arrays(5_000));
      expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(400);
      expect(res.json(), url).toMatchObject({ code: 'TB_KERNEL_BODY_TOO_DEEP', errors: [{ pointer: '/0'.repeat(MAX_JSON_DEPTH) }] });
    }
  });

  it('still creates an event type whose schema is nested moderately', async () => {
    let schema: Record<string, unknown> = { type: 'string' };
    for (let i = 0; i < 12; i += 1) schema = { type: 'object', properties: { inner: schema } };
    const res = await pubsub('POST', '/api/v1/eventType', JSON.stringify({ eventType: 'nested', schema }));
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ eventType: 'nested', schema });
  });

  it('forwards a service call\'s body unparsed: the limit is not applied to /r1 exchanges', async () => {
    const res = await built.app.inject({
      method: 'POST', url: '/r1/CN/GOV/110000-PSB/births/events/deep', payload: arrays(5_000),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${publisher}`, 'x-govstack-client': PUBLISHER },
    });
    expect(res.json<{ code: string }>().code).not.toBe('TB_KERNEL_BODY_TOO_DEEP');
    expect(res.statusCode).not.toBe(500);
  });
});
