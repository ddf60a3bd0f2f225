import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPersona } from '../../src/modules/identity/index.js';
import { readQrFromPdf } from '../../src/modules/documents/test-kit.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson, type Person } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { choose, expectClean, fillByName, pdfBytes, pressAndWait, signInAtIdp } from './steps.js';

/*
 * Issue 6 end to end, in Debian Chromium on every configured database: the three modules of the
 * issue (payments, scheduling, documents) in one person's journey. 张伟 applies online to renew
 * his driving licence (a ¥10 fee due before the decision, a visit to the hall for a new photo and
 * an eyesight check, and an electronic licence as the certificate); pays with the built-in test
 * provider; books an appointment at the government service centre's driving licence counter; the
 * officer of the transport bureau sees the fee paid and the appointment, and approves; 张伟
 * downloads the certificate PDF from his status page; the QR code read back out of the PDF opens
 * the public verify page, which says valid; the officer revokes it with a reason; the same link
 * says revoked. Axe on every page, the public pages in both languages.
 */

const SLUG = 'driving-licence-renewal';
const HALL = 'dongcheng-zwfw';
const REASON = 'Eyesight below the standard at the hall check: 视力检查未通过';
const jpegBytes = (): Buffer => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]), Buffer.alloc(256, 7), Buffer.from([0xff, 0xd9])]);

/** From the service's start page to the confirmation: returns the application's id and reference. */
async function applyOnline(citizen: Person, url: (path: string) => string): Promise<{ id: string; reference: string }> {
  const { page, t } = citizen;
  await page.goto(url(`/services/${SLUG}`));
  // The start page says what it costs and that he must go in person.
  const start = await page.locator('main').innerText();
  expect(start).toContain('¥10.00');
  expect(start).toContain(t('catalog.start.inPerson'));
  await page.getByRole('link', { name: t('catalog.start.startNow') }).click();
  await signInAtIdp(citizen, 'citizen');
  await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/pages\/licence$/);
  const id = /\/applications\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
  await citizen.check('form, the licence');
  await fillByName(page, {
    driver_name: '张伟', id_number: demoPersona('citizen').idNumber ?? '', file_number: '110000123456',
    'expiry_date-day': '31', 'expiry_date-month': '1', 'expiry_date-year': '2027',
  });
  await page.locator('select[name="licence_class"]').selectOption('C1');
  await choose(page, 'reason', 'expiry');
  await pressAndWait(page, t('applications.page.continue'));
  await citizen.check('form, delivery');
  await choose(page, 'delivery', 'collect');
  await fillByName(page, { phone: '13900139000' });
  await pressAndWait(page, t('applications.page.continue'));
  await page.waitForURL(url(`/applications/${id}/documents`));
  await citizen.check('form, documents');
  await page.locator('#medical_certificate').setInputFiles({ name: '体检证明.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Medical certificate') });
  await page.locator('#photo').setInputFiles({ name: 'photo.jpg', mimeType: 'image/jpeg', buffer: jpegBytes() });
  await pressAndWait(page, t('applications.page.continue'));
  await page.waitForURL(url(`/applications/${id}/check`));
  await citizen.check('check your answers');
  await page.getByLabel(t('applications.declaration.online'), { exact: true }).check();
  await pressAndWait(page, t('applications.check.submit'));
  await page.waitForURL(url(`/applications/${id}/confirmation`));
  await citizen.check('confirmation');
  const reference = /TB-\d{4}-[A-Z0-9]{6}/.exec(await page.locator('main').innerText())?.[0] ?? '';
  expect(reference).not.toBe('');
  return { id, reference };
}

