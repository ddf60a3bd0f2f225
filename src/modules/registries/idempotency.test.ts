import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { migrationSources } from '../index.js';
import { SCOPES } from './caller.js';
import { syntheticPerson } from './persons.js';
import { registriesApp, tokenFor } from './test-kit.js';

const BASE = '/govstack/registries';
const PSB = 'CN/GOV/110000-PSB/population-system';

type Tables = {
  registries_records: { id: string; registry: string; key: string };
  registries_history: { id: string; registry: string; key: string; operation: string };
};

describeEachDatabase('Idempotency-Key on registry record creation (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let psb: string;
  const db = () => built.kernel.db.withTables<Tables>();
  beforeAll(async () => {
    built = await registriesApp(use);
    psb = await tokenFor(built, 'psb-idem-system', PSB, [SCOPES.read, SCOPES.write]);
  });
  afterAll(async () => { await built.app.close(); });

  const post = (path: string, body: unknown, key?: string) => built.app.inject({
    method: 'POST', url: `${BASE}/data/population/1/${path}`, payload: body as object,
    headers: { accept: 'application/json', authorization: `Bearer ${psb}`, 'information-mediator-client': PSB, 'x-road-issue': 'Registration (case 9)', ...(key ? { 'idempotency-key': key } : {}) },
  });
  const counts = async (keys: readonly string[]) => ({
    records: (await db().selectFrom('registries_records').select('id').where('registry', '=', 'population').where('key', 'in', [...keys]).execute()).length,
    history: (await db().selectFrom('registries_history').select('id').where('registry', '=', 'population').where('operation', '=', 'create').where('key', 'in', [...keys]).execute()).length,
  });

  it('creates a record once for the same key twice, answering the same; another body is 422; without a key the retry is refused as before', async () => {
    const person = { ...syntheticPerson(810_001) };
    const first = await post('create', { write: { content: person } }, 'registry-key-0001');
    expect(first.statusCode, first.body).toBe(200);
    const again = await post('create', { write: { content: person } }, 'registry-key-0001');
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(await counts([person.idNumber])).toEqual({ records: 1, history: 1 });
    const other = await post('create', { write: { content: { ...syntheticPerson(810_002) } } }, 'registry-key-0001');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_KEY_REUSED' });
    expect((await post('create', { write: { content: person } })).json()).toMatchObject({ code: 'TB_REGISTRIES_EXISTS' });
  });

  it('keeps a key to one operation: the camelCase and kebab-case forms at once create once', async () => {
    const people = [syntheticPerson(810_010), syntheticPerson(810_011), syntheticPerson(810_012)].map((p) => ({ ...p }));
    const body = { write: people.map((content) => ({ content })) };
    const answers = await Promise.all([post('createEntries', body, 'registry-key-0002'), post('create-entries', body, 'registry-key-0002')]);
    // The two address forms are two routes: the second is the same key with another operation (422), or the in-flight 409.
    const ok = answers.filter((a) => a.statusCode === 201);
    expect(ok).toHaveLength(1);
    for (const a of answers.filter((x) => x.statusCode !== 201)) expect(['TB_IDEMPOTENCY_KEY_REUSED', 'TB_IDEMPOTENCY_IN_FLIGHT']).toContain(a.json<{ code: string }>().code);
    expect(await counts(people.map((p) => p.idNumber))).toEqual({ records: 3, history: 3 });
  });

  it('creates several entries once when the same request is sent twice, concurrently or one after the other', async () => {
    const people = [syntheticPerson(810_020), syntheticPerson(810_021)].map((p) => ({ ...p }));
    const body = { write: people.map((content) => ({ content })) };
    const answers = await Promise.all([post('createEntries', body, 'registry-key-0004'), post('createEntries', body, 'registry-key-0004')]);
    const ok = answers.filter((a) => a.statusCode === 201);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of ok) expect(a.body).toBe(ok[0]!.body);
    for (const a of answers.filter((x) => x.statusCode !== 201)) expect(a.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_IN_FLIGHT' });
    const later = await post('createEntries', body, 'registry-key-0004');
    expect(later.body).toBe(ok[0]!.body);
    expect(await counts(people.map((p) => p.idNumber))).toEqual({ records: 2, history: 2 });
  });

  it('creates nothing when one entry of several exists already (all or none)', async () => {
    const existing = { ...syntheticPerson(810_030) };
    expect((await post('create', { write: { content: existing } })).statusCode).toBe(200);
    const fresh = { ...syntheticPerson(810_031) };
    const res = await post('createEntries', { write: [{ content: fresh }, { content: existing }] }, 'registry-key-0005');
    expect(res.json()).toMatchObject({ code: 'TB_REGISTRIES_EXISTS', errors: [{ pointer: '/write/1/content/idNumber' }] });
    expect(await counts([fresh.idNumber])).toEqual({ records: 0, history: 0 });
  });
});
