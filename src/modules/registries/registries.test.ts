import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { TongbanError } from '../../kernel/http/index.js';
import { demoPersona } from '../identity/demo-personas.js';
import { migrationSources } from '../index.js';
import { DEMO_BUSINESS, DEMO_CITIZEN } from './definitions.js';
import { isResidentId } from './ids.js';
import { syntheticPerson, syntheticPersonsSql } from './persons.js';
import { registriesApp } from './test-kit.js';

const ZHANG = demoPersona('citizen');
const CLERK = { kind: 'staff', id: demoPersona('officer').accountId, organisation: '110000-CAB' } as const;
const PSB_SYSTEM = { kind: 'system', id: 'psb-population-system', organisation: '110000-PSB' } as const;
const PSB_WRITER = { actor: { kind: 'staff', id: 'psb-officer', organisation: '110000-PSB' } as const, reason: 'Moved house (case 2026-001)', mayWrite: (owner: string) => owner === '110000-PSB' };

const codeOf = async (promise: Promise<unknown>) => promise.then(() => 'no error', (error: unknown) => (error instanceof TongbanError ? error.code : String(error)));

describeEachDatabase('registries: records, history, audited reads, corrections', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => { built = await registriesApp(use); });
  afterAll(async () => { await built.app.close(); });

  const reads = async (subject: string) => (await built.kernel.audit.listBySubject(subject)).filter((r) => r.action === 'registry.record.read');

  it('seeds the demo registries: 张伟 in the population register, 李娜\'s company, the vehicle register; again changes nothing', async () => {
    const { registries } = built.services;
    expect((await registries.registries()).map((r) => `${r.code}:${r.owner}`).sort()).toEqual(['business:110000-AMR', 'population:110000-PSB', 'vehicles:110000-TRA']);
    const before = await registries.count('population');
    expect(before).toBeGreaterThan(100);
    await built.services.registries.define((await registries.registry('population')));
    for (const mod of (await import('../index.js')).modules.filter((m) => m.name === 'registries')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    expect(await registries.count('population')).toBe(before);
    const business = await registries.readForPerson({ registry: 'business', idNumber: DEMO_BUSINESS.creditCode, items: ['name', 'legalRepresentative'], actor: CLERK, purpose: 'test' });
    expect(business?.values).toEqual({ name: '北京通办示例科技有限公司', legalRepresentative: '李娜' });
  });

  it('readForPerson returns the items asked for and audits the read with the person\'s account, the purpose and the items', async () => {
    const before = (await reads(ZHANG.accountId)).length;
    const result = await built.services.registries.readForPerson({
      registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['name', 'dateOfBirth', 'householdAddress'], actor: CLERK, purpose: 'Prefill: residence permit', requestId: 'req-1',
    });
    expect(result).toEqual({
      values: { name: '张伟', dateOfBirth: '1990-03-07', householdAddress: DEMO_CITIZEN.householdAddress },
      registry: { code: 'population', name: { 'zh-CN': '人口登记簿', en: 'Population register' }, owner: '110000-PSB' },
    });
    const after = await reads(ZHANG.accountId);
    expect(after).toHaveLength(before + 1);
    expect(after[0]).toMatchObject({ actor: CLERK, purpose: 'Prefill: residence permit', requestId: 'req-1', details: { registry: 'population', items: ['name', 'dateOfBirth', 'householdAddress'] } });
  });

  it('refuses a read without a purpose, and records nothing', async () => {
    const before = (await reads(ZHANG.accountId)).length;
    const refused = built.services.registries.readForPerson({ registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['name'], actor: CLERK, purpose: '  ' });
    expect(await codeOf(refused)).toBe('TB_REGISTRIES_PURPOSE_REQUIRED');
    expect(await codeOf(built.services.registries.records.read(await built.services.registries.registry('population'), { idNumber: DEMO_CITIZEN.idNumber }, { actor: CLERK, purpose: '' }))).toBe('TB_REGISTRIES_PURPOSE_REQUIRED');
    expect(await reads(ZHANG.accountId)).toHaveLength(before);
  });

  it('answers null for a person not in the register, and refuses items the registry does not have', async () => {
    const { registries } = built.services;
    expect(await registries.readForPerson({ registry: 'population', idNumber: '11010119800101001X', items: ['name'], actor: CLERK, purpose: 'test' })).toBeNull();
    expect(await codeOf(registries.readForPerson({ registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['salary'], actor: CLERK, purpose: 'test' }))).toBe('TB_REGISTRIES_INVALID_QUERY');
    expect(await codeOf(registries.readForPerson({ registry: 'nope', idNumber: DEMO_CITIZEN.idNumber, items: ['name'], actor: CLERK, purpose: 'test' }))).toBe('TB_REGISTRIES_UNKNOWN_REGISTRY');
  });

  it('keeps every change with who and why: create, update, delete; the schema and the owner are enforced', async () => {
    const { registries } = built.services;
    const population = await registries.registry('population');
    const person = { ...syntheticPerson(900_001) };
    const created = await registries.records.create(population, person, PSB_WRITER);
    expect(created.revision).toBe(1);
    expect(await codeOf(registries.records.create(population, person, PSB_WRITER))).toBe('TB_REGISTRIES_EXISTS');
    const invalid = await registries.records.create(population, { ...syntheticPerson(900_002), dateOfBirth: '1990-13-45', extra: 1 }, PSB_WRITER).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(TongbanError);
    expect((invalid as TongbanError).fields.map((f) => f.pointer).sort()).toEqual(['/dateOfBirth', '/extra']);
    const notOwner = { ...PSB_WRITER, mayWrite: () => false };
    expect(await codeOf(registries.records.update(population, { idNumber: person.idNumber }, { householdAddress: 'x' }, notOwner))).toBe('TB_REGISTRIES_FORBIDDEN');
    expect(await codeOf(registries.records.update(population, { idNumber: person.idNumber }, { householdAddress: 'x' }, { ...PSB_WRITER, reason: '' }))).toBe('TB_REGISTRIES_REASON_REQUIRED');
    expect(await codeOf(registries.records.update(population, { idNumber: person.idNumber }, { idNumber: DEMO_CITIZEN.idNumber }, PSB_WRITER))).toBe('TB_REGISTRIES_INVALID_RECORD');

    const updated = await registries.records.update(population, { idNumber: person.idNumber }, { householdAddress: '北京市海淀区新址 9 号' }, PSB_WRITER);
    expect(updated).toMatchObject({ revision: 2, data: { ...person, householdAddress: '北京市海淀区新址 9 号' } });
    await registries.records.remove(population, person.idNumber, { ...PSB_WRITER, reason: 'Died (certificate 77)' });
    expect(await registries.records.read(population, { idNumber: person.idNumber }, { actor: CLERK, purpose: 'test' })).toBeUndefined();
    const history = await registries.records.history(population, person.idNumber);
    expect(history.map((h) => [h.operation, h.reason, h.actor.id])).toEqual([
      ['create', 'Moved house (case 2026-001)', 'psb-officer'], ['update', 'Moved house (case 2026-001)', 'psb-officer'], ['delete', 'Died (certificate 77)', 'psb-officer'],
    ]);
    // What each change replaced: every earlier version can be rebuilt.
    expect(history.map((h) => h.before?.householdAddress ?? null)).toEqual([null, person.householdAddress, '北京市海淀区新址 9 号']);
  });

  it('updateOrCreate creates once, then updates; search by a key field finds by name prefix', async () => {
    const { registries } = built.services;
    const population = await registries.registry('population');
    const person = { ...syntheticPerson(900_010), name: '欧阳测试' };
    expect((await registries.records.updateOrCreate(population, undefined, person, PSB_WRITER)).created).toBe(true);
    const again = await registries.records.updateOrCreate(population, { idNumber: person.idNumber }, { ethnicity: '满族' }, PSB_WRITER);
    expect(again).toMatchObject({ created: false, record: { revision: 2, data: { ethnicity: '满族' } } });
    const found = await registries.records.list(population, { matches: [{ kind: 'search', field: 'name', value: '欧阳', prefix: true }], order: { by: 'key', direction: 'asc' }, page: 1, pageSize: 10 }, { actor: CLERK, purpose: 'test' });
    expect(found.records.map((r) => r.key)).toEqual([person.idNumber]);
    expect(found.total).toBe(1);
  });

  it('writers of one record at once apply one after the other: no change is lost, revisions and history stay whole', async () => {
    const { registries } = built.services;
    const population = await registries.registry('population');
    const person = { ...syntheticPerson(900_020) };
    await registries.records.create(population, person, PSB_WRITER);
    const at = { idNumber: person.idNumber };
    // Different fields at once: each change is applied on top of the others (on PostgreSQL the
    // writers really overlap; PGlite runs their transactions one after another).
    await Promise.all([
      registries.records.update(population, at, { householdAddress: '北京市朝阳区并发 1 号' }, PSB_WRITER),
      registries.records.update(population, at, { ethnicity: '回族' }, PSB_WRITER),
      registries.records.update(population, at, { householdNumber: '110105009999' }, PSB_WRITER),
      registries.records.updateOrCreate(population, at, { name: '并发测试' }, PSB_WRITER),
    ]);
    const record = await registries.records.read(population, at, { actor: CLERK, purpose: 'test' });
    expect(record).toMatchObject({ revision: 5, data: { householdAddress: '北京市朝阳区并发 1 号', ethnicity: '回族', householdNumber: '110105009999', name: '并发测试' } });
    const history = await registries.records.history(population, person.idNumber);
    // Each change replaced what the one before it wrote: 0, 1, 2, then 3 of the new values.
    const wrote = { householdAddress: '北京市朝阳区并发 1 号', ethnicity: '回族', householdNumber: '110105009999', name: '并发测试' };
    expect(history.map((h) => h.operation)).toEqual(['create', 'update', 'update', 'update', 'update']);
    expect(history.slice(1).map((h) => Object.entries(wrote).filter(([field, value]) => h.before?.[field] === value).length)).toEqual([0, 1, 2, 3]);

    // Two creating the same new record at once: one creates it, the other updates what it created.
    const newcomer = syntheticPerson(900_021);
    const both = await Promise.all([
      registries.records.updateOrCreate(population, { idNumber: newcomer.idNumber }, { ...newcomer }, PSB_WRITER),
      registries.records.updateOrCreate(population, { idNumber: newcomer.idNumber }, { ...newcomer, ethnicity: '满族' }, PSB_WRITER),
    ]);
    expect(both.map((r) => r.created).sort()).toEqual([false, true]);
    expect((await registries.records.history(population, newcomer.idNumber)).map((h) => h.operation)).toEqual(['create', 'update']);

    // A removal racing an update: the update finds the record gone (not found), or ran first.
    const leaving = syntheticPerson(900_022);
    await registries.records.create(population, leaving, PSB_WRITER);
    const [removed, racing] = await Promise.allSettled([
      registries.records.remove(population, leaving.idNumber, { ...PSB_WRITER, reason: 'Emigrated' }),
      registries.records.update(population, { idNumber: leaving.idNumber }, { ethnicity: '壮族' }, PSB_WRITER),
    ]);
    expect(removed.status).toBe('fulfilled');
    if (racing.status === 'rejected') expect(racing.reason).toMatchObject({ code: 'TB_REGISTRIES_NOT_FOUND' });
    expect((await registries.records.history(population, leaving.idNumber)).at(-1)?.operation).toBe('delete');
  });

  it('reportWrongData opens a task for the owner agency, which only its staff can close, with a note', async () => {
    const { registries } = built.services;
    const { taskId } = await registries.reportWrongData({ registry: 'population', idNumber: DEMO_CITIZEN.idNumber, items: ['householdAddress'], description: 'I moved in 2025', reporter: { accountId: ZHANG.accountId } });
    const open = await registries.corrections(['110000-PSB']);
    expect(open.find((t) => t.id === taskId)).toMatchObject({ registry: 'population', key: DEMO_CITIZEN.idNumber, owner: '110000-PSB', items: ['householdAddress'], status: 'open' });
    expect((await registries.corrections(['110000-AMR'])).some((t) => t.id === taskId)).toBe(false);
    const staff = { kind: 'staff', id: 'psb-staff', organisation: '110000-PSB' } as const;
    expect(await codeOf(registries.resolveCorrection({ id: taskId, note: 'done', actor: staff, mayResolve: (owner) => owner === '110000-AMR' }))).toBe('TB_REGISTRIES_CORRECTION_NOT_FOUND');
    expect(await codeOf(registries.resolveCorrection({ id: taskId, note: ' ', actor: staff, mayResolve: () => true }))).toBe('TB_REGISTRIES_REASON_REQUIRED');
    await registries.resolveCorrection({ id: taskId, note: 'Address corrected', actor: staff, mayResolve: (owner) => owner === '110000-PSB' });
    expect((await registries.corrections(['110000-PSB'])).some((t) => t.id === taskId)).toBe(false);
    expect(await registries.correction(taskId)).toMatchObject({ status: 'resolved', resolution: 'Address corrected' });
    expect(await codeOf(registries.resolveCorrection({ id: taskId, note: 'again', actor: staff, mayResolve: () => true }))).toBe('TB_REGISTRIES_CORRECTION_NOT_FOUND');
    const trail = await built.kernel.audit.listBySubject(ZHANG.accountId);
    expect(trail.map((r) => r.action)).toEqual(expect.arrayContaining(['registry.correction.report', 'registry.correction.resolve']));
  });

  it('a report made by a clerk at a counter is the clerk\'s act for the person: the person is the subject, the clerk the staff actor of their agency', async () => {
    const { registries } = built.services;
    const before = (await built.kernel.audit.listBySubject(CLERK.id)).length;
    const { taskId } = await registries.reportWrongData({
      registry: 'population', idNumber: ` ${DEMO_CITIZEN.idNumber.toLowerCase()} `, items: ['householdAddress'], description: 'Moved (said at the counter)',
      reporter: { accountId: CLERK.id }, actor: CLERK, requestId: 'req-counter',
    });
    expect(await registries.correction(taskId)).toMatchObject({
      key: DEMO_CITIZEN.idNumber, reporterAccountId: CLERK.id, reporter: { kind: 'staff', organisation: '110000-CAB' }, subjectAccountId: ZHANG.accountId,
    });
    const report = (await built.kernel.audit.listBySubject(ZHANG.accountId)).find((r) => r.resource?.id === taskId);
    expect(report).toMatchObject({ action: 'registry.correction.report', actor: CLERK, subject: ZHANG.accountId, onBehalfOf: ZHANG.accountId, requestId: 'req-counter' });
    // Nothing lands on the clerk's own record.
    expect(await built.kernel.audit.listBySubject(CLERK.id)).toHaveLength(before);

    // A person without an account: named by ID number; their account, once they have one, is the subject of what follows.
    const newcomer = syntheticPerson(3);
    const second = await registries.reportWrongData({
      registry: 'population', idNumber: newcomer.idNumber, items: ['name'], description: 'Name misspelt', reporter: { accountId: CLERK.id }, actor: CLERK,
    });
    expect(await registries.correction(second.taskId)).toMatchObject({ reporter: { kind: 'staff', organisation: '110000-CAB' }, subjectAccountId: undefined });
    const { rows } = await sql<{ on_behalf_of: string | null; subject: string | null }>`select on_behalf_of, subject from tb_audit_record where resource_id = ${second.taskId}`.execute(built.kernel.db);
    expect(rows).toEqual([{ on_behalf_of: `resident-id:${newcomer.idNumber}`, subject: null }]);
    const account = await built.services.identity.saveAccount({ kind: 'person', name: newcomer.name, idNumber: newcomer.idNumber });
    await registries.resolveCorrection({ id: second.taskId, note: 'Corrected', actor: { kind: 'staff', id: 'psb-staff', organisation: '110000-PSB' }, mayResolve: () => true });
    expect((await built.kernel.audit.listBySubject(account.id)).map((r) => r.action)).toEqual(['registry.correction.resolve']);
  });

  it('a read of a disabled person\'s record is on their record, seen once the account is enabled again', async () => {
    const { registries, identity } = built.services;
    const person = syntheticPerson(7);
    const account = await identity.saveAccount({ kind: 'person', name: person.name, idNumber: person.idNumber });
    await identity.disableAccount(account.id);
    await registries.readForPerson({ registry: 'population', idNumber: person.idNumber, items: ['name'], actor: CLERK, purpose: 'Case while disabled' });
    const population = await registries.registry('population');
    await registries.records.read(population, { idNumber: person.idNumber }, { actor: CLERK, purpose: 'Look-up while disabled' });
    const usage = () => registries.usageForAgency({ idNumber: person.idNumber, registry: 'population', agency: '110000-PSB', reader: { actor: PSB_SYSTEM, purpose: '' } });
    await expect(usage()).rejects.toMatchObject({ code: 'TB_REGISTRIES_PERSON_NOT_FOUND' });
    await identity.enableAccount(account.id);
    const found = await usage();
    expect(found.filter((r) => r.action === 'registry.record.read').map((r) => r.purpose).sort()).toEqual(['Case while disabled', 'Look-up while disabled']);
  });

  it('describe names the registry, its owner and its items in both languages', async () => {
    const described = await built.services.registries.describe('population');
    expect(described).toMatchObject({ code: 'population', owner: '110000-PSB', name: { en: 'Population register' } });
    expect(described?.items).toContainEqual({ id: 'householdAddress', title: { 'zh-CN': '户籍地址', en: 'Household address' } });
    expect(await built.services.registries.describe('nope')).toBeUndefined();
  });

  it('generates valid synthetic persons, each once, and looks them up by index scans (EXPLAIN)', async () => {
    const { registries } = built.services;
    const progress: number[] = [];
    const first = await registries.generatePersons(20_000, { batchSize: 5000, progress: (done) => progress.push(done) });
    expect(progress).toEqual([5000, 10_000, 15_000, 20_000]);
    // The demo seed made the first 200 already.
    expect(first.added).toBe(19_800);
    expect((await registries.generatePersons(20_000)).added).toBe(0);
    const sample = syntheticPerson(12_345);
    expect(isResidentId(sample.idNumber)).toBe(true);
    expect(new Set(Array.from({ length: 20_000 }, (_, i) => syntheticPerson(i).idNumber)).size).toBe(20_000);

    await sql`analyze`.execute(built.kernel.db);
    const plan = async (query: ReturnType<typeof sql>) => (await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(built.kernel.db)).rows.map((r) => r['QUERY PLAN']).join('\n');
    const byKey = await plan(sql`select * from registries_records where registry = ${'population'} and key = ${sample.idNumber}`);
    expect(byKey).toMatch(/Index (Only )?Scan using registries_records_key/);
    expect(byKey).not.toMatch(/Seq Scan/);
    const byName = await plan(sql`select r.* from registries_records r where r.registry = ${'population'} and exists (select 1 from registries_search_keys k where k.record_id = r.id and k.registry = ${'population'} and k.field = ${'name'} and k.value >= ${'欧阳'} and k.value < ${'欧阳\u{10FFFF}'})`);
    expect(byName).toMatch(/Index (Only )?Scan using registries_search_keys_pk/);
    expect(byName).not.toMatch(/Seq Scan on registries_search_keys/);
  });

  it('the database computes the same persons as syntheticPerson, and stores them with their search key and history', async () => {
    const db = built.kernel.db;
    const computed = [...(await syntheticPersonsSql(0, 3000).execute(db)).rows, ...(await syntheticPersonsSql(98_765_000, 98_766_000).execute(db)).rows];
    expect(computed).toHaveLength(4000);
    for (const row of computed) {
      const person = syntheticPerson(Number(row.i));
      expect(row.key).toBe(person.idNumber);
      expect(row.data).toEqual({ ...person });
    }
    // Stored by generatePersons (the test above): the record, its name as a search key, its creation in the history.
    const sample = syntheticPerson(12_345);
    const stored = await sql<{ id: string; data: Record<string, unknown>; revision: number }>`select id, data, revision from registries_records where registry = 'population' and key = ${sample.idNumber}`.execute(db);
    expect(stored.rows).toHaveLength(1);
    const record = stored.rows[0]!;
    expect(record.data).toEqual({ ...sample });
    expect(record.revision).toBe(1);
    expect(record.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const keys = await sql<{ field: string; value: string }>`select field, value from registries_search_keys where record_id = ${record.id}`.execute(db);
    expect(keys.rows).toEqual([{ field: 'name', value: sample.name }]);
    const history = await sql<{ operation: string; actor_id: string }>`select operation, actor_id from registries_history where record_id = ${record.id}`.execute(db);
    expect(history.rows).toEqual([{ operation: 'create', actor_id: 'tongban-seed' }]);
  });
});