for (const kind of testDatabaseKinds) {
  describe(`one stop: apply, pay, book, approved, certificate checked by its QR code and revoked, in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('takes 张伟 from applying online to a revoked driving licence', async () => {
      const citizen = await openPerson(browser, { locale: 'zh-CN' });
      const officer = await openPerson(browser, { locale: 'en' });
      const verifier = await openPerson(browser, { locale: 'en' });
      const url = (path: string) => `${server.url}${path}`;
      const main = (person: Person) => person.page.locator('main').innerText();
      const { page, t } = citizen;

      const { id, reference } = await applyOnline(citizen, url);

      // The status page asks for both: the fee and the visit.
      await page.goto(url(`/applications/${id}`));
      expect(await page.locator('#panel-appointment').innerText()).toContain('视力');
      expect(await main(citizen)).toContain(t('payments.panel.due', { amount: '¥10.00' }));
      await citizen.check('status page, fee and appointment due');

      // Pay with the built-in test provider: success, and the receipt.
      await page.getByRole('link', { name: t('payments.panel.pay'), exact: true }).click();
      await page.waitForURL(url(`/payments/applications/${id}`));
      await citizen.check('pay page');
      await pressAndWait(page, t('payments.pay.button', { amount: '¥10.00' }));
      await page.waitForURL(/\/payments\/test-provider\/checkout\/tp_/);
      await citizen.check('test provider checkout');
      await choose(page, 'outcome', 'success');
      await pressAndWait(page, t('payments.provider.continue'));
      await page.waitForURL(/\/payments\/receipts\/R-\d{8}-[0-9A-Z]{6}$/);
      const receipt = await main(citizen);
      for (const shown of ['¥10.00', '张伟', reference]) expect(receipt).toContain(shown);
      await citizen.check('receipt');

      // Book the visit from the status page: the hall, the first day and time, confirm.
      await page.goto(url(`/applications/${id}`));
      expect(await main(citizen)).toContain(t('payments.panel.paid', { amount: '¥10.00' }));
      await citizen.check('status page, paid');
      await page.getByRole('link', { name: t('scheduling.panel.bookLink') }).click();
      await page.waitForURL(url(`/applications/${id}/appointment/hall`));
      await citizen.check('choose a hall');
      await page.locator(`input[name="hall"][value="${HALL}"]`).check();
      await pressAndWait(page, t('scheduling.continue'));
      await citizen.check('choose a day');
      await page.locator('input[name="day"]').first().check();
      await pressAndWait(page, t('scheduling.continue'));
      await citizen.check('choose a time');
      await page.locator('input[name="time"]').first().check();
      await pressAndWait(page, t('scheduling.continue'));
      await citizen.check('check the appointment');
      await pressAndWait(page, t('scheduling.confirm.submit'));
      expect(page.url()).toBe(url(`/applications/${id}/appointment/done`));
      await citizen.check('appointment booked');
      const booked = await server.built.services.scheduling.appointmentFor(id);
      expect(booked?.status).toBe('booked');
      // The driving licence counter is the one that takes this service.
      expect(await main(citizen)).toContain(booked?.reference ?? '-');

      // The transport bureau's officer sees the fee paid and the appointment, claims and approves.
      const back = officer.page;
      await back.goto(url(`/backoffice/cases/${id}`));
      await signInAtIdp(officer, 'officer');
      await back.waitForURL(url(`/backoffice/cases/${id}`));
      expect(await main(officer)).toContain(officer.t('payments.panel.staffPaid', { amount: 'CN¥10.00' }));
      expect(await back.locator('#panel-appointment').innerText()).toContain(booked?.reference ?? '-');
      await officer.check('case page with the fee paid and the appointment');
      await pressAndWait(back, officer.t('workflow.action.claim'));
      await pressAndWait(back, officer.t('workflow.action.approve'));
      expect(await back.locator('#panel-certificate').innerText()).toContain('Driving licence (electronic)');
      await officer.check('case page, approved, with the certificate');

      // 张伟 downloads the certificate PDF from his status page.
      await page.goto(url(`/applications/${id}`));
      const panel = page.locator('#panel-certificate');
      expect(await panel.innerText()).toContain('机动车驾驶证（电子）');
      await citizen.check('status page with the certificate');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        panel.getByRole('link', { name: t('documents.panel.download'), exact: true }).click(),
      ]);
      const pdf = await readFile(await download.path());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(download.suggestedFilename()).toMatch(new RegExp(`^${reference}-`));
      await page.goto(url('/documents'));
      expect(await page.getByRole('row').filter({ hasText: reference }).innerText()).toContain(t('documents.state.valid'));
      await citizen.check('documents page');

      // Anyone scanning the QR code printed on the PDF: the verify page says valid, in both languages.
      const verifyUrl = (await readQrFromPdf(pdf)) ?? '';
      expect(verifyUrl).toMatch(new RegExp(`^${server.url}/verify/[0-9a-f-]{36}$`));
      await verifier.page.goto(verifyUrl);
      expect(await verifier.page.locator('h1').innerText()).toBe(verifier.t('documents.verify.title.valid'));
      expect(await main(verifier)).toContain('110000123456');
      await verifier.check('verify page, valid');
      await verifier.page.goto(`${verifyUrl}?lang=zh-CN`);
      expect(await verifier.page.locator('h1').innerText()).toBe(citizen.t('documents.verify.title.valid'));
      await verifier.check('verify page, valid, in Chinese');

      // The officer revokes it from the case page, with a reason.
      await back.reload();
      await back.locator('#panel-certificate').getByRole('link', { name: officer.t('documents.panel.revoke'), exact: true }).click();
      await back.waitForURL(/\/backoffice\/certificates\/[0-9a-f-]{36}\/revoke$/);
      await officer.check('revoke page');
      await back.getByLabel(officer.t('documents.revoke.reasonLabel'), { exact: true }).fill(REASON);
      await back.getByLabel(officer.t('documents.revoke.confirmText'), { exact: true }).check();
      await pressAndWait(back, officer.t('documents.revoke.submit'));
      expect(await main(officer)).toContain(officer.t('documents.revoke.done'));
      await officer.check('revoke page, done');

      // The same QR link now says revoked, with the reason; so does his status page.
      await verifier.page.goto(verifyUrl);
      expect(await verifier.page.locator('h1').innerText()).toBe(verifier.t('documents.verify.title.revoked'));
      expect(await main(verifier)).toContain(REASON);
      await verifier.check('verify page, revoked');
      await verifier.page.goto(`${verifyUrl}?lang=zh-CN`);
      expect(await verifier.page.locator('h1').innerText()).toBe(citizen.t('documents.verify.title.revoked'));
      await verifier.check('verify page, revoked, in Chinese');
      await page.goto(url(`/applications/${id}`));
      expect(await page.locator('#panel-certificate').innerText()).toContain(REASON);
      await citizen.check('status page, certificate revoked');

      for (const person of [citizen, officer, verifier]) await expectClean(person);
    }, JOURNEY_TIMEOUT);
  });
}
