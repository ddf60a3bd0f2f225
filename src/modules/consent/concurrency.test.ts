import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { DEMO_AGREEMENT_INPUTS } from './demo.js';
import type { AgencyActor, AgreementAdmin } from './service.js';
import { createConsentStore } from './store.js';

// Writes of one agreement (or policy) at once. On PostgreSQL they really overlap; PGlite runs one
// transaction at a time, where the same calls must give the same answers.
const psbAdmin: AgreementAdmin = { actor: { kind: 'staff', id: 'psb-admin' }, may: (agency) => agency === '110000-PSB' };
const psb: AgencyActor = { actor: { kind: 'client', id: 'psb-system' }, agency: '110000-PSB' };
const base = { ...DEMO_AGREEMENT_INPUTS[0]!, controller: '110000-PSB' };
const codes = (results: PromiseSettledResult<unknown>[]) =>
  results.map((r) => (r.status === 'fulfilled' ? 'ok' : (r.reason as { code?: string }).code ?? String(r.reason))).sort();

describeEachDatabase('consent: writes of one agreement at once', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => {
    const config = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...config, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
  });
  afterAll(async () => { await built.app.close(); });

  it('numbers versions saved at once one after another, a retirement among them too', async () => {
    const { consent } = built.services;
    await consent.saveAgreement({ ...base, id: 'race-save' }, psbAdmin, { create: true });
    const saves = Array.from({ length: 5 }, (_, i) => consent.saveAgreement({ ...base, id: 'race-save', retention: { 'zh-CN': `保存 ${i + 1} 年`, en: `Kept for ${i + 1} years` } }, psbAdmin));
    const results = await Promise.allSettled([...saves, consent.retireAgreement('race-save', psbAdmin)]);
    expect(codes(results)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
    expect((await consent.versions('race-save')).map((v) => v.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('creates an agreement made twice at once once, the other answer a 409', async () => {
    const { consent } = built.services;
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => consent.saveAgreement({ ...base, id: 'race-create' }, psbAdmin, { create: true })));
    expect(codes(results)).toEqual(['TB_CONSENT_AGREEMENT_EXISTS', 'TB_CONSENT_AGREEMENT_EXISTS', 'TB_CONSENT_AGREEMENT_EXISTS', 'ok']);
    expect(results.find((r) => r.status === 'rejected')).toMatchObject({ reason: { status: 409 } });
    expect(await consent.versions('race-create')).toHaveLength(1);
  });

  it('refuses consent to an agreement whose retirement commits while the consent is being recorded', async () => {
    const { consent } = built.services;
    const agreement = await consent.saveAgreement({ ...base, id: 'race-retire' }, psbAdmin, { create: true });
    const store = createConsentStore();
    let give: Promise<unknown> | undefined;
    // A retirement in flight, as retireAgreement writes it: the agreement's lock, then the inactive version.
    await built.kernel.db.transaction().execute(async (tx) => {
      await store.lockAgreement(tx, agreement.id, 'exclusive');
      const [row] = await store.latestAgreements(tx, { id: agreement.id });
      await store.insertAgreement(tx, { ...row!, version: row!.version + 1, active: false, created_at: new Date(), created_by: 'psb-admin' });
      give = consent.give({ agreementId: agreement.id, idNumber: '110101199003072359', channel: 'online', actor: { kind: 'person', id: 'someone' } }).then(() => 'ok', (e: { code?: string }) => e.code);
      await sleep(300);
    });
    expect(await give).toBe('TB_CONSENT_AGREEMENT_RETIRED');
    expect(await consent.history('110101199003072359', agreement.id)).toEqual([]);
  });

  it('numbers policy versions saved at once one after another', async () => {
    const { consent } = built.services;
    const results = await Promise.allSettled(Array.from({ length: 4 }, (_, i) => consent.savePolicy({ id: 'race-policy', name: `Policy ${i}`, url: 'https://psb.example/policy' }, psb)));
    expect(codes(results)).toEqual(['ok', 'ok', 'ok', 'ok']);
    expect((await consent.policyVersions('race-policy')).map((p) => p.version).sort((a, b) => a - b)).toEqual([1, 2, 3, 4]);
  });
});
