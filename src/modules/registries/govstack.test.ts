import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { demoPersona } from '../identity/demo-personas.js';
import { migrationSources } from '../index.js';
import { SCOPES } from './caller.js';
import { DEMO_CITIZEN, DEMO_VEHICLE } from './definitions.js';
import { syntheticPerson } from './persons.js';
import { registriesApp, specViolations, tokenFor } from './test-kit.js';

const BASE = '/govstack/registries';
const P = '/data/{registryName}/{versionNumber}';
const CAB = 'CN/GOV/110000-CAB/case-system';
const PSB = 'CN/GOV/110000-PSB/population-system';

describeEachDatabase('GovStack Digital Registries API', migrationSources, (use) => {
  let built: Built;
  let cab: string;
  let psb: string;
  beforeAll(async () => {
    built = await registriesApp(use);
    cab = await tokenFor(built, 'cab-system', CAB, [SCOPES.read, SCOPES.usage]);
    psb = await tokenFor(built, 'psb-system', PSB, [SCOPES.read, SCOPES.write, SCOPES.schema]);
  });
  afterAll(async () => { await built.app.close(); });

  type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
  const call = (method: Method, url: string, options: { token?: string; org?: string; purpose?: string; body?: unknown } = {}) => built.app.inject({
    method, url: `${BASE}${url}`,
    headers: {
      accept: 'application/json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.org ? { 'information-mediator-client': options.org } : {}),
      ...(options.purpose ? { 'x-road-issue': options.purpose } : {}),
    },
    ...(options.body === undefined ? {} : { payload: options.body as object }),
  });
  const asCab = (method: Method, url: string, body?: unknown) => call(method, url, { token: cab, org: CAB, purpose: 'Case 2026-42: residence permit', body });
  const asPsb = (method: Method, url: string, body?: unknown) => call(method, url, { token: psb, org: PSB, purpose: 'Registration (case 7)', body });
  const readQuery = { query: { content: { idNumber: DEMO_CITIZEN.idNumber } } };

  it('refuses a caller without a token (401) or without the scope (403), and a header naming another system', async () => {
    expect((await call('POST', '/data/population/1/read', { body: readQuery, purpose: 'x' })).statusCode).toBe(401);
    const noScope = await asCab('POST', '/data/population/1/create', { write: { content: { ...syntheticPerson(800_001) } } });
    expect(noScope.statusCode).toBe(403);
    expect(noScope.json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    const other = await call('POST', '/data/population/1/read', { token: cab, org: PSB, purpose: 'x', body: readQuery });
    expect(other.statusCode).toBe(403);
  });

  it('reads one record in the spec\'s shape, audited for the person with the calling system and its purpose', async () => {
    const res = await asCab('POST', '/data/population/1/read', readQuery);
    expect(res.statusCode).toBe(200);
    expect(specViolations('data', `${P}/read`, 'post', '200', res.json())).toEqual([]);
    expect(res.json()).toMatchObject({ content: { idNumber: DEMO_CITIZEN.idNumber, name: '张伟', dateOfBirth: '1990-03-07' } });
    const [latest] = await built.kernel.audit.listBySubject(demoPersona('citizen').accountId);
    expect(latest).toMatchObject({ action: 'registry.record.read', actor: { kind: 'client', id: 'cab-system', organisation: '110000-CAB' }, purpose: 'Case 2026-42: residence permit' });
  });

  it('refuses a read without a purpose (400), answers 404 as the spec says for no record, and checks the query', async () => {
    const bare = await call('POST', '/data/population/1/read', { token: cab, org: CAB, body: readQuery });
    expect(bare.statusCode).toBe(400);
    expect(bare.json()).toMatchObject({ code: 'TB_REGISTRIES_PURPOSE_REQUIRED' });
    const missing = await asCab('POST', '/data/population/1/read', { query: { content: { idNumber: '11010119800101001X' } } });
    expect(missing.statusCode).toBe(404);
    expect(specViolations('data', `${P}/read`, 'post', '404', missing.json())).toEqual([]);
    const unknownField = await asCab('POST', '/data/population/1/read', { query: { content: { salary: 1 } } });
    expect(unknownField.statusCode).toBe(400);
    expect(unknownField.json()).toMatchObject({ code: 'TB_REGISTRIES_INVALID_QUERY' });
    expect((await asCab('POST', '/data/nope/1/read', readQuery)).statusCode).toBe(404);
    expect((await asCab('POST', '/data/population/9/read', readQuery)).statusCode).toBe(404);
  });

  it('answers exists, list (filters, prefix search, paging) and readValue / read-value in the spec\'s shapes', async () => {
    const exists = await asCab('POST', '/data/population/1/exists', readQuery);
    expect(exists.json()).toMatchObject({ answer: { status: true } });
    expect(specViolations('data', `${P}/exists`, 'post', '200', exists.json())).toEqual([]);
    expect((await asCab('POST', '/data/population/1/exists', { query: { content: { idNumber: '11010119800101001X' } } })).json()).toMatchObject({ answer: { status: false } });

    const byKey = await asCab('GET', `/data/population/1?query.idNumber=${DEMO_CITIZEN.idNumber}`);
    expect(byKey.statusCode).toBe(200);
    expect(specViolations('data', P, 'get', '200', byKey.json())).toEqual([]);
    expect(byKey.json()).toMatchObject({ count: 1, results: [{ name: '张伟' }] });
    const paged = await asCab('GET', '/data/population/1?search=1101&pageSize=5&page=2&ordering=descending');
    const body = paged.json<{ count: number; results: { idNumber: string }[]; next?: string; previous?: string }>();
    expect(specViolations('data', P, 'get', '200', body)).toEqual([]);
    expect(body.results).toHaveLength(5);
    expect(body.count).toBeGreaterThan(10);
    expect(body.next).toMatch(/page=3/);
    expect(body.previous).toMatch(/page=1/);
    expect(body.results.map((r) => r.idNumber)).toEqual([...body.results.map((r) => r.idNumber)].sort().reverse());
    expect((await asCab('GET', '/data/population/1?search=1101&filter=sex')).statusCode).toBe(400);
    // A query string's filter is read as its field's type: the capital is a whole number in the records.
    expect((await asCab('GET', '/data/business/1?query.registeredCapital=1000000')).json<{ count: number }>().count).toBeGreaterThan(0);
    expect((await asCab('GET', '/data/business/1?query.registeredCapital=999')).json()).toMatchObject({ count: 0 });
    const notNumber = await asCab('GET', '/data/business/1?query.registeredCapital=lots');
    expect(notNumber.statusCode).toBe(400);
    expect(notNumber.json()).toMatchObject({ code: 'TB_REGISTRIES_INVALID_QUERY', errors: [{ pointer: '/querystring/query.registeredCapital' }] });

    for (const form of ['readValue', 'read-value']) {
      const value = await asCab('GET', `/data/population/1/${DEMO_CITIZEN.idNumber}/${form}/householdAddress.json`);
      expect(value.statusCode).toBe(200);
      expect(value.json()).toEqual({ value: DEMO_CITIZEN.householdAddress });
      expect(specViolations('data', `${P}/{uuid}/readValue/{field}.{ext}`, 'get', '200', value.json())).toEqual([]);
    }
    const withQueryPurpose = await call('GET', `/data/population/1/${DEMO_CITIZEN.idNumber}/readValue/name.json?purpose=${encodeURIComponent('Case 9')}`, { token: cab });
    expect(withQueryPurpose.json()).toEqual({ value: '张伟' });
  });

  it('lets the owner agency\'s system create, update (camelCase and kebab-case) and delete; nobody else', async () => {
    const person = { ...syntheticPerson(800_100) };
    const created = await asPsb('POST', '/data/population/1/create', { write: { content: person } });
    expect(created.statusCode).toBe(200);
    expect(specViolations('data', `${P}/create`, 'post', '200', created.json())).toEqual([]);
    const invalid = await asPsb('POST', '/data/population/1/create', { write: { content: { ...syntheticPerson(800_101), sex: 'x' } } });
    expect(invalid.statusCode).toBe(422);
    expect(invalid.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toContain('/sex');
    const psbOnly = await tokenFor(built, 'amr-system', 'CN/GOV/110000-AMR/business-system', [SCOPES.write]);
    expect((await call('POST', '/data/population/1/create', { token: psbOnly, purpose: 'x', body: { write: { content: { ...syntheticPerson(800_102) } } } })).statusCode).toBe(403);

    for (const [form, body] of [['createEntries', syntheticPerson(800_103)], ['create-entries', syntheticPerson(800_104)]] as const) {
      const res = await asPsb('POST', `/data/population/1/${form}`, { write: [{ content: { ...body } }] });
      expect(res.statusCode).toBe(201);
      // The spec writes createEntries for its example register only (/data/mcts/createEntries), whose
      // content requires that register's field "ID": the wrapper (content, createdAt, modifiedAt, uuid) conforms, and that field is the one difference.
      expect(specViolations('data', '/data/mcts/createEntries', 'post', '201', res.json())).toEqual(["/receive/0/content must have required property 'ID'"]);
      expect(res.json()).toMatchObject({ receive: [{ content: { idNumber: body.idNumber }, uuid: expect.any(String) as string }] });
    }
    const update = await asPsb('PUT', '/data/population/1/update', { query: { content: { idNumber: person.idNumber } }, write: { content: { householdAddress: '北京市朝阳区新址 2 号' } } });
    expect(update.json()).toMatchObject({ content: { householdAddress: '北京市朝阳区新址 2 号' } });
    for (const form of ['updateEntries', 'update-entries']) {
      const res = await asPsb('PUT', `/data/population/1/${form}`, { query: { content: { idNumber: person.idNumber } }, write: { content: { ethnicity: form } } });
      expect(res.json()).toEqual({ updated: 1 });
    }
    for (const [form, n] of [['updateOrCreate', 800_105], ['update-or-create', 800_106]] as const) {
      const fresh = { ...syntheticPerson(n) };
      const res = await asPsb('POST', `/data/population/1/${form}`, { query: { content: { idNumber: fresh.idNumber } }, write: { content: fresh } });
      expect(specViolations('data', `${P}/updateOrCreate`, 'post', '200', res.json())).toEqual([]);
      expect(res.json()).toMatchObject({ content: { idNumber: fresh.idNumber } });
    }
    const noReason = await call('PUT', '/data/population/1/update', { token: psb, body: { write: { content: { idNumber: person.idNumber, ethnicity: 'y' } } } });
    expect(noReason.json()).toMatchObject({ code: 'TB_REGISTRIES_REASON_REQUIRED' });
    expect((await asPsb('DELETE', `/data/population/1/${person.idNumber}/delete`)).statusCode).toBe(204);
    expect((await asPsb('DELETE', `/data/population/1/${person.idNumber}/delete`)).statusCode).toBe(404);
    const history = await built.services.registries.records.history(await built.services.registries.registry('population'), person.idNumber);
    expect(history.map((h) => h.operation)).toEqual(['create', 'update', 'update', 'update', 'delete']);
    expect(history[0]?.actor).toEqual({ kind: 'client', id: 'psb-system', organisation: '110000-PSB' });
  });

  it('audits the record an update answers with as a read by the writer, with the reason as purpose', async () => {
    const person = { ...syntheticPerson(800_200) };
    expect((await asPsb('POST', '/data/population/1/create', { write: { content: person } })).statusCode).toBe(200);
    const account = await built.services.identity.saveAccount({ kind: 'person', name: person.name, idNumber: person.idNumber });
    const reads = async () => (await built.kernel.audit.listBySubject(account.id)).filter((r) => r.action === 'registry.record.read');
    const psbRead = { actor: { kind: 'client', id: 'psb-system', organisation: '110000-PSB' }, purpose: 'Registration (case 7)', details: { registry: 'population' } };

    const update = await asPsb('PUT', '/data/population/1/update', { write: { content: { idNumber: person.idNumber, ethnicity: '汉族' } } });
    expect(update.json()).toMatchObject({ content: { name: person.name, householdAddress: person.householdAddress } });
    const [first] = await reads();
    expect(first).toMatchObject(psbRead);
    expect(first?.details?.items).toEqual(expect.arrayContaining(['name', 'householdAddress', 'ethnicity']));

    const upsert = await asPsb('POST', '/data/population/1/updateOrCreate', { query: { content: { idNumber: person.idNumber } }, write: { content: { ethnicity: '回族' } } });
    expect(upsert.json()).toMatchObject({ content: { name: person.name, ethnicity: '回族' } });
    const [second, ...older] = await reads();
    expect(second).toMatchObject(psbRead);
    expect(older).toEqual([first]);

    // Creating answers only what was sent: no read.
    const fresh = { ...syntheticPerson(800_201) };
    const freshAccount = await built.services.identity.saveAccount({ kind: 'person', name: fresh.name, idNumber: fresh.idNumber });
    expect((await asPsb('POST', '/data/population/1/updateOrCreate', { query: { content: { idNumber: fresh.idNumber } }, write: { content: fresh } })).statusCode).toBe(200);
    expect((await built.kernel.audit.listBySubject(freshAccount.id)).filter((r) => r.action === 'registry.record.read')).toEqual([]);
  });

  it('lists who used a person\'s data in the calling agency\'s registries (mypersonalDataUsage and the kebab/Pascal forms), and 404 for an unknown person', async () => {
    const PSB_USAGE = 'CN/GOV/110000-PSB/usage-system';
    const psbUsage = await tokenFor(built, 'psb-usage', PSB_USAGE, [SCOPES.usage]);
    // The person's data is read in PSB's population register and in TRA's vehicle register.
    expect((await asCab('POST', '/data/population/1/read', readQuery)).statusCode).toBe(200);
    expect((await asCab('POST', '/data/vehicles/1/read', { query: { content: { plateNumber: DEMO_VEHICLE.plateNumber } } })).statusCode).toBe(200);
    for (const form of ['mypersonalDataUsage', 'MyPersonalDataUsage', 'my-personal-data-usage']) {
      const res = await call('GET', `/data/${form}?userId=${DEMO_CITIZEN.idNumber}&databaseId=population`, { token: psbUsage, org: PSB_USAGE });
      expect(res.statusCode).toBe(200);
      const usage = res.json<{ readerInstitutionId?: string; searchDateTime: string }[]>();
      expect(specViolations('data', '/data/mypersonalDataUsage', 'get', '200', usage)).toEqual([]);
      // The institution is the calling system's agency (the member part of its organisation).
      expect(usage.some((u) => u.readerInstitutionId === '110000-CAB')).toBe(true);
    }
    expect((await call('GET', '/data/mypersonalDataUsage?userId=11010119800101001X&databaseId=population', { token: psbUsage })).statusCode).toBe(404);
    expect((await call('GET', `/data/mypersonalDataUsage?userId=${DEMO_CITIZEN.idNumber}&databaseId=population`, { token: psb })).statusCode).toBe(403);
  });

  it('tells a system only of its own agency\'s registries, and records that it asked about the person', async () => {
    const PSB_USAGE = 'CN/GOV/110000-PSB/usage-system-2';
    const psbUsage = await tokenFor(built, 'psb-usage-2', PSB_USAGE, [SCOPES.usage]);
    const citizen = demoPersona('citizen').accountId;
    expect((await asCab('POST', '/data/vehicles/1/read', { query: { content: { plateNumber: DEMO_VEHICLE.plateNumber } } })).statusCode).toBe(200);
    expect((await asCab('POST', '/data/population/1/read', readQuery)).statusCode).toBe(200);
    const registryOf = async (id: string) => (await built.kernel.audit.listBySubject(citizen, { limit: 500 })).find((r) => r.id === id)?.details?.registry;

    // Another agency's registry is refused, and so is asking about one with a system of an agency that keeps none.
    for (const [token, org, databaseId] of [[psbUsage, PSB_USAGE, 'vehicles'], [psbUsage, PSB_USAGE, 'business'], [cab, CAB, 'population']] as const) {
      const refused = await call('GET', `/data/mypersonalDataUsage?userId=${DEMO_CITIZEN.idNumber}&databaseId=${databaseId}`, { token, org });
      expect(refused.statusCode, databaseId).toBe(403);
      expect(refused.json()).toMatchObject({ code: 'TB_REGISTRIES_FORBIDDEN' });
    }
    const cabAll = await call('GET', `/data/mypersonalDataUsage?userId=${DEMO_CITIZEN.idNumber}&databaseId=all`, { token: cab, org: CAB });
    expect(cabAll.statusCode).toBe(200);
    expect(cabAll.json()).toEqual([]);

    // `all` is every registry of the caller's agency: the vehicle register's reads are not among them.
    const all = await call('GET', `/data/mypersonalDataUsage?userId=${DEMO_CITIZEN.idNumber}&databaseId=all`, { token: psbUsage, org: PSB_USAGE, purpose: 'Letter to the person (case 9)' });
    expect(all.statusCode).toBe(200);
    const ids = all.json<{ id: string }[]>().map((u) => u.id);
    expect(ids.length).toBeGreaterThan(0);
    expect(await Promise.all(ids.map(registryOf))).toEqual(ids.map(() => 'population'));

    // Asking is a use of the person's data: audited about them, with the caller's purpose or the fixed one.
    const [asked] = await built.kernel.audit.listBySubject(citizen);
    expect(asked).toMatchObject({
      action: 'registry.usage.read', subject: citizen, actor: { kind: 'client', id: 'psb-usage-2', organisation: '110000-PSB' },
      purpose: 'Letter to the person (case 9)', details: { registry: 'population' },
    });
    await call('GET', `/data/mypersonalDataUsage?userId=${DEMO_CITIZEN.idNumber}&databaseId=population`, { token: psbUsage, org: PSB_USAGE });
    const [again] = await built.kernel.audit.listBySubject(citizen);
    expect(again).toMatchObject({ action: 'registry.usage.read', purpose: 'Telling the person who used their data', details: { registry: 'population' } });
    // A refused question reads nothing and records nothing.
    await call('GET', `/data/mypersonalDataUsage?userId=${DEMO_CITIZEN.idNumber}&databaseId=vehicles`, { token: psbUsage, org: PSB_USAGE });
    expect((await built.kernel.audit.listBySubject(citizen))[0]?.id).toBe(again?.id);
  });

  it('describes each operation once in /openapi.json (the kebab-case aliases are hidden)', async () => {
    const doc = (await built.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { operationId?: string }>> }>();
    const ours = Object.entries(doc.paths).filter(([path]) => path.startsWith(BASE));
    const ids = ours.flatMap(([, methods]) => Object.values(methods).flatMap((o) => (o.operationId ? [o.operationId] : [])));
    expect(ids.sort()).toEqual(['DPU', 'create', 'createEntries', 'delete', 'exists', 'list', 'read', 'readValue', 'update', 'updateEntries', 'updateOrCreate']);
    expect(ours.some(([path]) => /update-or-create|read-value|create-entries/.test(path))).toBe(false);
  });

  it('serves the Database API: registries with their schemas, a new registry version from its owner, deleting an unused one', async () => {
    const list = await asCab('GET', '/databases');
    expect(specViolations('database', '/databases', 'get', '200', list.json())).toEqual([]);
    const population = list.json<{ databases: { id: number; name: string; institution: string }[] }>().databases.find((d) => d.name === 'population');
    expect(population).toMatchObject({ institution: '110000-PSB' });
    const one = await asCab('GET', `/database/${population?.id ?? 0}`);
    expect(specViolations('database', '/database/{id}', 'get', '200', one.json())).toEqual([]);
    expect(one.json()).toMatchObject({ schema: { properties: { idNumber: { type: 'string' } } } });

    const schema = { type: 'object', required: ['ID'], properties: { ID: { type: 'string', primaryKey: true }, holder: { type: 'string', searchable: true, personId: true } } };
    const saved = await asPsb('POST', '/database/modify', { catalogName: 'Firearms licences', code: 'firearms', schema });
    expect(saved.statusCode).toBe(200);
    expect(specViolations('database', '/database/modify', 'post', '200', saved.json())).toEqual([]);
    const firearms = await built.services.registries.registry('firearms');
    expect(firearms).toMatchObject({ version: '1', owner: '110000-PSB', keyField: 'ID', searchFields: ['holder'], personField: 'holder' });
    expect((await call('POST', '/database/modify', { token: cab, body: { catalogName: 'x', code: 'firearms', schema } })).statusCode).toBe(403);
    expect((await asPsb('POST', '/database/modify', { catalogName: 'x', code: 'bad', schema: { type: 'object', properties: { a: { type: 'string' } } } })).statusCode).toBe(422);
    // A pattern that could backtrack without end on someone's record is refused where it stands.
    const slow = await asPsb('POST', '/database/modify', { catalogName: 'x', code: 'slow', schema: { ...schema, properties: { ...schema.properties, holder: { type: 'string', searchable: true, pattern: '^(\\w+\\s?)*$' } } } });
    expect(slow.statusCode).toBe(422);
    expect(slow.json()).toMatchObject({ code: 'TB_REGISTRIES_INVALID_SCHEMA', errors: [{ pointer: '/schema/properties/holder/pattern' }] });
    expect((await asPsb('DELETE', `/database/${population?.id ?? 0}`)).json()).toMatchObject({ code: 'TB_REGISTRIES_VERSION_IN_USE' });
    const deleted = await asPsb('DELETE', `/database/${firearms.id}`);
    expect(deleted.statusCode).toBe(200);
    expect(specViolations('database', '/database/{id}', 'delete', '200', deleted.json())).toEqual([]);
  });
});
