import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { countRows, expectIdempotentWrite } from '../../../test/helpers/idempotency.js';
import type { Built } from '../../app.js';
import { migrationSources } from '../index.js';
import { SCOPES } from './caller.js';
import { syntheticPerson } from './persons.js';
import { registriesApp, tokenFor } from './test-kit.js';

/**
 * Idempotency-Key on the registries' changing writes (issue 9, ADR 31): the Data API's update,
 * updateEntries, updateOrCreate and delete, and the Database API's modify and delete. A retry
 * changes nothing twice (no second history entry, search key, version or audit record) and gets
 * the first answer, where without a key a retried delete was refused as not found.
 */
const BASE = '/govstack/registries';
const PSB = 'CN/GOV/110000-PSB/population-system';
const COUNTED = ['registries_records', 'registries_history', 'registries_search_keys', 'registries_registries', 'tb_audit_record', 'kernel_idempotency_keys'] as const;

interface Req { readonly method: 'POST' | 'PUT' | 'DELETE'; readonly url: string; readonly body?: object }

describeEachDatabase('Idempotency-Key on registry updates, deletes and registry versions (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let psb: string;
  let n = 0;
  beforeAll(async () => {
    built = await registriesApp(use);
    psb = await tokenFor(built, 'psb-change-idem-system', PSB, [SCOPES.read, SCOPES.write, SCOPES.schema]);
  });
  afterAll(async () => { await built.app.close(); });

  const send = (req: Req, key?: string) => built.app.inject({
    method: req.method, url: `${BASE}${req.url}`, ...(req.body ? { payload: req.body } : {}),
    headers: { accept: 'application/json', authorization: `Bearer ${psb}`, 'information-mediator-client': PSB, 'x-road-issue': 'Correction (case 31)', ...(key ? { 'idempotency-key': key } : {}) },
  });
  const counts = () => countRows(built.kernel.db, COUNTED);
  /** A new person of the population register (not yet written). */
  const fresh = () => ({ ...syntheticPerson(820_000 + (n += 1)) });
  /** A person written without a key, for a change to act on. */
  const existing = async () => {
    const person = fresh();
    const res = await send({ method: 'POST', url: '/data/population/1/create', body: { write: { content: person } } });
    expect(res.statusCode, res.body).toBe(200);
    return person;
  };
  const schema = { type: 'object', required: ['ID'], properties: { ID: { type: 'string', primaryKey: true }, holder: { type: 'string', searchable: true } } };
  const version = () => ({ catalogName: 'Fishing licences', code: `fishing-${n += 1}`, version: '1', schema });
  /** A registry version made without a key, for a delete to act on: its Database API id. */
  const definedVersion = async () => {
    const body = version();
    expect((await send({ method: 'POST', url: '/database/modify', body })).statusCode).toBe(200);
    return (await built.services.registries.registry(body.code)).id;
  };
  const change = (method: Req['method'], url: string) => async (): Promise<Req> => {
    const person = await existing();
    return { method, url: `/data/population/1/${url}`, body: { query: { content: { idNumber: person.idNumber } }, write: { content: { householdAddress: '北京市东城区景山前街4号' } } } };
  };
  const otherAddress = (r: Req): Req => ({ ...r, body: { ...r.body, write: { content: { householdAddress: '北京市西城区西长安街1号' } } } });

  const cases: { name: string; status: number; arrange: () => Promise<Req>; other: (r: Req) => Req | Promise<Req> }[] = [
    { name: 'PUT update', status: 200, arrange: change('PUT', 'update'), other: otherAddress },
    { name: 'PUT updateEntries', status: 200, arrange: change('PUT', 'updateEntries'), other: otherAddress },
    { name: 'PUT update-entries', status: 200, arrange: change('PUT', 'update-entries'), other: otherAddress },
    { name: 'POST updateOrCreate (an update)', status: 200, arrange: change('POST', 'updateOrCreate'), other: otherAddress },
    {
      name: 'POST update-or-create (a creation)', status: 200,
      arrange: () => Promise.resolve({ method: 'POST', url: '/data/population/1/update-or-create', body: { write: { content: fresh() } } }),
      other: (r) => ({ ...r, body: { write: { content: fresh() } } }),
    },
    {
      name: 'DELETE {id}/delete', status: 204,
      arrange: async () => ({ method: 'DELETE', url: `/data/population/1/${(await existing()).idNumber}/delete` }),
      // Another record (whether it exists is not asked: the key answers first).
      other: () => ({ method: 'DELETE', url: `/data/population/1/${fresh().idNumber}/delete` }),
    },
    {
      name: 'POST /database/modify', status: 200,
      arrange: () => Promise.resolve({ method: 'POST', url: '/database/modify', body: version() }),
      other: (r) => ({ ...r, body: { ...r.body, catalogName: 'Angling licences' } }),
    },
    {
      name: 'DELETE /database/{id}', status: 200,
      arrange: async () => ({ method: 'DELETE', url: `/database/${await definedVersion()}` }),
      other: () => ({ method: 'DELETE', url: '/database/999999' }),
    },
  ];

  it.each(cases)('$name: a retry writes nothing twice', async (c) => {
    await expectIdempotentWrite({ ...c, key: `registries-idem-${c.name.replace(/[^A-Za-z0-9]+/g, '-')}`, send, counts, db: built.kernel.db });
  });

  it('answers an update and its replays with the record as it was just after the change', async () => {
    const person = await existing();
    const req: Req = { method: 'PUT', url: '/data/population/1/update', body: { write: { content: { idNumber: person.idNumber, householdAddress: '北京市朝阳区建国路1号' } } } };
    const first = await send(req, 'registries-idem-content');
    expect(first.json()).toEqual({ content: { ...person, householdAddress: '北京市朝阳区建国路1号' } });
    // A later change does not alter the kept answer.
    expect((await send({ ...req, body: { write: { content: { idNumber: person.idNumber, householdAddress: '北京市海淀区中关村大街1号' } } } })).statusCode).toBe(200);
    const again = await send(req, 'registries-idem-content');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
  });

  it('without a key a retried update writes a second history entry and a retried delete is refused as not found, as before', async () => {
    const person = await existing();
    const update: Req = { method: 'PUT', url: '/data/population/1/update', body: { write: { content: { idNumber: person.idNumber, householdAddress: '北京市丰台区丰台路1号' } } } };
    expect([(await send(update)).statusCode, (await send(update)).statusCode]).toEqual([200, 200]);
    const history = await built.services.registries.records.history(await built.services.registries.registry('population'), person.idNumber);
    expect(history.map((h) => h.operation)).toEqual(['create', 'update', 'update']);
    const remove: Req = { method: 'DELETE', url: `/data/population/1/${person.idNumber}/delete` };
    expect((await send(remove)).statusCode).toBe(204);
    expect((await send(remove)).json()).toMatchObject({ code: 'TB_REGISTRIES_NOT_FOUND' });
  });

  it('updates every matching record or none: when one of them refuses the change, nothing is written, the key neither', async () => {
    const name = '欧阳幂等';
    const people = [fresh(), fresh()].map((p) => ({ ...p, name })).sort((a, b) => a.idNumber.localeCompare(b.idNumber));
    for (const person of people) expect((await send({ method: 'POST', url: '/data/population/1/create', body: { write: { content: person } } })).statusCode).toBe(200);
    const before = await counts();
    // The first record (by key) takes the change; the second would change its key, which is refused.
    const req: Req = { method: 'PUT', url: '/data/population/1/updateEntries', body: { query: { content: { name } }, write: { content: { idNumber: people[0]!.idNumber, householdAddress: '北京市通州区运河东大街1号' } } } };
    const res = await send(req, 'registries-idem-refused');
    expect(res.json()).toMatchObject({ code: 'TB_REGISTRIES_INVALID_RECORD' });
    expect(await counts()).toEqual(before);
    const population = await built.services.registries.registry('population');
    expect((await built.services.registries.records.history(population, people[0]!.idNumber)).map((h) => h.operation)).toEqual(['create']);
  });

  it('documents the header on every changing operation in /openapi.json', async () => {
    const spec = (await built.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }>();
    const writes: [string, string][] = [
      [`${BASE}/data/{registry}/{version}/update`, 'put'], [`${BASE}/data/{registry}/{version}/updateEntries`, 'put'],
      [`${BASE}/data/{registry}/{version}/updateOrCreate`, 'post'], [`${BASE}/data/{registry}/{version}/{id}/delete`, 'delete'],
      [`${BASE}/database/modify`, 'post'], [`${BASE}/database/{id}`, 'delete'],
    ];
    for (const [path, method] of writes) {
      expect(spec.paths[path]?.[method]?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'), `${method} ${path}`).toBe(true);
    }
  });
});
