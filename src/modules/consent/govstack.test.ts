import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { tokenFor } from '../mediator/test-kit.js';
import { DEMO_AGREEMENTS } from './demo.js';
import { specOperations, specViolations } from './test-kit.js';

const BASE = '/govstack/consent';
const CITIZEN = '110101199003072359';
const CITIZEN_ACCOUNT = '0190a1b2-0000-7000-8000-000000000001';
const PREFILL = DEMO_AGREEMENTS.prefill;
const INDIVIDUAL = 'x-consentbb-individualid';

const newAgreement = {
  dataAgreement: {
    id: 'psb-photo-reuse', version: '1', purpose: 'Reuse your ID card photo', lawfulBasis: 'consent', dpia: '',
    tongban: {
      purpose: { 'zh-CN': '复用您的身份证照片', en: 'Reuse your ID card photo' }, legalBasis: { 'zh-CN': '您的同意', en: 'Your consent' },
      items: ['photo'], retention: { 'zh-CN': '随申请保存', en: 'Kept with the application' }, consentDays: 30,
    },
  },
};

type Answer = { statusCode: number; json: <T = Record<string, unknown>>() => T; headers: Record<string, unknown> };

describeEachDatabase('GovStack Consent API', migrationSources, (use) => {
  let built: Built;
  const tokens: Record<'psb' | 'amr' | 'auditor' | 'noScope', string> = { psb: '', amr: '', auditor: '', noScope: '' };

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
    tokens.psb = await tokenFor(built, 'test-psb-consent', 'CN/GOV/110000-PSB/consent-system', ['consent:config', 'consent:service']);
    tokens.amr = await tokenFor(built, 'test-amr-consent', 'CN/GOV/110000-AMR/licence-system', ['consent:config', 'consent:service']);
    tokens.auditor = await tokenFor(built, 'test-auditor', 'CN/GOV/110000-CAB/audit-system', ['consent:audit']);
    tokens.noScope = await tokenFor(built, 'test-no-scope', 'CN/GOV/110000-CAB/other', ['registration:read']);
  });
  afterAll(async () => { await built.app.close(); });

  const send = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: { as?: keyof typeof tokens | null; body?: object; individual?: string; lang?: string } = {}): Promise<Answer> => {
    const res = await built.app.inject({
      method, url: `${BASE}${url}`,
      headers: {
        accept: 'application/json', 'accept-language': options.lang ?? 'en',
        ...(options.as === null ? {} : { authorization: `Bearer ${tokens[options.as ?? 'psb']}` }),
        ...(options.individual ? { [INDIVIDUAL]: options.individual } : {}),
      },
      ...(options.body ? { payload: options.body } : {}),
    });
    return res;
  };

  it('creates, reads, lists, versions and retires the caller agency\'s own agreement, in the spec\'s shapes', async () => {
    const created = await send('POST', '/config/data-agreement/', { body: newAgreement });
    expect(created.statusCode).toBe(200);
    expect(specViolations('/config/data-agreement/', 'post', created.json())).toEqual([]);
    expect(created.json()).toMatchObject({ dataAgreement: { id: 'psb-photo-reuse', version: '1', controller: { id: '110000-PSB' }, lawfulBasis: 'consent', active: true } });
    const read = await send('GET', '/config/data-agreement/psb-photo-reuse/', { lang: 'zh-CN' });
    expect(specViolations('/config/data-agreement/{dataAgreementId}/', 'get', read.json())).toEqual([]);
    expect(read.json()).toMatchObject({ dataAgreement: { purpose: '复用您的身份证照片' }, revision: { schemaName: 'DataAgreement', objectId: 'psb-photo-reuse' } });
    const list = await send('GET', '/config/data-agreements/');
    expect(specViolations('/config/data-agreements/', 'get', list.json())).toEqual([]);
    expect(list.json<{ dataAgreement: { id: string }[] }>().dataAgreement.map((a) => a.id)).toEqual(expect.arrayContaining(['psb-photo-reuse', PREFILL]));
    const wider = { dataAgreement: { ...newAgreement.dataAgreement, tongban: { ...newAgreement.dataAgreement.tongban, items: ['photo', 'signature'] } } };
    const updated = await send('PUT', '/config/data-agreement/psb-photo-reuse/', { body: wider });
    expect(specViolations('/config/data-agreement/{dataAgreementId}/', 'put', updated.json())).toEqual([]);
    expect(updated.json()).toMatchObject({ dataAgreement: { version: '2', tongban: { consentFromVersion: 2 } } });
    expect(updated.json<{ revision: { serializedHash: string } }>().revision.serializedHash).not.toBe(read.json<{ revision: { serializedHash: string } }>().revision.serializedHash);
    const deleted = await send('DELETE', '/config/data-agreement/psb-photo-reuse/');
    expect(specViolations('/config/data-agreement/{dataAgreementId}/', 'delete', deleted.json())).toEqual([]);
    expect(await built.services.consent.agreement('psb-photo-reuse')).toBeUndefined();
  });

  it('keeps agencies apart and needs the right token', async () => {
    expect((await send('GET', `/config/data-agreement/${PREFILL}/`, { as: 'amr' })).json()).toMatchObject({ code: 'TB_CONSENT_AGREEMENT_NOT_FOUND', status: 404 });
    expect((await send('POST', `/service/individual/record/data-agreement/${PREFILL}/?individualId=${CITIZEN}`, { as: 'amr' })).statusCode).toBe(404);
    expect((await send('PUT', `/config/data-agreement/${PREFILL}/`, { as: 'amr', body: newAgreement })).statusCode).toBe(404);
    const none = await send('GET', '/config/data-agreements/', { as: null });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer scope="consent:config"');
    expect((await send('GET', '/config/data-agreements/', { as: 'noScope' })).json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING', status: 403 });
    expect((await send('GET', '/audit/consent-records/', { as: 'psb' })).statusCode).toBe(403);
    const invalid = await send('POST', '/config/data-agreement/', { body: { dataAgreement: { id: 'no-extension', lawfulBasis: 'consent' } } });
    expect(invalid.json()).toMatchObject({ code: 'TB_CONSENT_AGREEMENT_INVALID', errors: [expect.objectContaining({ pointer: '/dataAgreement/tongban' })] });
  });

  it('reads agreements for data consumers', async () => {
    const one = await send('GET', `/service/data-agreement/${PREFILL}/`);
    expect(specViolations('/service/data-agreement/{dataAgreementId}/', 'get', one.json())).toEqual([]);
    expect(one.json()).toMatchObject({ dataAgreement: { id: PREFILL, tongban: { items: ['name', 'dateOfBirth', 'householdAddress'], needsConsent: true } } });
    const all = await send('GET', '/service/verification/data-agreements/?limit=2');
    expect(specViolations('/service/verification/data-agreements/', 'get', all.json())).toEqual([]);
    expect(all.json<{ dataAgreements: unknown[] }>().dataAgreements).toHaveLength(2);
  });

  it('records consent for an individual, reads it back, withdraws it by update, and keeps both records', async () => {
    const { consent } = built.services;
    const given = await send('POST', `/service/individual/record/data-agreement/${PREFILL}/?individualId=${CITIZEN}`);
    expect(given.statusCode).toBe(200);
    expect(specViolations('/service/individual/record/data-agreement/{dataAgreementId}/', 'post', given.json())).toEqual([]);
    const record = given.json<{ consentRecord: { id: string } }>().consentRecord;
    expect(record).toMatchObject({ optIn: true, individual: { id: CITIZEN }, tongban: { state: 'given', channel: 'api', accountId: CITIZEN_ACCOUNT } });
    expect(await consent.check({ agreementId: PREFILL, idNumber: CITIZEN })).toEqual({ ok: true, basis: 'consent' });

    const current = await send('GET', `/service/individual/record/data-agreement/${PREFILL}/`, { individual: CITIZEN });
    expect(specViolations('/service/individual/record/data-agreement/{dataAgreementId}/', 'get', current.json())).toEqual([]);
    expect(current.json()).toMatchObject({ consentRecord: { id: record.id, optIn: true } });
    expect((await send('GET', `/service/individual/record/data-agreement/${PREFILL}/`)).json()).toMatchObject({ code: 'TB_CONSENT_INDIVIDUAL_MISSING', status: 400 });

    const withdrawn = await send('PUT', `/service/individual/record/consent-record/${record.id}/`, { individual: CITIZEN, body: { consentRecord: { optIn: false } } });
    expect(specViolations('/service/individual/record/consent-record/{consentRecordId}/', 'put', withdrawn.json())).toEqual([]);
    expect(withdrawn.json()).toMatchObject({ consentRecord: { optIn: false, tongban: { state: 'withdrawn' } } });
    expect(await consent.check({ agreementId: PREFILL, idNumber: CITIZEN })).toEqual({ ok: false, reason: 'withdrawn' });

    const history = await send('GET', `/service/individual/record/data-agreement/${PREFILL}/all/`, { individual: CITIZEN });
    expect(specViolations('/service/individual/record/data-agreement/{dataAgreementId}/all/', 'get', history.json())).toEqual([]);
    expect(history.json<{ consentRecords: { optIn: boolean }[] }>().consentRecords.map((r) => r.optIn)).toEqual([false, true]);
    const mine = await send('GET', '/service/individual/record/consent-record/', { individual: CITIZEN });
    expect(specViolations('/service/individual/record/consent-record/', 'get', mine.json())).toEqual([]);
    expect(mine.json<{ consentRecords: { optIn: boolean }[] }>().consentRecords).toEqual([expect.objectContaining({ optIn: false })]);

    const verify = await send('GET', `/service/verification/consent-records/?dataAgreementId=${PREFILL}&individualId=${CITIZEN}`);
    expect(specViolations('/service/verification/consent-records/', 'get', verify.json())).toEqual([]);
    expect(verify.json<{ consentRecords: unknown[] }>().consentRecords).toHaveLength(1);
    const byId = await send('GET', `/service/verification/consent-record/${record.id}/`);
    expect(specViolations('/service/verification/consent-record/{consentRecordId}/', 'get', byId.json())).toEqual([]);
    expect((await send('GET', `/service/verification/consent-record/${record.id}/`, { as: 'amr' })).json()).toMatchObject({ code: 'TB_CONSENT_RECORD_NOT_FOUND' });
  });

  it('lets an auditing system read every record and agreement, and audits each read of a person\'s records', async () => {
    const records = await send('GET', '/audit/consent-records/', { as: 'auditor' });
    expect(specViolations('/audit/consent-records/', 'get', records.json())).toEqual([]);
    const [first] = records.json<{ consentRecords: { id: string }[] }>().consentRecords;
    const one = await send('GET', `/audit/consent-record/${first!.id}/`, { as: 'auditor' });
    expect(specViolations('/audit/consent-record/{consentRecordId}/', 'get', one.json())).toEqual([]);
    const agreements = await send('GET', '/audit/data-agreements/', { as: 'auditor' });
    expect(specViolations('/audit/data-agreements/', 'get', agreements.json())).toEqual([]);
    expect(agreements.json<{ dataAgreements: { id: string; active: boolean }[] }>().dataAgreements).toContainEqual(expect.objectContaining({ id: 'psb-photo-reuse', active: false }));
    const agreement = await send('GET', `/audit/data-agreement/${PREFILL}/`, { as: 'auditor' });
    expect(specViolations('/audit/data-agreement/{dataAgreementId}/', 'get', agreement.json())).toEqual([]);
    const reads = (await built.kernel.audit.listBySubject(CITIZEN_ACCOUNT)).filter((r) => r.action === 'consent.record.read');
    expect(reads.length).toBeGreaterThanOrEqual(6);
    // Each purpose says why in plain words (ADR 60), not which operation was called.
    expect(reads.filter((r) => r.actor.id === 'test-auditor').map((r) => r.purpose)).toEqual(['Auditing the consent records kept on the platform', 'Auditing the consent records kept on the platform']);
    expect(reads.filter((r) => r.actor.id !== 'test-auditor').map((r) => r.purpose)).toContain('Checking that you have given consent before using your information');
    expect(reads.filter((r) => r.actor.id !== 'test-auditor').map((r) => r.purpose)).toContain('Checking which consents you have given the organisation');
    expect(reads.map((r) => r.purpose)).not.toContainEqual(expect.stringContaining('GovStack Consent API'));
    expect(reads.find((r) => r.actor.id === 'test-auditor')).toMatchObject({ actor: { kind: 'client', organisation: '110000-CAB' } });
  });

  it('finds one person\'s current record among others\' newer ones (the person is chosen before the page is cut)', async () => {
    const verify = await send('GET', `/service/verification/consent-records/?dataAgreementId=${PREFILL}&individualId=${CITIZEN}`);
    const currentIds = verify.json<{ consentRecords: { id: string }[] }>().consentRecords.map((r) => r.id);
    expect(currentIds).toHaveLength(1);
    for (const other of ['110101199001010012', '110101199003079999']) {
      expect((await send('POST', `/service/individual/record/data-agreement/${PREFILL}/?individualId=${other}`)).statusCode).toBe(200);
    }
    const one = await send('GET', `/service/verification/consent-records/?dataAgreementId=${PREFILL}&individualId=${CITIZEN}&limit=1`);
    expect(one.json<{ consentRecords: { id: string }[] }>().consentRecords.map((r) => r.id)).toEqual(currentIds);
    const everyone = await send('GET', `/service/verification/consent-records/?dataAgreementId=${PREFILL}&limit=1`);
    expect(everyone.json<{ consentRecords: { id: string }[] }>().consentRecords.map((r) => r.id)).not.toEqual(currentIds);
  });

  it('routes every operation of the spec, none of them answering 501', async () => {
    const sample = (path: string) => path.replace(/\{[^}]+\}/g, 'x1');
    const operations = specOperations();
    expect(operations).toHaveLength(42);
    for (const operation of operations) {
      const [method, path] = operation.split(' ') as ['GET' | 'POST' | 'PUT' | 'DELETE', string];
      const res = await send(method, sample(path), { as: 'auditor' });
      expect(res.json<{ code?: string }>().code, operation).not.toBe('TB_KERNEL_NOT_FOUND');
      expect(res.statusCode, operation).not.toBe(501);
    }
    expect((await send('GET', '/config/policies/', { as: 'psb' })).json()).toEqual({ policies: [] });
  });
});
