import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { mediatorDemoApp, tokenFor } from './test-kit.js';

/** The GovStack IM PubSub spec as copied (spec/SOURCES.md): its operations and their answers' schemas. */
interface Operation { responses: Record<string, { content?: { 'application/json'?: { schema?: object } } }> }
const spec = parse(readFileSync(new URL('./spec/GovStack_IM_PubSub_API.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Operation>>; components: { schemas: object } };
const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats.default(ajv);
ajv.addSchema({ $id: 'spec-pubsub', $defs: spec.components.schemas });
const withRefs = (schema: object): object => JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"spec-pubsub#/$defs/')) as object;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

const [instance, memberClass, member, room] = DEMO.events.room.split('/') as [string, string, string, string];

describeEachDatabase('the GovStack IM PubSub spec, operation by operation (ADR 53)', migrationSources, (use) => {
  let built: Built;
  let token: string;
  beforeAll(async () => {
    built = await mediatorDemoApp(use(), 'http://tongban.test');
    token = await tokenFor(built, DEMO.cab.clientId, DEMO.cab.subsystem);
  });
  afterAll(async () => { await built.app.close(); });

  const exercised = new Set<string>();
  const validated = new Set<string>();
  /** Calls one operation by its spec path and checks the status is one the spec declares, and a declared JSON answer's shape. */
  async function operation(method: string, specPath: string, values: Record<string, string>, body?: object) {
    const declared = spec.paths[specPath]?.[method];
    expect(declared, `${method} ${specPath} is in the spec`).toBeDefined();
    const url = specPath.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent({ instanceId: instance, memberClass, memberCode: member, applicationCode: room, ...values }[name] ?? ''));
    const res = await built.app.inject({
      method: method.toUpperCase() as 'GET', url, headers: { authorization: `Bearer ${token}`, 'x-govstack-client': DEMO.cab.subsystem }, ...(body ? { payload: body } : {}),
    });
    exercised.add(`${method} ${specPath}`);
    expect(Object.keys(declared!.responses), `${method} ${specPath} answered ${res.statusCode}: ${res.body}`).toContain(String(res.statusCode));
    expect(res.headers['x-road-id'], 'every PubSub call is in the message log').toBeTypeOf('string');
    const schema = declared!.responses[String(res.statusCode)]?.content?.['application/json']?.schema;
    if (schema) {
      const validate: ValidateFunction = ajv.compile(withRefs(schema));
      const body = res.json<unknown>();
      expect(validate(body) ? [] : validate.errors, `${method} ${specPath} answer against the spec`).toEqual([]);
      validated.add(`${method} ${specPath} ${res.statusCode}`);
    }
    return res;
  }

  it('answers each of the spec\'s 14 operations with a status and a body the spec declares', async () => {
    const base = '/r1/{instanceId}/{memberClass}/{memberCode}/{applicationCode}';
    const type = { eventType: 'specCheck' };
    expect((await operation('post', `${base}/api/v1/eventType`, {}, { eventType: 'specCheck', schema: { type: 'object', properties: { n: { type: 'integer' } } } })).statusCode).toBe(200);
    expect((await operation('get', `${base}/api/v1/eventType`, {})).json()).toContain('specCheck');
    await operation('get', `${base}/api/v1/eventType/{eventType}`, type);
    await operation('post', `${base}/api/v1/subs/{eventType}`, type, { eventType: 'specCheck', delivery: 'PULL' });
    await operation('get', `${base}/api/v1/subs`, {});
    await operation('get', `${base}/api/v1/subs/{eventType}`, type);
    expect((await operation('patch', `${base}/api/v1/subs/{eventType}`, type, { eventType: 'specCheck', delivery: 'PULL', options: { TTL: 60, FIFO: true } })).statusCode).toBe(201);
    const published = await operation('post', `${base}/pub/v1/{eventType}`, type, { eventType: 'specCheck', event: { n: 7 } });
    expect(published.statusCode).toBe(201);
    const event = { ...type, eventId: published.json<{ id: string }>().id };
    expect((await operation('get', `${base}/pub/v1/{eventType}/{eventId}`, event)).json()).toMatchObject({ id: event.eventId, sequence: expect.any(Number) as number });
    expect((await operation('get', `${base}/pull/v1/{eventType}`, type)).json()).toMatchObject({ id: event.eventId, event: { n: 7 } });
    expect((await operation('delete', `${base}/pull/v1/{eventType}/{eventId}`, event)).statusCode).toBe(204);
    expect((await operation('delete', `${base}/pub/v1/{eventType}/{eventId}`, event)).statusCode).toBe(204);
    expect((await operation('delete', `${base}/api/v1/subs/{eventType}`, type)).statusCode).toBe(204);
    expect((await operation('delete', `${base}/api/v1/eventType/{eventType}`, type)).statusCode).toBe(204);
    // The spec's answers when nothing is there: 204 for a type not defined, 404 for the rest.
    await operation('get', `${base}/api/v1/eventType/{eventType}`, type);
    await operation('get', `${base}/pull/v1/{eventType}`, type);

    const all = Object.entries(spec.paths).flatMap(([path, item]) => Object.keys(item).filter((m) => METHODS.includes(m)).map((m) => `${m} ${path}`));
    expect(all).toHaveLength(14);
    expect([...exercised].sort()).toEqual(all.sort());
    // Every JSON answer the spec gives a schema for was checked against it: type list, type, subscriptions, subscription, publication, status, pulled event.
    expect(validated.size).toBe(7);
  });
});
