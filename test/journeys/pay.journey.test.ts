import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPersona } from '../../src/modules/identity/index.js';
import { applyForLicence } from '../../src/modules/payments/test-kit.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson, type Person } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { choose, expectClean, expectErrorSummary, fillByName, pdfBytes, pressAndWait, signInAtIdp } from './steps.js';

/*
 * Issue 6's payment journey, in Debian Chromium against the real server: 张伟 applies for a
 * driving licence renewal (a ¥10 fee, due before the decision), pays with the built-in test
 * provider, is declined first (a clear error, and he tries again), then pays and sees his receipt.
 * The officer sees the fee on the case page and the payments page, refunds with a reason (after a
 * refusal without one); the clerk uses the counter page; the reconciliation report is read. Axe
 * runs on every payments page, error states included, with JavaScript on only for axe itself.
 */

const SLUG = 'driving-licence-renewal';
const jpegBytes = (): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), Buffer.alloc(256, 7), Buffer.from([0xff, 0xd9])]);

for (const kind of testDatabaseKinds) {
  describe(`paying a fee with the test provider in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('applies, is declined and tries again, pays, sees the receipt; staff see, refund and reconcile', async () => {
      const citizen = await openPerson(browser, { locale: 'en' });
      const officer = await openPerson(browser, { locale: 'zh-CN' });
      const url = (path: string) => `${server.url}${path}`;
      const main = (person: Person) => person.page.locator('main').innerText();
      const { page, t } = citizen;

      // Apply online: the start page shows the fee.
      await page.goto(url(`/services/${SLUG}`));
      expect(await main(citizen)).toContain('CN¥10.00');
      await page.getByRole('link', { name: t('catalog.start.startNow') }).click();
      await signInAtIdp(citizen, 'citizen');
      await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/pages\/licence$/);
      const id = /\/applications\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
      await fillByName(page, {
        driver_name: '张伟', id_number: demoPersona('citizen').idNumber ?? '', file_number: '110000123456',
        'expiry_date-day': '31', 'expiry_date-month': '1', 'expiry_date-year': '2027',
      });
      await page.locator('select[name="licence_class"]').selectOption('C1');
      await choose(page, 'reason', 'expiry');
      await pressAndWait(page, t('applications.page.continue'));
      await choose(page, 'delivery', 'collect');
      await fillByName(page, { phone: '13900139000' });
      await pressAndWait(page, t('applications.page.continue'));
      await page.waitForURL(url(`/applications/${id}/documents`));
      await page.locator('#medical_certificate').setInputFiles({ name: 'medical.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Medical certificate') });
      await page.locator('#photo').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpegBytes() });
      await pressAndWait(page, t('applications.page.continue'));
      await page.waitForURL(url(`/applications/${id}/check`));
      await page.getByLabel(t('applications.declaration.online'), { exact: true }).check();
      await pressAndWait(page, t('applications.check.submit'));
      await page.waitForURL(url(`/applications/${id}/confirmation`));
      const reference = /TB-\d{4}-[A-Z0-9]{6}/.exec(await main(citizen))?.[0] ?? '';
      expect(reference).not.toBe('');

      // The status page's fee panel leads to the pay page.
      await page.goto(url(`/applications/${id}`));
      expect(await main(citizen)).toContain(t('payments.panel.due', { amount: 'CN¥10.00' }));
      await citizen.check('status page with a fee to pay');
      await page.getByRole('link', { name: t('payments.panel.pay'), exact: true }).click();
      await page.waitForURL(url(`/payments/applications/${id}`));
      await citizen.check('pay page');

      // The test provider: no choice is an error; then the card is declined.
      await pressAndWait(page, t('payments.pay.button', { amount: 'CN¥10.00' }));
      await page.waitForURL(/\/payments\/test-provider\/checkout\/tp_/);
      expect(await main(citizen)).toContain(t('payments.provider.banner'));
      await citizen.check('test provider checkout');
      await pressAndWait(page, t('payments.provider.continue'));
      await expectErrorSummary(citizen, { fieldId: 'outcome', text: t('payments.provider.outcomeRequired') });
      await citizen.check('test provider checkout without a choice');
      await choose(page, 'outcome', 'declined');
      await pressAndWait(page, t('payments.provider.continue'));
      await page.waitForURL(url(`/payments/applications/${id}?declined=1`));
      await expectErrorSummary(citizen, { fieldId: 'pay', text: t('payments.pay.declined') });
      await citizen.check('pay page after a declined payment');

      // He tries again and it succeeds: the receipt.
      await pressAndWait(page, t('payments.pay.button', { amount: 'CN¥10.00' }));
      await page.waitForURL(/\/payments\/test-provider\/checkout\/tp_/);
      await choose(page, 'outcome', 'success');
      await pressAndWait(page, t('payments.provider.continue'));
      await page.waitForURL(/\/payments\/receipts\/R-\d{8}-[0-9A-Z]{6}$/);
      const receiptPath = new URL(page.url()).pathname;
      const receipt = await main(citizen);
      for (const shown of ['CN¥10.00', '张伟', reference, 'Renew a driving licence', t('payments.method.online')]) expect(receipt).toContain(shown);
      await citizen.check('receipt');
      await page.goto(url(`${receiptPath}?lang=zh-CN`));
      expect(await main(citizen)).toContain('¥10.00');
      await citizen.check('receipt in Chinese');
      await page.goto(url(`/applications/${id}?lang=en`));
      expect(await main(citizen)).toContain(t('payments.panel.paid', { amount: 'CN¥10.00' }));

      // The officer: the case page's panel, the payments page, a refund (refused without a reason).
      const back = officer.page;
      await back.goto(url(`/backoffice/cases/${id}`));
      await signInAtIdp(officer, 'officer');
      await back.waitForURL(url(`/backoffice/cases/${id}`));
      expect(await main(officer)).toContain(officer.t('payments.panel.staffPaid', { amount: '¥10.00' }));
      await back.getByRole('link', { name: officer.t('payments.panel.staffLink'), exact: true }).click();
      await back.waitForURL(url(`/payments/staff/${id}`));
      await officer.check('payments page for staff');
      await back.locator('a[href^="/payments/refunds/"]').first().click();
      await back.waitForURL(/\/payments\/refunds\//);
      await officer.check('refund page');
      await pressAndWait(back, officer.t('payments.refund.button', { amount: '¥10.00' }));
      await expectErrorSummary(officer, { fieldId: 'reason', text: officer.t('payments.refund.reasonRequired') });
      await officer.check('refund page without a reason');
      await back.getByLabel(officer.t('payments.refund.reason'), { exact: true }).fill('申请人重复缴费');
      await pressAndWait(back, officer.t('payments.refund.button', { amount: '¥10.00' }));
      await back.waitForURL(url(`/payments/staff/${id}?refunded=1`));
      await officer.check('payments page after a refund');

      // The daily reconciliation, and its error state.
      await back.goto(url('/payments/reconciliation'));
      await officer.check('reconciliation');
      await back.goto(url('/payments/reconciliation?day=tomorrow'));
      await expectErrorSummary(officer, { fieldId: 'day', text: officer.t('payments.reconciliation.dayInvalid') });
      await officer.check('reconciliation with a wrong day');

      // The clerk's counter page: an unknown reference, then this one (already refunded: due again).
      const clerk = await openPerson(browser, { locale: 'zh-CN' });
      await clerk.page.goto(url('/payments/counter'));
      await signInAtIdp(clerk, 'clerk');
      await clerk.page.waitForURL(url('/payments/counter'));
      await clerk.check('counter page');
      await clerk.page.getByLabel(clerk.t('payments.counter.reference'), { exact: true }).fill('TB-2026-AAAAAA');
      await pressAndWait(clerk.page, clerk.t('payments.counter.find'));
      await expectErrorSummary(clerk, { fieldId: 'reference', text: clerk.t('payments.counter.referenceUnknown') });
      await clerk.check('counter page with an unknown reference');
      // Another application of his, paid in cash at the counter (a missing name first).
      const persona = demoPersona('citizen');
      const principal = { accountId: persona.accountId, kind: persona.kind, name: persona.name, roles: persona.roles };
      const second = await applyForLicence(server.built, principal, persona.idNumber ?? '');
      await clerk.page.getByLabel(clerk.t('payments.counter.reference'), { exact: true }).fill(second.reference);
      await pressAndWait(clerk.page, clerk.t('payments.counter.find'));
      await clerk.check('counter page with the fee to take');
      await choose(clerk.page, 'method', 'cash');
      await pressAndWait(clerk.page, clerk.t('payments.counter.record', { amount: '¥10.00' }));
      await expectErrorSummary(clerk, { fieldId: 'payer_name', text: clerk.t('payments.counter.payerRequired') });
      expect(await clerk.page.locator('input[name="method"][value="cash"]').isChecked()).toBe(true);
      await clerk.check('counter page without the payer');
      await fillByName(clerk.page, { payer_name: '张伟' });
      await pressAndWait(clerk.page, clerk.t('payments.counter.record', { amount: '¥10.00' }));
      await clerk.page.waitForURL(/\/payments\/receipts\/R-/);
      expect(await main(clerk)).toContain(clerk.t('payments.method.cash'));
      await clerk.check('counter receipt');

      // A third: the provider leaves it pending, the return page says so without JavaScript.
      const third = await applyForLicence(server.built, principal, persona.idNumber ?? '');
      await page.goto(url(`/payments/applications/${third.id}`));
      await pressAndWait(page, t('payments.pay.button', { amount: 'CN¥10.00' }));
      await page.waitForURL(/\/payments\/test-provider\/checkout\/tp_/);
      await choose(page, 'outcome', 'pending');
      await pressAndWait(page, t('payments.provider.continue'));
      await page.waitForURL(/\/return\?payment=/);
      expect(await citizen.page.locator('h1').innerText()).toBe(t('payments.pay.pendingTitle'));
      await citizen.check('payment pending');

      await expectClean(citizen);
      await expectClean(officer);
      await expectClean(clerk);
    }, JOURNEY_TIMEOUT);
  });
}
