import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { DEMO_AGREEMENT_INPUTS, DEMO_AGREEMENTS } from './demo.js';
import type { AgreementAdmin } from './service.js';

const CITIZEN = '110101199003072359';
const CITIZEN_ACCOUNT = '0190a1b2-0000-7000-8000-000000000001';
const STRANGER = '11010119800101001X';
const DAY = 86_400_000;
const psbAdmin: AgreementAdmin = { actor: { kind: 'staff', id: 'psb-admin' }, may: (agency) => agency === '110000-PSB' };
const online = { channel: 'online' as const, actor: { kind: 'person' as const, id: CITIZEN_ACCOUNT } };

describeEachDatabase('consent: agreements, consent events and the check', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
  });
  afterAll(async () => { await built.app.close(); });

  it('seeds the demo agreements once, the prefill one as the contract describes it', async () => {
    const { consent } = built.services;
    await modules.find((m) => m.name === 'consent')!.seed!({ kernel: built.kernel, services: built.services });
    expect(await consent.versions(DEMO_AGREEMENTS.prefill)).toHaveLength(1);
    expect(await consent.agreement(DEMO_AGREEMENTS.prefill)).toMatchObject({
      id: 'prefill-population', version: 1, controller: '110000-PSB', needsConsent: true, items: ['name', 'dateOfBirth', 'householdAddress'],
      purpose: { en: 'Prefill your application with your name, date of birth and household address from the population register' },
    });
    expect(await consent.agreement(DEMO_AGREEMENTS.legalBasis)).toMatchObject({ needsConsent: false, lawfulBasis: 'public_task' });
    expect(await consent.agreement('no-such-agreement')).toBeUndefined();
  });

  it('answers missing, then consent once given, withdrawn after withdrawal, and consent again when given again', async () => {
    const { consent } = built.services;
    const ask = { agreementId: DEMO_AGREEMENTS.mediator, idNumber: CITIZEN };
    expect(await consent.check(ask)).toEqual({ ok: false, reason: 'missing' });
    const given = await consent.give({ ...ask, ...online, accountId: CITIZEN_ACCOUNT });
    expect(given).toMatchObject({ kind: 'given', state: 'given', channel: 'online', agreementVersion: 1, accountId: CITIZEN_ACCOUNT, expiresAt: undefined });
    expect(await consent.check(ask)).toEqual({ ok: true, basis: 'consent' });
    expect(await consent.withdraw({ ...ask, ...online })).toMatchObject({ kind: 'withdrawn', state: 'withdrawn' });
    expect(await consent.check(ask)).toEqual({ ok: false, reason: 'withdrawn' });
    await consent.give({ ...ask, channel: 'counter', actor: { kind: 'staff', id: 'clerk' } });
    expect(await consent.check(ask)).toEqual({ ok: true, basis: 'consent' });
    // The history is kept, newest first, with the channel of each change.
    expect((await consent.history(CITIZEN, DEMO_AGREEMENTS.mediator)).map((e) => `${e.kind}/${e.channel}`)).toEqual(['given/counter', 'withdrawn/online', 'given/online']);
  });

  it('audits each change with the person\'s account as subject, found from the ID number when not given', async () => {
    const trail = await built.kernel.audit.listBySubject(CITIZEN_ACCOUNT);
    const changes = trail.filter((r) => r.action.startsWith('consent.'));
    expect(changes.map((r) => r.action)).toEqual(['consent.give', 'consent.withdraw', 'consent.give']);
    expect(changes[0]).toMatchObject({ actor: { kind: 'staff', id: 'clerk' }, resource: { type: 'consent-agreement', id: DEMO_AGREEMENTS.mediator }, details: { channel: 'counter' } });
  });

  it('lets consent expire after the agreement\'s days, and answers the legal basis and unknown agreements', async () => {
    const { consent } = built.services;
    const given = await consent.give({ agreementId: DEMO_AGREEMENTS.prefill, idNumber: STRANGER, channel: 'api', actor: { kind: 'client', id: 'system' } });
    expect(given.accountId).toBeUndefined();
    expect(given.expiresAt!.getTime() - given.at.getTime()).toBe(365 * DAY);
    const ask = { agreementId: DEMO_AGREEMENTS.prefill, idNumber: STRANGER.toLowerCase() };
    expect(await consent.check({ ...ask, at: new Date(given.at.getTime() + 364 * DAY) })).toEqual({ ok: true, basis: 'consent' });
    expect(await consent.check({ ...ask, at: new Date(given.at.getTime() + 365 * DAY) })).toEqual({ ok: false, reason: 'expired' });
    expect(await consent.check({ agreementId: DEMO_AGREEMENTS.legalBasis, idNumber: STRANGER })).toEqual({ ok: true, basis: 'legal_basis' });
    expect(await consent.check({ agreementId: 'no-such-agreement', idNumber: STRANGER })).toEqual({ ok: false, reason: 'unknown_agreement' });
    await expect(consent.give({ agreementId: DEMO_AGREEMENTS.legalBasis, idNumber: STRANGER, ...online })).rejects.toMatchObject({ code: 'TB_CONSENT_NOT_NEEDED' });
    await expect(consent.give({ agreementId: DEMO_AGREEMENTS.prefill, idNumber: '12345', ...online })).rejects.toMatchObject({ code: 'TB_CONSENT_ID_NUMBER_INVALID' });
  });

  it('carries consent over to a narrower version, not to one that adds a data item or changes the purpose', async () => {
    const { consent } = built.services;
    const base = DEMO_AGREEMENT_INPUTS.find((a) => a.id === DEMO_AGREEMENTS.mediator)!;
    const ask = { agreementId: base.id, idNumber: CITIZEN };
    const narrower = await consent.saveAgreement({ ...base, items: ['name', 'birthDate'], retention: { 'zh-CN': '保存 1 年', en: 'Kept for 1 year' } }, psbAdmin);
    expect(narrower).toMatchObject({ version: 2, consentFromVersion: 1 });
    expect(await consent.check(ask)).toEqual({ ok: true, basis: 'consent' });
    const wider = await consent.saveAgreement({ ...base, items: ['name', 'birthDate', 'photo'] }, psbAdmin);
    expect(wider).toMatchObject({ version: 3, consentFromVersion: 3 });
    expect(await consent.check(ask)).toEqual({ ok: false, reason: 'missing' });
    expect((await consent.forPerson(CITIZEN)).find((l) => l.agreement.id === base.id)).toMatchObject({ state: 'outdated' });
    await consent.give({ ...ask, ...online });
    expect(await consent.check(ask)).toEqual({ ok: true, basis: 'consent' });
    const newPurpose = await consent.saveAgreement({ ...base, items: ['name'], purpose: { 'zh-CN': '新的目的', en: 'A new purpose' } }, psbAdmin);
    expect(newPurpose).toMatchObject({ version: 4, consentFromVersion: 4 });
    expect(await consent.check(ask)).toEqual({ ok: false, reason: 'missing' });
    expect((await consent.versions(base.id)).map((v) => v.version)).toEqual([4, 3, 2, 1]);
  });

  it('refuses another agency\'s administrator, a taken id and a bad agreement, and audits what it saves', async () => {
    const { consent } = built.services;
    const input = { ...DEMO_AGREEMENT_INPUTS[0]!, id: 'amr-licence-check', controller: '110000-AMR' };
    await expect(consent.saveAgreement(input, psbAdmin, { create: true })).rejects.toMatchObject({ code: 'TB_CONSENT_FORBIDDEN' });
    await expect(consent.saveAgreement({ ...input, controller: '110000-PSB', id: DEMO_AGREEMENTS.prefill }, psbAdmin, { create: true })).rejects.toMatchObject({ code: 'TB_CONSENT_AGREEMENT_EXISTS' });
    await expect(consent.saveAgreement({ ...input, controller: '110000-PSB', items: [] }, psbAdmin)).rejects.toMatchObject({ code: 'TB_CONSENT_AGREEMENT_INVALID', fields: [{ pointer: '/items' }] });
    await expect(consent.saveAgreement({ ...input, controller: '110000-PSB', purpose: { 'zh-CN': ' ', en: 'x' } }, psbAdmin)).rejects.toMatchObject({ fields: [{ pointer: '/purpose/zh-CN' }] });
    const saved = await consent.saveAgreement({ ...input, controller: '110000-PSB' }, psbAdmin, { create: true });
    const audit = await sql<{ actor_id: string }>`select actor_id from tb_audit_record where action = 'consent.agreement.save' and resource_id = ${saved.id}`.execute(built.kernel.db);
    expect(audit.rows).toEqual([{ actor_id: 'psb-admin' }]);
  });

  it('retires an agreement: checks answer unknown_agreement and no consent can be given, the history stays', async () => {
    const { consent } = built.services;
    await consent.give({ agreementId: 'amr-licence-check', idNumber: CITIZEN, ...online });
    const retired = await consent.retireAgreement('amr-licence-check', psbAdmin);
    expect(retired).toMatchObject({ version: 2, active: false });
    expect(await consent.check({ agreementId: 'amr-licence-check', idNumber: CITIZEN })).toEqual({ ok: false, reason: 'unknown_agreement' });
    expect(await consent.agreement('amr-licence-check')).toBeUndefined();
    await expect(consent.give({ agreementId: 'amr-licence-check', idNumber: CITIZEN, ...online })).rejects.toMatchObject({ code: 'TB_CONSENT_AGREEMENT_RETIRED' });
    // A person still sees an agreement they answered, after it is retired.
    expect((await consent.forPerson(CITIZEN)).map((l) => l.agreement.id)).toContain('amr-licence-check');
    await expect(consent.retireAgreement('amr-licence-check', psbAdmin)).rejects.toMatchObject({ code: 'TB_CONSENT_AGREEMENT_NOT_FOUND' });
  });

  it('keeps the events and versions append-only: the database refuses to change or delete them', async () => {
    const { db } = built.kernel;
    await expect(sql`update consent_events set kind = 'given' where id_number = ${CITIZEN}`.execute(db)).rejects.toThrow();
    await expect(sql`delete from consent_agreements where id = ${DEMO_AGREEMENTS.prefill}`.execute(db)).rejects.toThrow();
  });
});
