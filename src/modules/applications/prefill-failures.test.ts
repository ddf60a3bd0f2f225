import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { ServiceVersion } from '../catalog/service.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { formOf } from './journey.js';
import { createPrefill } from './prefill.js';
import type { PrefillConsentCheck, PrefillPort } from './prefill-port.js';
import { createApplicationsStore, type ApplicationRow } from './store.js';
import { demoApp } from './test-kit.js';

/*
 * What the prefill does when the other side fails, with a fake port (the real one is tested in
 * prefill.test.ts): a registry that throws or has no record, an agreement that is gone, and values
 * the form would refuse. Never an exception for the person: an outcome that says why.
 */

const REGISTER = { code: 'population', name: { 'zh-CN': '人口登记簿', en: 'Population register' }, owner: '110000-PSB' };
const AGREEMENT = {
  id: 'prefill-population', version: 1, controller: '110000-PSB', purpose: { 'zh-CN': '预填', en: 'Prefill' }, legalBasis: { 'zh-CN': '法律', en: 'The law' },
  items: ['name', 'dateOfBirth', 'householdAddress'], retention: { 'zh-CN': '一年', en: 'A year' }, needsConsent: false,
};

function fakePort(read: PrefillPort['readForPerson'], check: PrefillConsentCheck = { ok: true, basis: 'legal_basis' }): PrefillPort & { reads: number } {
  const port = {
    reads: 0,
    describe: () => Promise.resolve({ ...REGISTER, items: [{ id: 'name', title: { 'zh-CN': '姓名', en: 'Name' } }] }),
    readForPerson: async (input: Parameters<PrefillPort['readForPerson']>[0]) => { port.reads += 1; return read(input); },
    reportWrongData: () => Promise.resolve({ taskId: 'task' }),
    agreement: () => Promise.resolve(AGREEMENT),
    check: () => Promise.resolve(check),
    give: () => Promise.resolve({}),
  };
  return port;
}

describeEachDatabase('applications: prefill when the registry or the agreement fails', migrationSources, (use) => {
  let built: Built;
  let person: Principal;
  let version: ServiceVersion;
  const store = createApplicationsStore();

  beforeAll(async () => {
    built = await demoApp(use());
    const found = await built.services.identity.principal(demoPersona('citizen').accountId);
    if (!found) throw new Error('no citizen');
    person = found;
    version = (await built.services.catalog.getCurrentService('residence-certificate'))!;
  });
  afterAll(async () => { await built.app.close(); });

  // The person has one draft per service: each test takes it up where the last left it.
  const draftRow = async (): Promise<ApplicationRow> => {
    const draft = await built.services.applications.startOnline('residence-certificate', person, 'en');
    return (await store.get(built.kernel.db, draft.id))!;
  };
  const decide = (port: PrefillPort, row: ApplicationRow) => createPrefill({ kernel: built.kernel, port, catalog: built.services.catalog }).decide({
    row, version, form: formOf(version), editor: person, choice: 'prefill', locale: 'en', ctx: { now: '2026-12-03' },
    consentActor: { kind: 'person', id: person.accountId }, reader: { kind: 'system', id: 'applications.prefill', organisation: '110000-PSB' },
  });

  it('leaves the person to fill in by hand when the registry throws or has no record', async () => {
    const row = await draftRow();
    const down = fakePort(() => Promise.reject(new Error('registry down')));
    expect(await decide(down, row)).toEqual({ outcome: 'unavailable', reason: 'no_record' });
    expect(down.reads).toBe(1);
    const prefill = createPrefill({ kernel: built.kernel, port: down, catalog: built.services.catalog });
    expect((await prefill.decisionFor(row.id))?.outcome).toBe('unavailable');
    expect(await prefill.pending(row, version)).toBe(false);
    // Only what the person's own account gave (ADR 70), nothing from the registry.
    expect(Object.keys((await store.get(built.kernel.db, row.id))?.answers ?? {}).sort()).toEqual(['full_name', 'id_number']);

    const empty = fakePort(() => Promise.resolve(null));
    expect(await decide(empty, row)).toEqual({ outcome: 'unavailable', reason: 'no_record' });
  });

  it('refuses without reading when the agreement is not in force, and says so on the plan', async () => {
    const row = await draftRow();
    const gone = fakePort(() => Promise.resolve({ values: { name: '张伟' }, registry: REGISTER }), { ok: false, reason: 'unknown_agreement' });
    const plan = await createPrefill({ kernel: built.kernel, port: gone, catalog: built.services.catalog }).plan(version, formOf(version), row.applicant_id_number);
    expect(plan?.standing).toEqual({ kind: 'unavailable', reason: 'unknown_agreement' });
    expect(plan?.ownerName.en).toBe('Beijing Municipal Public Security Bureau');
    expect(await decide(gone, row)).toEqual({ outcome: 'refused', reason: 'unknown_agreement' });
    expect(gone.reads).toBe(0);
  });

  it('fills only the values the form accepts, and keeps what the person already typed', async () => {
    const row = await draftRow();
    await built.kernel.db.transaction().execute((tx) => store.saveDraft(tx, row.id, { answers: { date_of_birth: '1990-03-08' }, documents: {}, at: new Date() }));
    const odd = fakePort(() => Promise.resolve({ values: { name: '张伟', dateOfBirth: '1990-03-07', householdAddress: '东城区某街' }, registry: REGISTER }));
    expect(await decide(odd, row)).toEqual({ outcome: 'filled', filled: ['full_name'] });
    expect((await store.get(built.kernel.db, row.id))?.answers).toEqual({ full_name: '张伟', date_of_birth: '1990-03-08' });
  });
});
