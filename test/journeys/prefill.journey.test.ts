import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { choose, expectClean, expectErrorSummary, fillByName, pdfBytes, pngBytes, pressAndWait, signInAtIdp } from './steps.js';

/*
 * Issue 5's journey, in Debian Chromium against the real server on every configured database:
 * 张伟 applies for a residence permit; before the form he is shown what the population register
 * will give, why, on what legal basis and who is responsible, and gives his consent; the form is
 * prefilled and the answers are marked; he reports a wrong name to the register; he sends the
 * application; "Who used my data" shows the read with its purpose and the bureau that made it; he
 * withdraws his consent; the next application's prefill is refused with a clear message and he
 * fills in the form himself. Axe runs on every page, error states included.
 */

const SLUG = 'residence-certificate';
const REGISTRY = '人口登记簿';
const PURPOSE = '为办理居住证，从人口信息库读取您的姓名、出生日期和户籍地址并预填申请表，免去重复填写。';
const PSB = '北京市公安局';

for (const kind of testDatabaseKinds) {
  describe(`once-only prefill with consent, who used my data, and withdrawal in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('prefills 张伟\'s form after his consent, shows the read to him, and refuses the next prefill once he withdraws', async () => {
      const citizen = await openPerson(browser, { locale: 'zh-CN' });
      const { page, t } = citizen;
      const url = (path: string) => `${server.url}${path}`;
      const main = () => page.locator('main').innerText();

      // The start page, signing in, and the prefill page before the form.
      await page.goto(url(`/services/${SLUG}`));
      await citizen.check('service start page');
      await page.getByRole('link', { name: t('catalog.start.startNow') }).click();
      await signInAtIdp(citizen, 'citizen');
      await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/prefill$/);
      const id = /\/applications\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
      expect(await page.locator('h1').innerText()).toBe(t('applications.prefill.title', { registry: REGISTRY }));
      for (const shown of [PURPOSE, PSB, '个人信息保护法', t('applications.prefill.consentLegend')]) expect(await main()).toContain(shown);
      await citizen.check('prefill page');

      // Continuing without a choice is an error; then he agrees.
      await pressAndWait(page, t('applications.prefill.continue'));
      await expectErrorSummary(citizen, { fieldId: 'choice', text: t('applications.prefill.choiceRequired') });
      await citizen.check('prefill page without a choice');
      await choose(page, 'choice', 'prefill');
      await pressAndWait(page, t('applications.prefill.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/pages/you`));

      // The answers from the register are there, and say where they came from.
      expect(await page.locator('#full_name').inputValue()).toBe('张伟');
      expect(await page.locator('#date_of_birth-year').inputValue()).toBe('1990');
      expect(await page.locator('#full_name-hint').innerText()).toBe(t('applications.prefill.mark', { registry: REGISTRY }));
      await citizen.check('first form page, prefilled');
      await fillByName(page, { id_number: '110101199003072359', phone: '13800138000' });
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/pages/addresses`));
      expect(await page.locator('#hukou_address-district').inputValue()).toBe('东城区');
      expect(await page.locator('#hukou_address-line1').inputValue()).toBe('示例街道 1 号');
      await citizen.check('addresses page, prefilled');
      await fillByName(page, {
        'beijing_address-province': '北京市', 'beijing_address-city': '北京市', 'beijing_address-district': '朝阳区', 'beijing_address-line1': '建国路 1 号',
        'moved_on-day': '1', 'moved_on-month': '6', 'moved_on-year': '2024',
      });
      await pressAndWait(page, t('applications.page.continue'));
      await choose(page, 'basis', 'residence');
      await citizen.check('basis page');
      await pressAndWait(page, t('applications.page.continue'));
      await page.locator('#address_registration').setInputFiles({ name: '居住登记.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Registration') });
      await page.locator('#basis_proof').setInputFiles({ name: 'tenancy.png', mimeType: 'image/png', buffer: pngBytes() });
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/check`));
      expect(await page.locator('.tb-tag').filter({ hasText: t('applications.prefill.tag', { registry: REGISTRY }) }).count()).toBe(3);
      await citizen.check('check your answers, with prefilled answers marked');

      // He reports a wrong name to the register (an empty report first).
      await page.getByRole('link', { name: t('applications.prefill.reportLink', { registry: REGISTRY }), exact: true }).click();
      await page.waitForURL(/\/prefill\/report/);
      await citizen.check('report wrong data');
      await pressAndWait(page, t('applications.report.send'));
      await expectErrorSummary(citizen, { fieldId: 'fields', text: t('applications.report.fieldsRequired') });
      await citizen.check('report wrong data with errors');
      await choose(page, 'fields', 'full_name');
      await page.getByLabel(t('applications.report.descriptionLabel'), { exact: true }).fill('登记簿中的姓名少了一个字。');
      await pressAndWait(page, t('applications.report.send'));
      expect(await page.locator('h1').innerText()).toBe(t('applications.report.sentTitle'));
      await citizen.check('report sent');
      await page.getByRole('link', { name: t('applications.report.back'), exact: true }).click();
      await page.waitForURL(url(`/applications/${id}/check`));

      await page.getByLabel(t('applications.declaration.online'), { exact: true }).check();
      await pressAndWait(page, t('applications.check.submit'));
      expect(page.url()).toBe(url(`/applications/${id}/confirmation`));
      await citizen.check('confirmation');

      // "Who used my data": the register read, by the bureau, with its purpose.
      await page.goto(url('/my-data/accesses'));
      const accesses = await main();
      expect(accesses).toContain(PURPOSE);
      expect(accesses).toContain(PSB);
      await citizen.check('who used my data');

      // He withdraws his consent on his consent page.
      await page.goto(url('/account/consent'));
      await citizen.check('my consents');
      await page.goto(url('/account/consent/prefill-population/withdraw'));
      await citizen.check('withdraw consent');
      await pressAndWait(page, t('consent.withdraw.confirm'));
      expect(new URL(page.url()).pathname).toBe('/account/consent');
      await citizen.check('my consents after withdrawing');

      // The next application: the prefill is refused, plainly, and he fills in the form himself.
      await page.goto(url(`/services/${SLUG}/apply`));
      await page.waitForURL(/\/prefill$/);
      expect(page.url()).not.toContain(id);
      expect(await main()).toContain(t('applications.prefill.withdrawnTitle'));
      expect(await main()).toContain(t('applications.prefill.withdrawn', { registry: REGISTRY }));
      expect(await page.locator('input[name="choice"][value="prefill"]').count()).toBe(0);
      await citizen.check('prefill refused after withdrawal');
      await pressAndWait(page, t('applications.prefill.fillYourself'));
      expect(page.url()).toMatch(/\/pages\/you$/);
      // Nothing from the register now; his name is his account's own (ADR 70), marked as such.
      expect(await page.locator('#full_name').inputValue()).toBe('张伟');
      expect(await page.locator('#full_name-hint').innerText()).toContain(t('applications.account.mark'));
      expect(await main()).not.toContain(t('applications.prefill.mark', { registry: REGISTRY }));
      await citizen.check('first form page, filled in by hand');

      await expectClean(citizen);
    }, JOURNEY_TIMEOUT);
  });
}
