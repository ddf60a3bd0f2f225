import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { BILLS_SCOPE } from './routes-govstack.js';
import { specRequestBody, specResponse, violations } from './spec-check.js';
import { applyForLicence, listeningDemoApp } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const citizenPrincipal = { accountId: CITIZEN.accountId, kind: CITIZEN.kind, name: CITIZEN.name, roles: CITIZEN.roles };

describeEachDatabase('payments: the JSON API with Idempotency-Key, counter payments, refunds, reconciliation, GovStack bills', migrationSources, (use) => {
  let built: Built;
  let url = '';
  const browsers = new Map<string, TestBrowser>();

  const as = async (persona: string): Promise<TestBrowser> => {
    const known = browsers.get(persona);
    if (known) return known;
    const browser = createTestBrowser(built.app, url);
    browser.setCookie(LANG_COOKIE, 'en');
    await signIn(browser, persona);
    browsers.set(persona, browser);
    return browser;
  };
  const api = async (persona: string, method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<LightMyRequestResponse> => {
    const browser = await as(persona);
    return built.app.inject({
      method, url: path, payload: body === undefined ? undefined : JSON.stringify(body),
      headers: { host: new URL(url).host, cookie: `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE) ?? ''}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(key ? { 'idempotency-key': key } : {}) },
    });
  };

  beforeAll(async () => { ({ built, url } = await listeningDemoApp(use())); }, 60_000);
  afterAll(async () => { await built.app.close(); });

  it('needs an Idempotency-Key; a retry creates nothing twice; the same key for another request is refused', async () => {
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    expect((await api('citizen', 'POST', `/api/payments/applications/${app.id}/checkouts`, {})).statusCode).toBe(400);
    const first = await api('citizen', 'POST', `/api/payments/applications/${app.id}/checkouts`, {}, 'checkout-key-0001');
    const again = await api('citizen', 'POST', `/api/payments/applications/${app.id}/checkouts`, {}, 'checkout-key-0001');
    expect(first.statusCode, first.body).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect((await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments).toHaveLength(1);

    const body = { reference: app.reference, method: 'cash', payerName: '张伟' };
    const paid = await api('clerk', 'POST', '/api/payments/counter-payments', body, 'counter-key-0001');
    expect(paid.statusCode, paid.body).toBe(201);
    const retried = await api('clerk', 'POST', '/api/payments/counter-payments', body, 'counter-key-0001');
    expect(retried.json()).toEqual(paid.json());
    const other = await api('clerk', 'POST', '/api/payments/counter-payments', { ...body, method: 'card' }, 'counter-key-0001');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'TB_PAYMENTS_IDEMPOTENCY_CONFLICT' });
    const twice = await api('clerk', 'POST', '/api/payments/counter-payments', body, 'counter-key-0002');
    expect(twice.json()).toMatchObject({ code: 'TB_PAYMENTS_ALREADY_PAID' });
    const state = await api('citizen', 'GET', `/api/payments/applications/${app.id}`);
    expect(state.json()).toEqual({ due: 0, paid: 1000, currency: 'CNY', state: 'paid' });
    const succeeded = (await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments.filter((p) => p.status === 'succeeded');
    expect(succeeded).toHaveLength(1);

    // Refunds: a reason, the agency's staff only, once.
    const paymentId = succeeded![0]!.id;
    expect((await api('clerk', 'POST', `/api/payments/payments/${paymentId}/refunds`, { reason: 'x' }, 'refund-key-0001')).statusCode).toBe(403);
    const refunded = await api('officer', 'POST', `/api/payments/payments/${paymentId}/refunds`, { reason: 'Paid twice by mistake' }, 'refund-key-0001');
    expect(refunded.statusCode, refunded.body).toBe(201);
    // The refund as recorded: paid in cash at the counter, so given back there, not through a provider.
    const { id: refundId, createdAt, ...refund } = refunded.json<{ id: string; createdAt: string }>();
    expect(refund).toEqual({
      paymentId, applicationId: app.id, amount: 1000, currency: 'CNY', reason: 'Paid twice by mistake',
      refundedBy: demoPersona('officer').accountId, returnedThrough: 'where_paid', providerState: null,
    });
    expect(refundId).toMatch(/^[0-9a-f-]{36}$/);
    expect(Number.isNaN(Date.parse(createdAt))).toBe(false);
    const retriedRefund = await api('officer', 'POST', `/api/payments/payments/${paymentId}/refunds`, { reason: 'Paid twice by mistake' }, 'refund-key-0001');
    expect(retriedRefund.statusCode).toBe(201);
    expect(retriedRefund.json()).toEqual(refunded.json());
    // A key kept before refunds were answered in full holds { refunded: true }: its retry gets the refund as recorded.
    await sql`update payments_idempotency set result = ${JSON.stringify({ refunded: true })}::jsonb where key = 'refund-key-0001'`.execute(built.kernel.db);
    const replayedOld = await api('officer', 'POST', `/api/payments/payments/${paymentId}/refunds`, { reason: 'Paid twice by mistake' }, 'refund-key-0001');
    expect(replayedOld.statusCode, replayedOld.body).toBe(201);
    expect(replayedOld.json()).toEqual(refunded.json());
    expect((await api('officer', 'POST', `/api/payments/payments/${paymentId}/refunds`, { reason: 'Again' }, 'refund-key-0002')).json()).toMatchObject({ code: 'TB_PAYMENTS_NOT_REFUNDABLE' });
    const receipt = await (await as('citizen')).get(`/payments/receipts/${(paid.json<{ receiptNumber: string }>()).receiptNumber}`);
    expect(receipt.body).toContain('This payment was refunded. Reason: Paid twice by mistake');
    // A refunded payment counts as not paid (ADR 21): on an open case the fee is due again, the
    // approval waits for it, and it can be paid again.
    expect(await built.services.payments.statusFor(app.id)).toEqual({ due: 1000, paid: 0, currency: 'CNY', state: 'due' });
    expect((await api('citizen', 'GET', `/api/payments/applications/${app.id}`)).json()).toMatchObject({ state: 'due', due: 1000 });
    const officerPrincipal = { accountId: demoPersona('officer').accountId, roles: demoPersona('officer').roles };
    await built.services.workflow.act(undefined, { caseId: app.id, action: 'claim', actor: officerPrincipal });
    await expect(built.services.workflow.act(undefined, { caseId: app.id, action: 'approve', actor: officerPrincipal })).rejects.toMatchObject({ code: 'TB_PAYMENTS_FEE_UNPAID' });
    expect((await (await as('clerk')).get(`/payments/counter?reference=${app.reference}`)).body).toContain('Record the payment of CN¥10.00');
    const repaid = await api('clerk', 'POST', '/api/payments/counter-payments', body, 'counter-key-0003');
    expect(repaid.statusCode, repaid.body).toBe(201);
    expect(await built.services.payments.statusFor(app.id)).toEqual({ due: 0, paid: 1000, currency: 'CNY', state: 'paid' });
    expect((await built.services.workflow.act(undefined, { caseId: app.id, action: 'approve', actor: officerPrincipal })).status).toBe('approved');
  });

  it('never takes a fee twice: an open checkout is reused, two recordings at once make one payment, a checkout paid after the counter is kept and flagged overpaid until refunded', async () => {
    const { csrfToken, inputValue } = await import('../../kernel/auth/test-kit.js');
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    const citizen = await as('citizen');
    const paymentsNow = async () => (await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments ?? [];
    // Two pages (two tabs), each with its own key, and the API with two more at once: one checkout.
    const pay = async () => {
      const page = await citizen.get(`/payments/applications/${app.id}`);
      return citizen.post(`/payments/applications/${app.id}/pay`, { _csrf: csrfToken(page.body), idempotency_key: inputValue(page.body, 'idempotency_key') ?? '' });
    };
    const first = await pay();
    const second = await pay();
    expect(String(first.headers.location)).toMatch(/^\/payments\/test-provider\/checkout\/tp_/);
    expect(second.headers.location).toBe(first.headers.location);
    const both = await Promise.all([
      api('citizen', 'POST', `/api/payments/applications/${app.id}/checkouts`, {}, `twice-checkout-a-${app.reference}`),
      api('citizen', 'POST', `/api/payments/applications/${app.id}/checkouts`, {}, `twice-checkout-b-${app.reference}`),
    ]);
    expect(both.map((r) => r.statusCode)).toEqual([201, 201]);
    expect(both.map((r) => r.json<{ redirectUrl: string }>().redirectUrl)).toEqual([first.headers.location, first.headers.location]);
    expect((await paymentsNow()).map((p) => p.status)).toEqual(['pending']);

    // The person leaves the checkout open and pays at the counter: two clerks' recordings at once, one payment.
    const body = { reference: app.reference, method: 'cash', payerName: '张伟' };
    const recorded = await Promise.all([
      api('clerk', 'POST', '/api/payments/counter-payments', body, `twice-counter-a-${app.reference}`),
      api('clerk', 'POST', '/api/payments/counter-payments', { ...body, method: 'card' }, `twice-counter-b-${app.reference}`),
    ]);
    expect(recorded.map((r) => r.statusCode).sort()).toEqual([201, 409]);
    expect(recorded.find((r) => r.statusCode === 409)?.json()).toMatchObject({ code: 'TB_PAYMENTS_ALREADY_PAID' });
    expect((await paymentsNow()).filter((p) => p.status === 'succeeded')).toHaveLength(1);
    // A paid bill starts no checkout.
    expect((await api('citizen', 'POST', `/api/payments/applications/${app.id}/checkouts`, {}, `twice-checkout-c-${app.reference}`)).json()).toMatchObject({ code: 'TB_PAYMENTS_ALREADY_PAID' });

    // Then the open checkout is paid too: the money was taken, so it is recorded, and flagged.
    const checkoutPath = String(first.headers.location);
    const provider = await citizen.get(checkoutPath);
    expect((await citizen.post(checkoutPath, { _csrf: csrfToken(provider.body), outcome: 'success' })).statusCode).toBe(303);
    const end = Date.now() + 8000;
    let online = (await paymentsNow()).find((p) => p.method === 'online');
    while (online?.status !== 'succeeded' && Date.now() < end) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      online = (await paymentsNow()).find((p) => p.method === 'online');
    }
    if (online?.status !== 'succeeded' || !online.receiptNumber) throw new Error(`the online payment did not succeed: ${JSON.stringify(online)}`);
    expect(await built.services.payments.statusFor(app.id)).toMatchObject({ state: 'paid', due: 0, paid: 2000 });
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const officer = await as('officer');
    expect((await officer.get(`/payments/reconciliation.csv?day=${day}`)).body).toContain(`flag:overpaid,,${online.receiptNumber},,,,1000,10.00,,payment ${online.id} of application ${app.reference} succeeded after the fee was paid; refund it`);
    const report = await officer.get(`/payments/reconciliation?day=${day}`);
    expect(report.body).toContain('Paid twice: refund due');
    expect(report.body).toContain(online.receiptNumber);
    expect(report.body).toContain(`Payment ${online.id} of application ${app.reference} succeeded after the fee had been paid: refund it`);
    const zhReport = (await officer.get(`/payments/reconciliation?day=${day}&lang=zh-CN`)).body;
    expect(zhReport).toContain('重复缴费，应予退款');
    expect(zhReport).toContain(`申请 ${app.reference} 的付款 ${online.id} 在费用已缴纳后才成功：请退款`);
    const [settled] = await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 }).then((rs) => rs.filter((r) => r.action === 'payments.payment.succeeded' && r.resource?.id === online.id));
    expect(settled?.details).toMatchObject({ overpaid: true });
    const onlineRefund = await api('officer', 'POST', `/api/payments/payments/${online.id}/refunds`, { reason: 'Paid online after paying in cash' }, `twice-refund-${app.reference}`);
    expect(onlineRefund.statusCode).toBe(201);
    // Taken online, so it goes back through the provider: a job, pending until the provider accepts it.
    expect(onlineRefund.json()).toMatchObject({ paymentId: online.id, amount: 1000, returnedThrough: 'provider', providerState: 'pending' });
    expect((await officer.get(`/payments/reconciliation.csv?day=${day}`)).body).not.toContain(`flag:overpaid,,${online.receiptNumber}`);
    expect(await built.services.payments.statusFor(app.id)).toMatchObject({ state: 'paid', paid: 1000 });
  });

  it('the clerk records cash at the counter page once, with the error summary keeping what was typed', async () => {
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    const clerk = await as('clerk');
    const unknown = await clerk.get('/payments/counter?reference=TB-2026-AAAAAA');
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('href="#reference"');
    const found = await clerk.get(`/payments/counter?reference=${app.reference}`);
    expect(found.body).toContain('Record the payment of CN¥10.00');
    const { csrfToken, inputValue } = await import('../../kernel/auth/test-kit.js');
    const key = inputValue(found.body, 'idempotency_key') ?? '';
    const wrong = await clerk.post('/payments/counter', { _csrf: csrfToken(found.body), idempotency_key: key, reference: app.reference, method: 'cash', payer_name: '' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('href="#payer_name"');
    expect(wrong.body).toContain('value="cash" checked');
    const ok = await clerk.post('/payments/counter', { _csrf: csrfToken(wrong.body), idempotency_key: key, reference: app.reference, method: 'cash', payer_name: '张伟' });
    const repeat = await clerk.post('/payments/counter', { _csrf: csrfToken(wrong.body), idempotency_key: key, reference: app.reference, method: 'cash', payer_name: '张伟' });
    expect(ok.statusCode).toBe(303);
    expect(repeat.headers.location).toBe(ok.headers.location);
    const receipt = await clerk.follow(ok);
    expect(receipt.body).toContain('Cash at a counter');
    expect((await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments).toHaveLength(1);
  });

  it('a rejected or withdrawn case\'s unpaid fee is not due: status, API, pages; no payment is started or recorded on it', async () => {
    const { csrfToken, inputValue } = await import('../../kernel/auth/test-kit.js');
    const withdrawn = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    const rejected = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    const citizen = await as('citizen');
    const clerk = await as('clerk');
    // Pages opened while the fee was still due, to post from after the cases closed.
    const payPage = await citizen.get(`/payments/applications/${withdrawn.id}`);
    expect(payPage.body).toContain('Pay CN¥10.00 now');
    const counterPage = await clerk.get(`/payments/counter?reference=${rejected.reference}`);
    expect(counterPage.body).toContain('Record the payment of CN¥10.00');
    await built.services.applications.withdraw(withdrawn.id, citizenPrincipal);
    const officerPrincipal = { accountId: demoPersona('officer').accountId, roles: demoPersona('officer').roles };
    await built.services.workflow.act(undefined, { caseId: rejected.id, action: 'claim', actor: officerPrincipal });
    await built.services.workflow.act(undefined, { caseId: rejected.id, action: 'reject', actor: officerPrincipal, reason: 'The medical certificate is not valid' });

    for (const closed of [withdrawn, rejected]) {
      expect(await built.services.payments.statusFor(closed.id)).toEqual({ due: 0, paid: 0, currency: 'CNY', state: 'not_due' });
      expect((await api('citizen', 'GET', `/api/payments/applications/${closed.id}`)).json()).toEqual({ due: 0, paid: 0, currency: 'CNY', state: 'not_due' });
      const checkout = await api('citizen', 'POST', `/api/payments/applications/${closed.id}/checkouts`, {}, `closed-checkout-${closed.reference}`);
      expect(checkout.statusCode).toBe(409);
      expect(checkout.headers['content-type']).toContain('application/problem+json');
      expect(checkout.json()).toMatchObject({ code: 'TB_PAYMENTS_CASE_CLOSED', status: 409 });
      const counter = await api('clerk', 'POST', '/api/payments/counter-payments', { reference: closed.reference, method: 'cash', payerName: '张伟' }, `closed-counter-${closed.reference}`);
      expect(counter.statusCode).toBe(409);
      expect(counter.json()).toMatchObject({ code: 'TB_PAYMENTS_CASE_CLOSED' });
      expect((await built.services.payments.forApplicant(closed.id, citizenPrincipal))?.payments).toEqual([]);
    }
    // The refused keys were not kept: a retry with them is refused the same way, not replayed.
    expect((await api('citizen', 'POST', `/api/payments/applications/${withdrawn.id}/checkouts`, {}, `closed-checkout-${withdrawn.reference}`)).statusCode).toBe(409);

    // The applicant's page says nothing is owed and offers no payment; a stale page's post is refused on the page.
    const now = await citizen.get(`/payments/applications/${withdrawn.id}`);
    expect(now.statusCode).toBe(200);
    expect(now.body).toContain('you do not need to pay the fee');
    expect(now.body).not.toContain('Pay CN¥10.00 now');
    const stale = await citizen.post(`/payments/applications/${withdrawn.id}/pay`, { _csrf: csrfToken(payPage.body), idempotency_key: inputValue(payPage.body, 'idempotency_key') ?? '' });
    expect(stale.statusCode).toBe(409);
    expect(stale.body).toContain('tb-error-summary');
    expect(stale.body).toContain('href="#fee-status"');
    expect(stale.body).toContain('Your application is closed, so the fee is not due. Nothing was paid.');
    expect(stale.body).toContain('id="fee-status"');
    const staleZh = await citizen.post(`/payments/applications/${withdrawn.id}/pay?lang=zh-CN`, { _csrf: csrfToken(payPage.body), idempotency_key: 'stale-page-zh-0001' });
    expect(staleZh.body).toContain('您的申请已结束，费用无需缴纳。未扣任何款项。');
    expect((await citizen.get(`/applications/${withdrawn.id}`)).body).not.toContain(`href="/payments/applications/${withdrawn.id}"`);

    // The clerk's counter: not due, no form; a stale form's post is refused with the error on the reference.
    const found = await clerk.get(`/payments/counter?reference=${rejected.reference}`);
    expect(found.body).toContain('Its fee is not due: do not take a payment.');
    expect(found.body).not.toContain('Record the payment of');
    const refused = await clerk.post('/payments/counter', { _csrf: csrfToken(counterPage.body), idempotency_key: inputValue(counterPage.body, 'idempotency_key') ?? '', reference: rejected.reference, method: 'cash', payer_name: '张伟' });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('href="#reference"');
    expect(refused.body).toContain('so its fee is not due. No payment was recorded.');
    // Staff see it as not due, not as unpaid.
    const staffPage = await (await as('officer')).get(`/payments/staff/${rejected.id}`);
    expect(staffPage.body).toContain('Not due: CN¥10.00 was not paid, and the case closed without a decision.');
    const casePage = await (await as('officer')).get(`/backoffice/cases/${rejected.id}`);
    expect(casePage.body).toContain('Not due: CN¥10.00 was not paid');
    expect(casePage.body).not.toContain('cannot be approved until the fee is paid');
    for (const closed of [withdrawn, rejected]) expect((await built.services.payments.forApplicant(closed.id, citizenPrincipal))?.payments).toEqual([]);
    await expectPagesAccessible(built.app, url, [['pay page, case closed, stale post (en)', stale.body], ['counter, case closed, stale post (en)', refused.body]]);
  }, 180_000);

  it('reconciles a day: unpaid fees, payments with no application, settlements that do not match; page and CSV', async () => {
    const unpaid = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    await built.services.payments.statusFor(unpaid.id);
    // Closed before a decision with the fee unpaid: owed by nobody, listed apart as not due.
    const withdrawn = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    await built.services.payments.statusFor(withdrawn.id);
    await built.services.applications.withdraw(withdrawn.id, citizenPrincipal);
    const rejected = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    await built.services.payments.statusFor(rejected.id);
    const officerPrincipal = { accountId: demoPersona('officer').accountId, roles: demoPersona('officer').roles };
    await built.services.workflow.act(undefined, { caseId: rejected.id, action: 'claim', actor: officerPrincipal });
    await built.services.workflow.act(undefined, { caseId: rejected.id, action: 'reject', actor: officerPrincipal, reason: 'The medical certificate is not valid' });
    const secret = await built.services.payments.webhookSecret();
    const { signWebhook } = await import('./signature.js');
    const stray = JSON.stringify({ id: 'evt_stray_0001', type: 'payment.succeeded', created: Math.floor(Date.now() / 1000), data: { ref: 'tp_unknown_reference', amount: 4200, currency: 'CNY' } });
    const answered = await fetch(`${url}/payments/webhooks/test-provider`, { method: 'POST', body: stray, headers: { 'content-type': 'application/json', 'tongban-signature': signWebhook(secret, stray, new Date()) } });
    expect(await answered.json()).toEqual({ duplicate: false, matched: false });
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const admin = await as('platform-admin');
    const report = await admin.get(`/payments/reconciliation?day=${day}`);
    expect(report.statusCode).toBe(200);
    expect(report.body).toContain('Fee due but not paid');
    expect(report.body).toContain(unpaid.reference);
    expect(report.body).toContain('Payment with no matching application');
    expect(report.body).toContain('tp_unknown_reference');
    const csv = await admin.get(`/payments/reconciliation.csv?day=${day}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\r\n')[0]).toBe('section,receipt,reference,agency,method,status,amount_fen,amount_yuan,settled_at,detail');
    expect(csv.body).toContain(`flag:fee_unpaid,,${unpaid.reference},,,,1000,10.00`);
    expect(csv.body).toContain('flag:no_application,,tp_unknown_reference,,,,4200,42.00');
    for (const closed of [withdrawn, rejected]) {
      expect(csv.body).not.toContain(`flag:fee_unpaid,,${closed.reference}`);
    }
    expect(csv.body).toContain(`not_due:case_closed,,${withdrawn.reference},110000-TRA,,withdrawn,1000,10.00,,case withdrawn before a decision; fee not due`);
    expect(csv.body).toContain(`not_due:case_closed,,${rejected.reference},110000-TRA,,rejected,1000,10.00,,case rejected before a decision; fee not due`);
    const flagsSection = report.body.slice(report.body.indexOf('Things to check'), report.body.indexOf('Fees not due: case closed'));
    expect(flagsSection).toContain(unpaid.reference);
    expect(flagsSection).not.toContain(withdrawn.reference);
    expect(flagsSection).not.toContain(rejected.reference);
    const notDueSection = report.body.slice(report.body.indexOf('Fees not due: case closed'));
    expect(notDueSection).toContain(withdrawn.reference);
    expect(notDueSection).toContain(rejected.reference);
    const zhReport = await admin.get(`/payments/reconciliation?day=${day}&lang=zh-CN`);
    expect(zhReport.body).toContain('无需缴费：办件已结束');
    // Each finding is worded in the page's language from what it is about; the CSV keeps English.
    expect(report.body).toContain(`Application ${unpaid.reference} still owes CN¥10.00`);
    expect(report.body).toContain('test-provider sent event evt_stray_0001 (payment.succeeded) for no payment of ours');
    expect(zhReport.body).toContain(`申请 ${unpaid.reference} 尚欠 ¥10.00`);
    expect(zhReport.body).toContain('test-provider 发来的通知 evt_stray_0001（payment.succeeded）没有对应的付款');
    for (const english of [`application ${unpaid.reference} owes`, 'names no payment', 'with no payment recorded here', 'reports no settlement of']) expect(zhReport.body).not.toContain(english);
    await expectPagesAccessible(built.app, url, [['reconciliation with fees not due (en)', report.body], ['reconciliation with fees not due (zh-CN)', zhReport.body]]);
    const bad = await admin.get('/payments/reconciliation?day=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('value="yesterday"');
    // An agency's officer sees their agencies' bills, never the stray money no agency owns.
    const officerReport = await (await as('officer')).get(`/payments/reconciliation?day=${day}`);
    expect(officerReport.body).toContain(unpaid.reference);
    expect(officerReport.body).not.toContain('tp_unknown_reference');
    expect((await (await as('citizen')).get('/payments/reconciliation')).statusCode).toBe(403);
    // Three applications and two pages through axe in Chromium: more than the default minute on a busy machine.
  }, 180_000);

  it('serves the GovStack bill inquiry and bill payment to a machine client, as the spec shapes them', async () => {
    const app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    const clientId = 'icbc-payer-fi';
    const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation: 'CN/COM/91100000100003962T/payments', scopes: [BILLS_SCOPE] });
    const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const tokenAnswer = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, [BILLS_SCOPE]) });
    const token = tokenAnswer.json<{ access_token: string }>().access_token;
    const headers = { authorization: `Bearer ${token}`, 'x-correlationid': 'corr-000000000001', 'platform-tenantid': 'tongban', 'payerfi-id': 'ICBC' };

    const { authorization: _token, ...anonymous } = headers;
    expect((await built.app.inject({ method: 'GET', url: `/govstack/payments/bills/${app.reference}?fields=inquiry`, headers: anonymous })).statusCode).toBe(401);
    const inquiry = await built.app.inject({ method: 'GET', url: `/govstack/payments/bills/${app.reference}?fields=inquiry`, headers });
    expect(inquiry.statusCode, inquiry.body).toBe(202);
    expect(violations(specResponse('billInquiryRequest', '/bills/{billId}', 'get', '202'), inquiry.json())).toEqual([]);
    expect(violations(specRequestBody('billInquiryResponse', '/bills/{billId}', 'post'), inquiry.json())).toEqual([]);
    expect(inquiry.json()).toMatchObject({ responseCode: '00', billId: app.reference, billDetails: { billerId: '110000-TRA', billStatus: 'DUE', amountonDueDate: 1000 } });
    const unknown = await built.app.inject({ method: 'GET', url: '/govstack/payments/bills/TB-2026-AAAAAA?fields=inquiry', headers });
    expect(unknown.statusCode).toBe(400);
    expect(violations(specResponse('billInquiryRequest', '/bills/{billId}', 'get', '400'), unknown.json())).toEqual([]);

    const payHeaders = { authorization: headers.authorization, 'x-correlationid': 'corr-000000000002', 'x-platform-tenantid': 'tongban', 'x-payerfi-id': 'ICBC', 'content-type': 'application/json' };
    const body = { requestId: 'req000000001', billInquiryRequestId: 'corr-0000000', billId: app.reference, paymentReferenceID: 'ICBC202612030001' };
    expect(violations(specRequestBody('billPaymentRequest', '/billTransferRequests', 'post'), body)).toEqual([]);
    const paid = await built.app.inject({ method: 'POST', url: '/govstack/payments/billTransferRequests', headers: payHeaders, payload: JSON.stringify(body) });
    expect(paid.statusCode, paid.body).toBe(202);
    expect(violations(specResponse('billPaymentRequest', '/billTransferRequests', 'post', '202'), paid.json())).toEqual([]);
    // The bank retries the same notification: accepted again, nothing recorded twice.
    const retried = await built.app.inject({ method: 'POST', url: '/govstack/payments/billTransferRequests', headers: payHeaders, payload: JSON.stringify(body) });
    expect(retried.statusCode).toBe(202);
    expect((await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments).toHaveLength(1);
    const after = await built.app.inject({ method: 'GET', url: `/govstack/payments/bills/${app.reference}?fields=inquiry`, headers });
    expect(after.json()).toMatchObject({ billDetails: { billStatus: 'PAID', amountonDueDate: 0 } });
    const again = await built.app.inject({ method: 'POST', url: '/govstack/payments/billTransferRequests', headers: payHeaders, payload: JSON.stringify({ ...body, paymentReferenceID: 'ICBC202612030002' }) });
    expect(again.statusCode).toBe(400);
    expect(violations(specResponse('billPaymentRequest', '/billTransferRequests', 'post', '400'), again.json())).toEqual([]);

    // A bank's payment is refunded like cash or card: no provider of ours is called (it once
    // answered 404 after the refund had committed), and the refund page says the bank returns it.
    const bankPayment = (await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments[0];
    if (!bankPayment) throw new Error('no bank payment');
    const officer = await as('officer');
    const refundPage = await officer.get(`/payments/refunds/${bankPayment.id}`);
    expect(refundPage.body).toContain('it was paid at a bank, so return it through that bank, as for cash or card.');
    expect((await officer.get(`/payments/refunds/${bankPayment.id}?lang=zh-CN`)).body).toContain('这笔费用在银行缴纳，请与现金、刷卡一样，通过该银行退还。');
    // The refund page shows the payer's name: each showing is audited, as a receipt's is.
    const views = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'payments.payment.view' && r.resource?.id === bankPayment.id);
    expect(views).toHaveLength(2);
    expect(views[0]).toMatchObject({ actor: { kind: 'staff', id: demoPersona('officer').accountId, organisation: '110000-TRA' }, subject: CITIZEN.accountId, purpose: 'Refunding a payment' });
    const bankRefund = await api('officer', 'POST', `/api/payments/payments/${bankPayment.id}/refunds`, { reason: 'Paid at the bank by mistake' }, 'bank-refund-0001');
    expect(bankRefund.statusCode, bankRefund.body).toBe(201);
    expect(bankRefund.json()).toMatchObject({ paymentId: bankPayment.id, reason: 'Paid at the bank by mistake', returnedThrough: 'where_paid', providerState: null });
    expect((await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments[0]?.status).toBe('refunded');

    // A withdrawn application's bill is not due, and a bank's payment of it is refused.
    const closed = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '');
    await built.services.payments.statusFor(closed.id);
    await built.services.applications.withdraw(closed.id, citizenPrincipal);
    const notDue = await built.app.inject({ method: 'GET', url: `/govstack/payments/bills/${closed.reference}?fields=inquiry`, headers });
    expect(notDue.json()).toMatchObject({ billDetails: { billStatus: 'NOT_DUE', amountonDueDate: 0, amountAfterDueDate: 0 } });
    expect(violations(specResponse('billInquiryRequest', '/bills/{billId}', 'get', '202'), notDue.json())).toEqual([]);
    const refused = await built.app.inject({ method: 'POST', url: '/govstack/payments/billTransferRequests', headers: payHeaders, payload: JSON.stringify({ ...body, billId: closed.reference, paymentReferenceID: 'ICBC202612030003' }) });
    expect(refused.statusCode).toBe(400);
    expect(refused.json()).toMatchObject({ reason: 'The bill is not due: the application is closed' });
    expect(violations(specResponse('billPaymentRequest', '/billTransferRequests', 'post', '400'), refused.json())).toEqual([]);
    expect((await built.services.payments.forApplicant(closed.id, citizenPrincipal))?.payments).toEqual([]);
  });
});
