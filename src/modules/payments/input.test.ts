import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, csrfToken, inputValue, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applyForLicence, listeningDemoApp } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const citizenPrincipal = { accountId: CITIZEN.accountId, kind: CITIZEN.kind, name: CITIZEN.name, roles: CITIZEN.roles };
const CLERK = demoPersona('clerk');

describeEachDatabase('payments: what staff type is checked as given (days that exist, lengths)', migrationSources, (use) => {
  let built: Built;
  let url = '';

  const as = async (persona: string, lang = 'en'): Promise<TestBrowser> => {
    const browser = createTestBrowser(built.app, url);
    browser.setCookie(LANG_COOKIE, lang);
    await signIn(browser, persona);
    return browser;
  };

  beforeAll(async () => { ({ built, url } = await listeningDemoApp(use())); }, 60_000);
  afterAll(async () => { await built.app.close(); });

  it('refuses a reconciliation day that does not exist (30 February), on the page and as CSV, as it refuses day 32', async () => {
    const officer = await as('officer');
    for (const day of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-02-32', '2026-13-01']) {
      const page = await officer.get(`/payments/reconciliation?day=${day}`);
      expect(page.statusCode, day).toBe(400);
      expect(page.body).toContain('Enter a day as year-month-day, for example 2026-12-03');
      expect(page.body).toContain(`value="${day}"`);
      expect(page.body).not.toContain(`Payments settled on ${day}`);
      expect((await officer.get(`/payments/reconciliation.csv?day=${day}`)).statusCode, day).toBe(400);
    }
    // A leap day that exists is a day like any other.
    expect((await officer.get('/payments/reconciliation?day=2028-02-29')).statusCode).toBe(200);
    expect((await officer.get('/payments/reconciliation.csv?day=2028-02-29')).statusCode).toBe(200);
  });

  it('tells a payer name too long from a missing one at the counter, in both languages, keeping what was typed', async () => {
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    for (const [lang, empty, tooLong] of [
      ['en', 'Enter the name of the person paying', 'The name of the person paying must be 100 characters or fewer'],
      ['zh-CN', '请输入缴费人姓名', '缴费人姓名不能超过 100 个字符'],
    ] as const) {
      const clerk = await as('clerk', lang);
      const form = await clerk.get(`/payments/counter?reference=${app.reference}`);
      const post = (payerName: string) => clerk.post('/payments/counter', {
        _csrf: csrfToken(form.body), idempotency_key: inputValue(form.body, 'idempotency_key') ?? '', reference: app.reference, method: 'cash', payer_name: payerName,
      });
      const long = '张'.repeat(101);
      const refused = await post(long);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain(tooLong);
      expect(refused.body).not.toContain(empty);
      expect(refused.body).toContain(`value="${long}"`);
      const missing = await post('  ');
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain(empty);
      expect(missing.body).not.toContain(tooLong);
    }
    expect(await built.services.payments.statusFor(app.id)).toMatchObject({ state: 'due' });
  });

  it('tells a refund reason too long from a missing one, in both languages, keeping what was typed', async () => {
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    const clerk = { accountId: CLERK.accountId, kind: CLERK.kind, name: CLERK.name, roles: CLERK.roles };
    const { receiptNumber } = await built.services.payments.recordAtCounter(clerk, { reference: app.reference, method: 'cash', payerName: '张伟', key: `input-test-${app.reference}` });
    const paymentId = (await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments.find((p) => p.receiptNumber === receiptNumber)?.id ?? '';
    for (const [lang, empty, tooLong] of [
      ['en', 'Enter the reason for the refund', 'The reason for the refund must be 500 characters or fewer'],
      ['zh-CN', '请填写退款原因', '退款原因不能超过 500 个字符'],
    ] as const) {
      const officer = await as('officer', lang);
      const form = await officer.get(`/payments/refunds/${paymentId}`);
      expect(form.statusCode, form.body).toBe(200);
      const post = (reason: string) => officer.post(`/payments/refunds/${paymentId}`, { _csrf: csrfToken(form.body), idempotency_key: inputValue(form.body, 'idempotency_key') ?? '', reason });
      const long = `Paid twice ${'x'.repeat(500)}`;
      const refused = await post(long);
      expect(refused.statusCode).toBe(400);
      expect(refused.body).toContain(tooLong);
      expect(refused.body).not.toContain(empty);
      expect(refused.body).toContain(long);
      const missing = await post('');
      expect(missing.statusCode).toBe(400);
      expect(missing.body).toContain(empty);
      expect(missing.body).not.toContain(tooLong);
    }
    expect(await built.services.payments.statusFor(app.id)).toMatchObject({ state: 'paid' });
  });
});
