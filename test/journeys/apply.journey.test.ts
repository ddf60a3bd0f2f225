import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../../src/kernel/i18n/index.js';
import { demoPersona } from '../../src/modules/identity/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson, type Person } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { choose, expectClean, expectErrorSummary, fillByName, pdfBytes, pngBytes, pressAndWait, signInAtIdp } from './steps.js';

/*
 * Issue 3's main journey, in Debian Chromium against the real server on every configured
 * database: 张伟 finds the sole-trader licence from the home page, signs in on the way, fills the
 * form (with a mistake first), uploads a PDF and a photo of his ID card, checks his answers and
 * sends them; the officer claims the case and asks a question; 张伟 answers it; the officer
 * approves; 张伟 sees the decision in "My applications", on the status page and in his messages.
 * Axe runs on every page, error states included; the harness checks the security headers of
 * every HTML answer. The job workers run, so notifications are really delivered to the outbox.
 */

const SLUG = 'sole-trader-business-licence';
const SERVICE_NAME_ZH = '个体工商户营业执照办理';
const APPROVED = { 'zh-CN': '已办结（准予）', en: 'Approved' } as const;
const WRONG_ID = '110101199003072358';
const QUESTION = 'Please upload the signed tenancy agreement for the premises: 请上传已签字的租赁合同。';
const ANSWER = '租赁合同已于3月签署，原件可到窗口查验。';

