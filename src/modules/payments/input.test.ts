import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { createTestBrowser, csrfToken, inputValue, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { BILLS_SCOPE } from './routes-govstack.js';
import { specRequestBody, specResponse, violations } from './spec-check.js';
import { applyForLicence, listeningDemoApp } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const citizenPrincipal = { accountId: CITIZEN.accountId, kind: CITIZEN.kind, name: CITIZEN.name, roles: CITIZEN.roles };
const CLERK = demoPersona('clerk');

describeEachDatabase('payments: what staff type is checked as given (days that exist, lengths) and the GovStack bill inquiry\'s request body', migrationSources, (use) => {
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

  it('reads the GovStack bill inquiry\'s GET body: echoes its requestId, refuses one that is not the spec\'s, and sends no made-up due date', async () => {
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    const clientId = 'abc-payer-fi';
    const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation: 'CN/COM/91100000100003962T/payments', scopes: [BILLS_SCOPE] });
    const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const tokenAnswer = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, [BILLS_SCOPE]) });
    const headers = { authorization: `Bearer ${tokenAnswer.json<{ access_token: string }>().access_token}`, 'x-correlationid': 'corr-000000000042', 'platform-tenantid': 'tongban', 'payerfi-id': 'ABC' };
    const path = `/govstack/payments/bills/${app.reference}?fields=inquiry`;
    const inquire = (payload?: string) => built.app.inject({ method: 'GET', url: path, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) });

    const body = { requestId: 'req000000042', billId: app.reference };
    expect(violations(specRequestBody('billInquiryRequest', '/bills/{billId}', 'get'), body)).toEqual([]);
    const answer = await inquire(JSON.stringify(body));
    expect(answer.statusCode, answer.body).toBe(202);
    expect(answer.json()).toMatchObject({ responseCode: '00', requestId: 'req000000042', billId: app.reference, billDetails: { billStatus: 'DUE', amountonDueDate: 1000 } });
    // A fee has no due date (it is due while its case is open): none is sent, never 0 (1970-01-01).
    expect(answer.json<{ billDetails: object }>().billDetails).not.toHaveProperty('dueDate');
    expect(violations(specResponse('billInquiryRequest', '/bills/{billId}', 'get', '202'), answer.json())).toEqual([]);
    expect(violations(specRequestBody('billInquiryResponse', '/bills/{billId}', 'post'), answer.json())).toEqual([]);

    // Over the wire too, as a bank's HTTP client sends it.
    const wire = await new Promise<{ status: number; json: { requestId?: string } }>((resolve, reject) => {
      const payload = JSON.stringify(body);
      const sent = httpRequest(`${url}${path}`, { method: 'GET', headers: { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) } }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => { text += chunk; });
        response.on('end', () => { resolve({ status: response.statusCode ?? 0, json: JSON.parse(text) as { requestId?: string } }); });
      });
      sent.on('error', reject);
      sent.end(payload);
    });
    expect(wire).toMatchObject({ status: 202, json: { requestId: 'req000000042' } });

    // No body: the correlation id's first 12 characters, as before.
    expect((await inquire()).json()).toMatchObject({ responseCode: '00', requestId: 'corr-0000000' });
    for (const bad of ['not json', '[]', JSON.stringify({ requestId: 'r'.repeat(13) }), JSON.stringify({ requestId: 'req000000043', billId: 'TB-2026-OTHER1' })]) {
      const refused = await inquire(bad);
      expect(refused.statusCode, bad).toBe(400);
      expect(refused.json()).toMatchObject({ responseCode: '01' });
      expect(violations(specResponse('billInquiryRequest', '/bills/{billId}', 'get', '400'), refused.json())).toEqual([]);
    }
  });
});
