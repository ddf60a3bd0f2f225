import { afterAll, afterEach, beforeAll, expect, it, vi } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { purposeText } from '../../kernel/audit/index.js';
import { registerJobsCommands } from '../../cli/jobs.js';
import { runCli } from '../../cli/test-kit.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { PROVIDER_REFUND_QUEUE } from './refunds.js';
import { applyForLicence, listeningDemoApp } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const citizenPrincipal = { accountId: CITIZEN.accountId, kind: CITIZEN.kind, name: CITIZEN.name, roles: CITIZEN.roles };
const OFFICER = demoPersona('officer');
const officerPrincipal = { accountId: OFFICER.accountId, kind: OFFICER.kind, name: OFFICER.name, roles: OFFICER.roles };

afterEach(() => { vi.restoreAllMocks(); process.exitCode = undefined; });

/**
 * A refund of money taken online is sent to the provider by a durable job enqueued with the refund
 * (ADR 21, "Since then" 2026-12-06): never from the request, once per refund whatever the retries
 * of the post, retried when the provider fails, listed by `tongban jobs failed` when it gives up.
 */
describeEachDatabase('payments: refunds through the provider, by a job', migrationSources, (use) => {
  let built: Built;
  let url = '';
  let officer: TestBrowser;
  // The app's clock: a test moves it on to reach the job's next attempt.
  let offset = 0;
  const now = () => new Date(Date.now() + offset);

  beforeAll(async () => {
    ({ built, url } = await listeningDemoApp(use(), undefined, now));
    officer = createTestBrowser(built.app, url);
    officer.setCookie(LANG_COOKIE, 'en');
    await signIn(officer, 'officer');
  }, 60_000);
  afterAll(async () => { await built.app.close(); });

  /** An application paid online through the test provider (its return, no webhook). */
  async function paidOnline(licenceClass: string): Promise<{ applicationId: string; paymentId: string; ref: string }> {
    const { payments } = built.services;
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '', licenceClass);
    const { paymentId, redirectUrl } = await payments.startOnline(app.id, citizenPrincipal, `pay-${app.id}`);
    const ref = redirectUrl.split('/').pop() ?? '';
    await payments.testProvider.complete(ref, 'success');
    expect((await payments.afterReturn(app.id, paymentId, citizenPrincipal)).status).toBe('succeeded');
    return { applicationId: app.id, paymentId, ref };
  }
  const atProvider = async (applicationId: string, paymentId: string) =>
    (await built.services.payments.forStaff(applicationId, officerPrincipal, purposeText('payments.purpose.payments')))?.payments.find((p) => p.id === paymentId)?.refundAtProvider;
  const jobsCli = (...args: string[]) => runCli((program, output) => registerJobsCommands(program, () => Promise.resolve({ kernel: built.kernel, close: () => Promise.resolve() }), output), ['jobs', ...args]);

  it('a refund posted twice with the same key asks the provider once, after commit, with the refund id as its idempotency key', async () => {
    const { payments } = built.services;
    const { applicationId, paymentId, ref } = await paidOnline('C1');
    const spy = vi.spyOn(payments.testProvider.port, 'refund');
    const input = { paymentId, reason: 'Paid by mistake', key: `refund-${paymentId}` };
    const first = await payments.refund(officerPrincipal, input);
    expect(first).toMatchObject({ paymentId, applicationId, amount: 1000, currency: 'CNY', reason: 'Paid by mistake', returnedThrough: 'provider', providerState: 'pending' });
    // The double click, or the client's retry after a lost answer: the first result, nothing more.
    expect(await payments.refund(officerPrincipal, input)).toEqual(first);
    expect(spy).not.toHaveBeenCalled();
    expect(await atProvider(applicationId, paymentId)).toMatchObject({ state: 'pending', attempts: 0 });
    const pending = await officer.get(`/payments/staff/${applicationId}`);
    expect(pending.body).toContain('Refunds through the payment provider');
    expect(pending.body).toContain('Sent to the payment provider: waiting for it to accept the refund');

    await built.kernel.jobs.drain();
    await built.kernel.jobs.drain();
    expect(spy).toHaveBeenCalledTimes(1);
    const refundId = (spy.mock.calls[0]?.[2])?.idempotencyKey ?? '';
    expect(spy.mock.calls[0]).toEqual([ref, 1000, { idempotencyKey: refundId }]);
    expect(refundId).toBe(first.id);
    expect((await payments.testProvider.checkout(ref))?.status).toBe('refunded');
    expect(await atProvider(applicationId, paymentId)).toMatchObject({ state: 'confirmed', attempts: 1, error: null });
    const confirmed = await officer.get(`/payments/staff/${applicationId}`);
    expect(confirmed.body).toContain('Accepted by the payment provider on ');
    expect((await officer.get(`/payments/staff/${applicationId}?lang=zh-CN`)).body).toContain('支付机构已于 ');
  });

  it('a provider that fails once: the refund commits, the job tries again and the provider accepts it', async () => {
    const { payments } = built.services;
    const { applicationId, paymentId, ref } = await paidOnline('B2');
    const spy = vi.spyOn(payments.testProvider.port, 'refund').mockRejectedValueOnce(new Error('provider unavailable'));
    // Before, this call failed with a 500 after the refund had committed, and nothing tried again.
    expect(await payments.refund(officerPrincipal, { paymentId, reason: 'Refused by the officer', key: `refund-${paymentId}` })).toMatchObject({ paymentId, providerState: 'pending' });
    await built.kernel.jobs.drain();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await atProvider(applicationId, paymentId)).toMatchObject({ state: 'pending', attempts: 1, error: 'Error: provider unavailable' });
    expect((await officer.get(`/payments/staff/${applicationId}`)).body).toContain('Not accepted by the payment provider yet (1 attempt, last error: Error: provider unavailable): trying again');
    expect((await officer.get(`/payments/staff/${applicationId}?lang=zh-CN`)).body).toContain('支付机构尚未受理（已尝试 1 次，最近一次错误：Error: provider unavailable），系统将自动重试');

    offset += 60_000;
    await built.kernel.jobs.drain();
    expect(spy).toHaveBeenCalledTimes(2);
    expect((await payments.testProvider.checkout(ref))?.status).toBe('refunded');
    expect(await atProvider(applicationId, paymentId)).toMatchObject({ state: 'confirmed', attempts: 2, error: null });
  });

  it('a refund the provider keeps refusing is failed after the last attempt: on the staff page in both languages and in `tongban jobs failed`, and retried from there', async () => {
    const { payments } = built.services;
    const { applicationId, paymentId } = await paidOnline('A1');
    const spy = vi.spyOn(payments.testProvider.port, 'refund').mockRejectedValue(new Error('provider down'));
    await payments.refund(officerPrincipal, { paymentId, reason: 'Withdrawn', key: `refund-${paymentId}` });
    const start = offset;
    for (let i = 0; i < 12; i += 1) {
      await built.kernel.jobs.drain();
      offset += 2 * 3_600_000;
    }
    expect(spy).toHaveBeenCalledTimes(12);
    offset = start;
    expect(await atProvider(applicationId, paymentId)).toMatchObject({ state: 'failed', attempts: 12, error: 'Error: provider down' });
    // A day later by the app's clock: the sessions' pruning job took the officer's session.
    officer = createTestBrowser(built.app, url);
    officer.setCookie(LANG_COOKIE, 'en');
    await signIn(officer, 'officer');
    const page = await officer.get(`/payments/staff/${applicationId}`);
    expect(page.body).toContain('The payment provider did not accept the refund (12 attempts, last error: Error: provider down). The money has not been given back: ask the platform operator to retry it (tongban jobs retry).');
    expect((await officer.get(`/payments/staff/${applicationId}?lang=zh-CN`)).body).toContain('支付机构未受理退款（已尝试 12 次，最近一次错误：Error: provider down），款项尚未退回');

    const failed = await jobsCli('failed', '--queue', PROVIDER_REFUND_QUEUE);
    expect(failed.lines).toHaveLength(1);
    const [jobId, queue, attempts, , error] = (failed.lines[0] ?? '').split('\t');
    expect([queue, attempts]).toEqual([PROVIDER_REFUND_QUEUE, '12/12']);
    expect(error).toContain(`TB_PAYMENTS_PROVIDER_FAILED: TongbanError: refund `);
    expect(error).toContain(`of payment ${paymentId} at test-provider: Error: provider down`);

    // The operator fixes the cause and runs it again: the provider accepts it, once.
    spy.mockReset();
    spy.mockResolvedValue(undefined);
    expect((await jobsCli('retry', jobId ?? '')).exitCode).toBeUndefined();
    await built.kernel.jobs.drain();
    expect(spy).toHaveBeenCalledTimes(1);
    expect(await atProvider(applicationId, paymentId)).toMatchObject({ state: 'confirmed', attempts: 13 });
  });
});