for (const kind of testDatabaseKinds) {
  describe(`applying online and being decided in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind, { jobs: true }), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('takes 张伟 from the home page to a decision, with the officer in the back office', async () => {
      const citizen = await openPerson(browser, { locale: 'zh-CN' });
      const officer = await openPerson(browser, { locale: 'en' });
      const url = (path: string) => `${server.url}${path}`;
      const heading = (person: Person) => person.page.locator('h1').innerText();
      const { page, t } = citizen;

      // Home page, search, the service's start page: all before signing in.
      await page.goto(url('/'));
      await citizen.check('home page');
      await page.getByLabel(t('applications.home.searchLabel'), { exact: true }).fill('个体户');
      await pressAndWait(page, t('applications.home.search'));
      expect(new URL(page.url()).pathname).toBe('/services');
      await citizen.check('search results');
      await page.getByRole('link', { name: SERVICE_NAME_ZH, exact: true }).click();
      await page.waitForURL(url(`/services/${SLUG}`));
      expect(await heading(citizen)).toBe(SERVICE_NAME_ZH);
      await citizen.check('service start page');

      // Starting sends him to sign in, and back to the first form page.
      await page.getByRole('link', { name: t('catalog.start.startNow') }).click();
      await signInAtIdp(citizen, 'citizen');
      await page.waitForURL(/\/applications\/[0-9a-f-]{36}\/pages\/operator$/);
      const id = /\/applications\/([0-9a-f-]{36})\//.exec(page.url())?.[1] ?? '';
      await citizen.check('first form page');
      // His name and ID number come from his account, said under each field (ADR 70).
      expect(await page.locator('#operator_name').inputValue()).toBe('张伟');
      expect(await page.locator('#operator_id_number').inputValue()).toBe(demoPersona('citizen').idNumber ?? '');
      expect(await page.getByText(t('applications.account.mark')).count()).toBeGreaterThanOrEqual(2);

      // A wrong ID number on purpose: the summary links to the field, and what he typed stays.
      await fillByName(page, { operator_name: '张伟', operator_id_number: WRONG_ID, operator_phone: '13800138000' });
      await pressAndWait(page, t('applications.page.continue'));
      const errorText = await page.locator('.tb-error-summary a').first().innerText();
      await expectErrorSummary(citizen, { fieldId: 'operator_id_number', text: errorText });
      expect(await page.locator('#operator_id_number').inputValue()).toBe(WRONG_ID);
      expect(await page.locator('#operator_name').inputValue()).toBe('张伟');
      expect(await page.locator('#operator_phone').inputValue()).toBe('13800138000');
      await citizen.check('first form page with an error');
      await fillByName(page, { operator_id_number: demoPersona('citizen').idNumber ?? '' });
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/pages/business`));

      await citizen.check('second form page');
      await fillByName(page, {
        business_name: '张记水果店', 'business_address-province': '北京市', 'business_address-city': '北京市',
        'business_address-district': '朝阳区', 'business_address-line1': '建国路1号', scope_detail: '销售新鲜水果', employees: '2', capital: '5000',
      });
      await choose(page, 'organisation', 'individual');
      await choose(page, 'business_scope', 'retail');
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/documents`));

      // The documents: a real PDF and a real PNG, made here.
      await citizen.check('documents page');
      await page.locator('#premises_proof').setInputFiles({ name: '租赁合同.pdf', mimeType: 'application/pdf', buffer: pdfBytes('Tenancy agreement') });
      await pressAndWait(page, t('applications.page.continue'));
      // The ID card photo is missing: the page says so and keeps the PDF that was sent.
      const missingFile = await page.locator('.tb-error-summary a').first().innerText();
      await expectErrorSummary(citizen, { fieldId: 'operator_id', text: missingFile });
      expect(await page.locator('main').innerText()).toContain('租赁合同.pdf');
      await citizen.check('documents page with a missing document');
      await page.locator('#operator_id').setInputFiles({ name: 'id-card.png', mimeType: 'image/png', buffer: pngBytes() });
      await pressAndWait(page, t('applications.page.continue'));
      expect(page.url()).toBe(url(`/applications/${id}/check`));

      // Check the answers; sending without the declaration is refused, then he ticks it.
      const check = page.locator('main');
      for (const shown of ['张记水果店', '13800138000', '租赁合同.pdf', 'id-card.png']) expect(await check.innerText()).toContain(shown);
      await citizen.check('check your answers');
      await pressAndWait(page, t('applications.check.submit'));
      await expectErrorSummary(citizen, { fieldId: 'declaration', text: t('applications.declaration.required') });
      await citizen.check('check your answers without the declaration');
      await page.getByLabel(t('applications.declaration.online'), { exact: true }).check();
      await pressAndWait(page, t('applications.check.submit'));
      expect(page.url()).toBe(url(`/applications/${id}/confirmation`));
      expect(await heading(citizen)).toBe(t('applications.confirmation.title'));
      const reference = /TB-\d{4}-[A-Z0-9]{6}/.exec(await page.locator('main').innerText())?.[0] ?? '';
      expect(reference).not.toBe('');
      await citizen.check('confirmation');
      await page.getByRole('link', { name: t('applications.confirmation.track'), exact: true }).click();
      await page.waitForURL(url(`/applications/${id}`));
      expect(await page.locator('main').innerText()).toContain(reference);
      await citizen.check('status page after sending');

      // The officer, in a browser of their own: sign in from the back office, find the case, claim it.
      const back = officer.page;
      await back.goto(url('/backoffice'));
      await signInAtIdp(officer, 'officer');
      await back.waitForURL(url('/backoffice'));
      await officer.check('back office queue');
      await back.getByRole('link', { name: reference, exact: true }).click();
      await back.waitForURL(url(`/backoffice/cases/${id}`));
      await officer.check('case page');
      await pressAndWait(back, officer.t('workflow.action.claim'));
      expect(await back.locator('main').innerText()).toContain(officer.t('workflow.case.done', { action: officer.t('workflow.action.claim') }));
      await officer.check('case page after claiming');

      // Asking without a question is refused; then the question goes out.
      await pressAndWait(back, officer.t('workflow.action.request_info'));
      const missing = back.locator('.tb-error-summary a').first();
      await expectErrorSummary(officer, { fieldId: (await missing.getAttribute('href'))?.slice(1) ?? '', text: officer.t('workflow.error.questionRequired') });
      await officer.check('case page without a question');
      await back.getByLabel(officer.t('workflow.act.questionLabel'), { exact: true }).fill(QUESTION);
      await pressAndWait(back, officer.t('workflow.action.request_info'));
      expect(await back.locator('main').innerText()).toContain(officer.t('workflow.case.done', { action: officer.t('workflow.action.request_info') }));
      await officer.check('case page after asking');

      // 张伟 sees the question on his status page; an empty answer is refused; he answers.
      await page.reload();
      expect(await page.locator('#request-heading').innerText()).toBe(t('applications.status.requestTitle'));
      expect(await page.locator('main').innerText()).toContain(QUESTION);
      await citizen.check('status page with a request');
      await pressAndWait(page, t('applications.answer.send'));
      await expectErrorSummary(citizen, { fieldId: 'answer', text: t('applications.answer.required') });
      await citizen.check('status page with an empty answer');
      await page.getByLabel(t('applications.answer.label'), { exact: true }).fill(ANSWER);
      await pressAndWait(page, t('applications.answer.send'));
      expect(await page.locator('main').innerText()).toContain(t('applications.status.answered'));
      await citizen.check('status page after answering');

      // The officer sees the answer and approves.
      await back.reload();
      expect(await back.locator('main').innerText()).toContain(ANSWER);
      await officer.check('case page with the answer');
      await pressAndWait(back, officer.t('workflow.action.approve'));
      expect(await back.locator('main').innerText()).toContain(APPROVED.en);
      await officer.check('case page after approving');

      // 张伟 sees the decision in "My applications", on the status page, and in his messages.
      await page.goto(url('/'));
      await citizen.check('home page signed in');
      await page.getByRole('link', { name: t('applications.home.myApplications'), exact: true }).click();
      await page.waitForURL(url('/applications'));
      const row = page.getByRole('row').filter({ hasText: reference });
      expect(await row.innerText()).toContain(APPROVED['zh-CN']);
      await citizen.check('my applications');
      await row.getByRole('link', { name: reference, exact: true }).click();
      await page.waitForURL(url(`/applications/${id}`));
      expect(await page.locator('.tb-tag').first().innerText()).toBe(APPROVED['zh-CN']);
      expect(await page.locator('#request-heading').count()).toBe(0);
      await citizen.check('status page with the decision');

      // The message is delivered by a job after the approval commits: look until it is there.
      const subject = translate('zh-CN', 'messaging.template.applicationApproved.subject', { service: SERVICE_NAME_ZH, reference });
      await page.goto(url('/messages'));
      await expect.poll(async () => {
        await page.reload();
        return page.locator('main').innerText();
      }, { timeout: 20_000, interval: 250 }).toContain(subject);
      expect(await page.locator('main').innerText()).toContain(translate('zh-CN', 'messaging.template.infoRequested.subject', { service: SERVICE_NAME_ZH, reference }));
      await citizen.check('messages');

      await expectClean(citizen);
      await expectClean(officer);
    }, JOURNEY_TIMEOUT);
  });
}
