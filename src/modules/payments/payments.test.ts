import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, csrfToken, inputValue, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { signWebhook } from './signature.js';
import { applyForLicence, listeningDemoApp } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const citizenPrincipal = { accountId: CITIZEN.accountId, kind: CITIZEN.kind, name: CITIZEN.name, roles: CITIZEN.roles };

/** Waits (briefly) for something a webhook does: the provider sends it after its response. */
async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, ms = 8000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value) || Date.now() > end) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describeEachDatabase('payments: fees, the test provider, webhooks, idempotency, approval', migrationSources, (use) => {
  let built: Built;
  let url = '';
  let citizen: TestBrowser;
  let officer: TestBrowser;
  let app = { id: '', reference: '' };
  let firstCheckout = '';

  const browserAt = async (persona: string): Promise<TestBrowser> => {
    const browser = createTestBrowser(built.app, url);
    browser.setCookie(LANG_COOKIE, 'en');
    await signIn(browser, persona);
    return browser;
  };
  const paymentsOf = async () => (await built.services.payments.forApplicant(app.id, citizenPrincipal))?.payments ?? [];
  const postWebhook = (body: string, signature: string) => fetch(`${url}/payments/webhooks/test-provider`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'tongban-signature': signature } });

  beforeAll(async () => {
    ({ built, url } = await listeningDemoApp(use()));
    citizen = await browserAt('citizen');
    officer = await browserAt('officer');
    app = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '', 'C1');
  }, 60_000);
  afterAll(async () => { await built.app.close(); });

  it('reads a repeated query parameter on the counter and reconciliation pages as not given, never as a 500 (found by the GET form fuzzing, issue 9)', async () => {
    const clerk = await browserAt('clerk');
    const counter = await clerk.get('/payments/counter?reference=&reference=x');
    expect(counter.statusCode).toBe(200);
    expect(counter.body).toContain('name="reference"');
    expect((await officer.get('/payments/reconciliation?day=&day=2026-01-01')).statusCode).toBe(200);
    expect((await officer.get('/payments/reconciliation.csv?day=x&day=y')).statusCode).toBe(200);
  });

  it('makes a bill from the fee when asked, and shows it on the status pages', async () => {
    expect(await built.services.payments.statusFor(app.id)).toEqual({ due: 1000, paid: 0, currency: 'CNY', state: 'due' });
    const status = await citizen.get(`/applications/${app.id}`);
    expect(status.body).toContain('Fee to pay: CN¥10.00');
    expect(status.body).toContain(`href="/payments/applications/${app.id}"`);
    const zh = await citizen.get(`/applications/${app.id}?lang=zh-CN`);
    expect(zh.body).toContain('应缴费用：¥10.00');
  });

  it('refuses to approve while a fee due before the decision is unpaid, and says so to the officer', async () => {
    const { workflow } = built.services;
    const officerPrincipal = { accountId: demoPersona('officer').accountId, roles: demoPersona('officer').roles };
    await workflow.act(undefined, { caseId: app.id, action: 'claim', actor: officerPrincipal });
    await expect(workflow.act(undefined, { caseId: app.id, action: 'approve', actor: officerPrincipal })).rejects.toMatchObject({ code: 'TB_PAYMENTS_FEE_UNPAID' });
    expect((await workflow.getCase(app.id)).status).toBe('in_review');
    const casePage = await officer.get(`/backoffice/cases/${app.id}`);
    expect(casePage.body).toContain('Not paid: CN¥10.00. The application cannot be approved until the fee is paid.');
  });

  it('creates one payment and one checkout for a form posted twice with the same key', async () => {
    const page = await citizen.get(`/payments/applications/${app.id}`);
    expect(page.statusCode).toBe(200);
    const key = inputValue(page.body, 'idempotency_key') ?? '';
    expect(key).not.toBe('');
    const first = await citizen.post(`/payments/applications/${app.id}/pay`, { _csrf: csrfToken(page.body), idempotency_key: key });
    const second = await citizen.post(`/payments/applications/${app.id}/pay`, { _csrf: csrfToken(page.body), idempotency_key: key });
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(String(first.headers.location)).toMatch(/^\/payments\/test-provider\/checkout\/tp_[0-9a-f]{24}$/);
    expect((await paymentsOf()).length).toBe(1);
    firstCheckout = String(first.headers.location);
  });

  it('a declined payment is reported by a signed webhook over HTTP, and the person can try again', async () => {
    const provider = await citizen.get(firstCheckout);
    expect(provider.body).toContain('No real money is taken');
    const missing = await citizen.post(firstCheckout, { _csrf: csrfToken(provider.body) });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('href="#outcome"');
    const declined = await citizen.post(firstCheckout, { _csrf: csrfToken(provider.body), outcome: 'declined' });
    expect(declined.statusCode).toBe(303);
    // The webhook, not the return, marks it: wait for it before coming back.
    const all = await eventually(paymentsOf, (ps) => ps.some((p) => p.status === 'declined'));
    expect(all.map((p) => p.status)).toEqual(['declined']);
    const back = await citizen.get(String(declined.headers.location));
    expect(back.headers.location).toBe(`/payments/applications/${app.id}?declined=1`);
    const again = await citizen.follow(back);
    expect(again.statusCode).toBe(400);
    expect(again.body).toContain('Your payment was declined. No money was taken.');
    expect(again.body).toContain('Pay CN¥10.00 now');
  });

  it('a successful payment gives a receipt in both languages, and the approval goes through', async () => {
    // Whatever is still pending from the tests above is abandoned; a fresh attempt pays.
    const page = await citizen.get(`/payments/applications/${app.id}`);
    const checkoutPath = String((await citizen.post(`/payments/applications/${app.id}/pay`, { _csrf: csrfToken(page.body), idempotency_key: inputValue(page.body, 'idempotency_key') ?? '' })).headers.location);
    const provider = await citizen.get(checkoutPath);
    const done = await citizen.post(checkoutPath, { _csrf: csrfToken(provider.body), outcome: 'success' });
    const back = await citizen.get(String(done.headers.location));
    expect(String(back.headers.location)).toMatch(/^\/payments\/receipts\/R-\d{8}-[0-9A-Z]{6}$/);
    const receipt = await citizen.follow(back);
    expect(receipt.body).toContain('CN¥10.00');
    expect(receipt.body).toContain('张伟');
    expect(receipt.body).toContain(app.reference);
    expect(receipt.body).toContain('Renew a driving licence');
    const zh = await citizen.get(`${String(back.headers.location)}?lang=zh-CN`);
    expect(zh.body).toContain('¥10.00');
    expect(zh.body).toContain('缴费凭证');
    expect(await built.services.payments.statusFor(app.id)).toMatchObject({ state: 'paid', paid: 1000, due: 0 });
    const officerPrincipal = { accountId: demoPersona('officer').accountId, roles: demoPersona('officer').roles };
    expect((await built.services.workflow.act(undefined, { caseId: app.id, action: 'approve', actor: officerPrincipal })).status).toBe('approved');
  });

  it('a payment that succeeds after its case closed is kept, flagged in the reconciliation as a refund due, and gone from the flags once refunded', async () => {
    const late = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '', 'C1');
    const page = await citizen.get(`/payments/applications/${late.id}`);
    const checkoutPath = String((await citizen.post(`/payments/applications/${late.id}/pay`, { _csrf: csrfToken(page.body), idempotency_key: inputValue(page.body, 'idempotency_key') ?? '' })).headers.location);
    const provider = await citizen.get(checkoutPath);
    // Withdrawn (in another tab, say) while the provider's page is open; then paid there.
    await built.services.applications.withdraw(late.id, citizenPrincipal);
    const done = await citizen.post(checkoutPath, { _csrf: csrfToken(provider.body), outcome: 'success' });
    expect(done.statusCode).toBe(303);
    const payments = await eventually(async () => (await built.services.payments.forApplicant(late.id, citizenPrincipal))?.payments ?? [], (ps) => ps.some((p) => p.status === 'succeeded'));
    const paid = payments.find((p) => p.status === 'succeeded');
    if (!paid?.receiptNumber) throw new Error(`no succeeded payment with a receipt: ${JSON.stringify(payments)}`);
    const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
    const flagLine = `flag:refund_due,,${paid.receiptNumber},,,,1000,10.00,,payment ${paid.id} of application ${late.reference} succeeded after the case was withdrawn (`;
    const admin = await browserAt('platform-admin');
    expect((await admin.get(`/payments/reconciliation.csv?day=${day}`)).body).toContain(flagLine);
    const report = await admin.get(`/payments/reconciliation?day=${day}`);
    expect(report.body).toContain('Paid after the case closed: refund due');
    expect(report.body).toContain(paid.receiptNumber);
    expect(report.body).toContain(`Payment ${paid.id} of application ${late.reference} succeeded after the case closed (`);
    const zh = (await admin.get(`/payments/reconciliation?day=${day}&lang=zh-CN`)).body;
    expect(zh).toContain('办件结束后才付款，应予退款');
    expect(zh).toContain(`申请 ${late.reference} 的付款 ${paid.id} 在办件结束（`);
    expect(zh).not.toContain(`succeeded after the case was withdrawn`);
    const officer = demoPersona('officer');
    await built.services.payments.refund({ accountId: officer.accountId, kind: officer.kind, name: officer.name, roles: officer.roles }, { paymentId: paid.id, reason: 'Paid after the application was withdrawn', key: `late-refund-${late.id}` });
    const afterRefund = (await admin.get(`/payments/reconciliation.csv?day=${day}`)).body;
    expect(afterRefund).not.toContain(`flag:refund_due,,${paid.receiptNumber}`);
    // Refunded on a case closed without a decision: nothing due, nothing to write off.
    expect(await built.services.payments.statusFor(late.id)).toEqual({ due: 0, paid: 0, currency: 'CNY', state: 'refunded' });
    expect(afterRefund).not.toContain(`not_due:case_closed,,${late.reference}`);
    expect(afterRefund).not.toContain(`flag:fee_unpaid,,${late.reference}`);
  });

  it('verifies webhook signatures and timestamps, and a webhook received twice changes nothing the second time', async () => {
    const secret = await built.services.payments.webhookSecret();
    const paid = (await paymentsOf()).find((p) => p.status === 'succeeded');
    expect(paid).toBeDefined();
    const ref = (await built.kernel.db.withTables<{ payments_payments: { id: string; provider_ref: string | null } }>().selectFrom('payments_payments').select('provider_ref').where('id', '=', paid!.id).executeTakeFirstOrThrow()).provider_ref ?? '';
    const event = JSON.stringify({ id: 'evt_replayed_success_1', type: 'payment.declined', created: Math.floor(Date.now() / 1000), data: { ref, amount: 1000, currency: 'CNY' } });
    expect((await postWebhook(event, 'v1=deadbeef')).status).toBe(401);
    expect((await postWebhook(event, signWebhook('another secret of thirty-two chars!', event, new Date()))).status).toBe(401);
    expect((await postWebhook(event, signWebhook(secret, event, new Date(Date.now() - 3_600_000)))).status).toBe(400);
    const first = await postWebhook(event, signWebhook(secret, event, new Date()));
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ duplicate: false, matched: true });
    const second = await postWebhook(event, signWebhook(secret, event, new Date()));
    expect(await second.json()).toEqual({ duplicate: true, matched: true });
    // A late "declined" for a payment that already succeeded changes nothing either.
    expect((await paymentsOf()).find((p) => p.id === paid!.id)?.status).toBe('succeeded');
  });

  it('pending, then settled a moment later by a second webhook; the return page waits without JavaScript', async () => {
    const other = await applyForLicence(built, citizenPrincipal, CITIZEN.idNumber ?? '', 'B2');
    const page = await citizen.get(`/payments/applications/${other.id}`);
    const checkoutPath = String((await citizen.post(`/payments/applications/${other.id}/pay`, { _csrf: csrfToken(page.body), idempotency_key: inputValue(page.body, 'idempotency_key') ?? '' })).headers.location);
    const provider = await citizen.get(checkoutPath);
    const done = await citizen.post(checkoutPath, { _csrf: csrfToken(provider.body), outcome: 'pending' });
    const pending = await citizen.get(String(done.headers.location));
    expect(pending.statusCode).toBe(200);
    expect(pending.body).toContain('We are waiting for your payment to be confirmed');
    const settled = await eventually(() => built.services.payments.statusFor(other.id), (s) => s.state === 'paid');
    expect(settled).toEqual({ due: 0, paid: 1000, currency: 'CNY', state: 'paid' });
    expect(String((await citizen.get(String(done.headers.location))).headers.location)).toMatch(/^\/payments\/receipts\//);
  });
});
