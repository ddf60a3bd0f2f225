import { readFile } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPersona } from '../../src/modules/identity/index.js';
import { readQrFromPdf } from '../../src/modules/documents/test-kit.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { choose, expectClean, expectErrorSummary, fillByName, pdfBytes, pngBytes, pressAndWait, signInAtIdp } from './steps.js';

/*
 * Issue 6, the certificate part, in Debian Chromium on every configured database: 张伟 applies
 * for the sole-trader licence (it comes with a certificate); the officer approves; 张伟 finds the
 * certificate on his status page and his documents page and downloads the PDF; the QR code read
 * back out of the PDF opens the public verify page, which says valid; the officer revokes it with
 * a reason (after a refusal without the confirmation); the same link now says revoked. Paying and
 * booking join the certificate in one-stop.journey.test.ts (a service with all three). Axe on every page.
 */

const SLUG = 'sole-trader-business-licence';
const REASON = 'The premises were closed by the district: 经营场所已关闭';

for (const kind of testDatabaseKinds) {
  describe(`a certificate issued, downloaded, checked by its QR code and revoked, in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('takes 张伟 from applying to a revoked certificate', async () => {
      const citizen = await openPerson(browser, { locale: 'zh-CN' });
      const officer = await openPerson(browser, { locale: 'en' });
      const verifier = await openPerson(browser, { locale: 'en' });
      const url = (path: string) => `${server.url}${path}`;
      const { page, t } = citizen;

      // Apply: straight to the service's start page, sign in, fill the form, send it.
      await page.goto(url(`/services/${SLUG}`));
      await page.getByRole('link', { name: t('catalog.start.startNow') }).click();
      await signInAtIdp(citizen, 'citizen');
      await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/pages\/operator$/);
      const id = /\/applications\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
      await fillByName(page, { operator_name: '张伟', operator_id_number: demoPersona('citizen').idNumber ?? '', operator_phone: '13800138000' });
      await pressAndWait(page, t('applications.page.continue'));
      await fillByName(page, {
        business_name: '张记水果店', 'business_address-province': '北京市', 'business_address-city': '北京市',
        'business_address-district': '朝阳区', 'business_address-line1': '建国路1号', scope_detail: '销售新鲜水果', employees: '2', capital: '5000',
      });
      await choose(page, 'organisation', 'individual');
      await choose(page, 'business_scope', 'retail');
      await pressAndWait(page, t('applications.page.continue'));
      await page.locator('#premises_proof').setInputFiles({ name: '租赁合同.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Tenancy agreement') });
      await page.locator('#operator_id').setInputFiles({ name: 'id-card.png', mimeType: 'image/png', buffer: pngBytes() });
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/check`));
      await page.getByLabel(t('applications.declaration.online'), { exact: true }).check();
      await pressAndWait(page, t('applications.check.submit'));
      expect(page.url()).toBe(url(`/applications/${id}/confirmation`));
      const reference = /TB-\d{4}-[A-Z0-9]{6}/.exec(await page.locator('main').innerText())?.[0] ?? '';

      // The officer claims and approves.
      const back = officer.page;
      await back.goto(url(`/backoffice/cases/${id}`));
      await signInAtIdp(officer, 'officer');
      await back.waitForURL(url(`/backoffice/cases/${id}`));
      await pressAndWait(back, officer.t('workflow.action.claim'));
      await pressAndWait(back, officer.t('workflow.action.approve'));
      expect(await back.locator('#panel-certificate').innerText()).toContain(officer.t('documents.panel.staffHeading'));
      await officer.check('case page with the certificate panel');

      // 张伟: the certificate on his status page, then his documents page; he downloads the PDF.
      await page.goto(url(`/applications/${id}`));
      const panel = page.locator('#panel-certificate');
      expect(await panel.innerText()).toContain('营业执照（个体工商户）');
      await citizen.check('status page with the certificate');
      await panel.getByRole('link', { name: t('documents.panel.all'), exact: true }).click();
      await page.waitForURL(url('/documents'));
      const row = page.getByRole('row').filter({ hasText: reference });
      expect(await row.innerText()).toContain(t('documents.state.valid'));
      await citizen.check('documents page');
      const [download] = await Promise.all([page.waitForEvent('download'), row.getByRole('link', { name: new RegExp(`^${t('documents.list.download')}`) }).click()]);
      const pdf = await readFile(await download.path());
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(download.suggestedFilename()).toMatch(new RegExp(`^${reference}-`));

      // Anyone scanning the QR code: the address read back out of the PDF opens the verify page.
      const verifyUrl = await readQrFromPdf(pdf);
      expect(verifyUrl).toMatch(new RegExp(`^${server.url}/verify/[0-9a-f-]{36}$`));
      await verifier.page.goto(verifyUrl ?? '');
      expect(await verifier.page.locator('h1').innerText()).toBe(verifier.t('documents.verify.title.valid'));
      expect(await verifier.page.locator('main').innerText()).toContain('张记水果店');
      await verifier.check('verify page, valid');

      // The officer revokes from the case page: refused without the confirmation, then done.
      await back.reload();
      await back.locator('#panel-certificate').getByRole('link', { name: officer.t('documents.panel.revoke'), exact: true }).click();
      await back.waitForURL(/\/backoffice\/certificates\/[0-9a-f-]{36}\/revoke$/);
      await officer.check('revoke page');
      await back.getByLabel(officer.t('documents.revoke.reasonLabel'), { exact: true }).fill(REASON);
      await pressAndWait(back, officer.t('documents.revoke.submit'));
      await expectErrorSummary(officer, { fieldId: 'confirm', text: officer.t('documents.error.confirmRequired') });
      expect(await back.getByLabel(officer.t('documents.revoke.reasonLabel'), { exact: true }).inputValue()).toBe(REASON);
      await officer.check('revoke page without the confirmation');
      await back.getByLabel(officer.t('documents.revoke.confirmText'), { exact: true }).check();
      await pressAndWait(back, officer.t('documents.revoke.submit'));
      expect(await back.locator('main').innerText()).toContain(officer.t('documents.revoke.done'));
      await officer.check('revoke page, done');

      // The same QR link now says revoked, with the date and the reason.
      await verifier.page.reload();
      expect(await verifier.page.locator('h1').innerText()).toBe(verifier.t('documents.verify.title.revoked'));
      expect(await verifier.page.locator('main').innerText()).toContain(REASON);
      await verifier.check('verify page, revoked');
      await page.reload();
      expect(await page.getByRole('row').filter({ hasText: reference }).innerText()).toContain(t('documents.state.revoked'));
      await citizen.check('documents page, revoked');

      await expectClean(citizen);
      await expectClean(officer);
      await expectClean(verifier);
    }, JOURNEY_TIMEOUT);
  });
}
