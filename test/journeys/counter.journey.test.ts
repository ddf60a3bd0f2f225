import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPersona } from '../../src/modules/identity/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson, type Person } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { choose, expectClean, expectErrorSummary, fillByName, pdfBytes, pressAndWait, signInAtIdp } from './steps.js';

/*
 * The counter channel in Debian Chromium on every configured database: the clerk 王芳 starts an
 * application for 张伟 by his resident ID number (a mistyped one first), fills the minimum living
 * allowance with him, uploads scans and sends it with channel `counter`; then 张伟 signs in at
 * home and finds the same case in "My applications". Axe on every page, error states included.
 */

const ALLOWANCE = { id: '121e5576-9979-40d4-a5ac-20149fa25a7e', en: 'Apply for the minimum living allowance (dibao)', 'zh-CN': '最低生活保障申请' } as const;
const ZHANG_WEI = demoPersona('citizen');
const MISTYPED_ID = '110101199003072358';

for (const kind of testDatabaseKinds) {
  describe(`applying at the counter in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('lets the clerk apply for 张伟, who then finds the case in My applications', async () => {
      const clerk = await openPerson(browser, { locale: 'en' });
      const url = (path: string) => `${server.url}${path}`;
      const main = (person: Person) => person.page.locator('main').innerText();
      const { page, t } = clerk;

      // The clerk signs in from the home page and follows the counter link.
      await page.goto(url('/'));
      await clerk.check('home page');
      await page.locator('header').getByRole('link', { name: t('ui.header.signIn'), exact: true }).click();
      await signInAtIdp(clerk, 'clerk');
      await page.waitForURL(url('/'));
      await clerk.check('home page of a clerk');
      await page.getByRole('link', { name: t('applications.home.counter'), exact: true }).click();
      await page.waitForURL(url('/counter'));
      await clerk.check('counter page');

      // A mistyped ID number: refused with its check digit, kept as typed; then the right one.
      await page.getByLabel(t('applications.counter.residentId'), { exact: true }).fill(MISTYPED_ID);
      await page.getByLabel(t('applications.counter.service'), { exact: true }).selectOption(ALLOWANCE.id);
      await pressAndWait(page, t('applications.counter.start'));
      const errorText = await page.locator('.tb-error-summary a').first().innerText();
      await expectErrorSummary(clerk, { fieldId: 'resident_id', text: errorText });
      expect(await page.locator('#resident_id').inputValue()).toBe(MISTYPED_ID);
      expect(await page.locator('#service').inputValue()).toBe(ALLOWANCE.id);
      await clerk.check('counter page with a wrong ID number');
      await fillByName(page, { resident_id: ZHANG_WEI.idNumber ?? '' });
      await pressAndWait(page, t('applications.counter.start'));
      await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/pages\/applicant$/);
      const id = /\/applications\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
      expect(await main(clerk)).toContain(t('applications.counter.caption'));
      await clerk.check('counter form: applicant');

      // The same pages as online, filled in with the person.
      await fillByName(page, {
        applicant_name: '张伟', applicant_id_number: ZHANG_WEI.idNumber ?? '', applicant_phone: '13900139000',
        'home_address-province': '北京市', 'home_address-city': '北京市', 'home_address-district': '西城区', 'home_address-line1': '西单北大街1号',
      });
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/pages/household`));
      await clerk.check('counter form: household');
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/pages/income`));
      await clerk.check('counter form: income');
      await fillByName(page, { applicant_monthly_income: '800', savings: '0', properties: '0', circumstances: '三月失业，独自生活。', bank_account: '6222020200112233445' });
      await choose(page, 'owns_vehicle', 'no');
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/documents`));

      await clerk.check('counter form: documents');
      await page.locator('#income_proof').setInputFiles({ name: 'income-scan.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Income certificate') });
      await page.locator('#household_register').setInputFiles({ name: 'hukou-scan.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Household register') });
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/check`));
      expect(await main(clerk)).toContain('hukou-scan.pdf');
      await clerk.check('counter: check the answers');
      await page.getByLabel(t('applications.declaration.counter'), { exact: true }).check();
      await pressAndWait(page, t('applications.check.submit'));
      expect(page.url()).toBe(url(`/applications/${id}/confirmation`));
      const confirmation = await main(clerk);
      expect(confirmation).toContain(t('applications.confirmation.counterNext'));
      const reference = /TB-\d{4}-[A-Z0-9]{6}/.exec(confirmation)?.[0] ?? '';
      expect(reference).not.toBe('');
      await clerk.check('counter confirmation');
      await page.getByRole('link', { name: t('applications.confirmation.counterAnother'), exact: true }).click();
      await page.waitForURL(url('/counter'));
      await clerk.check('counter page for the next person');

      // 张伟 signs in at home, in his own browser, and finds the case among his applications.
      const zhang = await openPerson(browser, { locale: 'zh-CN' });
      await zhang.page.goto(url('/'));
      await zhang.page.locator('header').getByRole('link', { name: zhang.t('ui.header.signIn'), exact: true }).click();
      await signInAtIdp(zhang, 'citizen');
      await zhang.page.waitForURL(url('/'));
      await zhang.check('home page of 张伟');
      await zhang.page.getByRole('link', { name: zhang.t('applications.home.myApplications'), exact: true }).click();
      await zhang.page.waitForURL(url('/applications'));
      const row = zhang.page.getByRole('row').filter({ hasText: reference });
      expect(await row.innerText()).toContain(ALLOWANCE['zh-CN']);
      await zhang.check('my applications with the counter case');
      await row.getByRole('link', { name: reference, exact: true }).click();
      await zhang.page.waitForURL(url(`/applications/${id}`));
      const status = await main(zhang);
      for (const shown of [reference, '三月失业，独自生活。', 'hukou-scan.pdf']) expect(status).toContain(shown);
      await zhang.check('status page of the counter case');

      await expectClean(clerk);
      await expectClean(zhang);
    }, JOURNEY_TIMEOUT);
  });
}
