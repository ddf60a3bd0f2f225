import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPersona } from '../../src/modules/identity/index.js';
import { submitResidenceApplication } from '../../src/modules/scheduling/test-kit.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson, type Person } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { expectClean, expectErrorSummary, pressAndWait, signInAtIdp } from './steps.js';

/*
 * Issue 6's appointment journey, in Debian Chromium against the real server on every configured
 * database: 张伟 has a submitted residence-permit application, which needs an in-person visit. He
 * books an appointment from its status page (hall, day, time, confirm; first forgetting to choose
 * a hall), then changes it to another day. At the hall the clerk 王芳 checks him in by his
 * reference, which gives him a queue number, and calls the next number at counter 1; the public
 * hall screen shows the number and the counter. Axe runs on every page.
 */

const HALL = 'dongcheng-zwfw';

for (const kind of testDatabaseKinds) {
  describe(`booking an appointment and being called at the hall in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;
    let applicationId = '';

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
      const citizen = await server.built.services.identity.principal(demoPersona('citizen').accountId);
      if (!citizen) throw new Error('no demo citizen');
      applicationId = (await submitResidenceApplication(server.built, citizen)).id;
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('books, reschedules, is checked in and called, and sees the number on the hall screen', async () => {
      const citizen = await openPerson(browser, { locale: 'zh-CN' });
      const clerk = await openPerson(browser, { locale: 'en' });
      const screen = await openPerson(browser, { locale: 'en' });
      const url = (path: string) => `${server.url}${path}`;
      const base = `/applications/${applicationId}/appointment`;
      const { page, t } = citizen;
      const chooseFirst = async (person: Person, name: string, index = 0) => {
        await person.page.locator(`input[name="${name}"]`).nth(index).check();
      };

      // The status page offers the booking.
      await page.goto(url(`/applications/${applicationId}`));
      await signInAtIdp(citizen, 'citizen');
      await page.waitForURL(url(`/applications/${applicationId}`));
      await citizen.check('status page with the booking panel');
      await page.getByRole('link', { name: t('scheduling.panel.bookLink') }).click();
      await page.waitForURL(url(`${base}/hall`));
      await citizen.check('choose a hall');

      // Forgetting to choose: the error summary, then the steps.
      await pressAndWait(page, t('scheduling.continue'));
      await expectErrorSummary(citizen, { fieldId: 'hall', text: t('scheduling.choose.hallRequired') });
      await citizen.check('choose a hall, with an error');
      await page.locator(`input[name="hall"][value="${HALL}"]`).check();
      await pressAndWait(page, t('scheduling.continue'));
      await citizen.check('choose a day');
      await chooseFirst(citizen, 'day');
      await pressAndWait(page, t('scheduling.continue'));
      await citizen.check('choose a time');
      await chooseFirst(citizen, 'time');
      await pressAndWait(page, t('scheduling.continue'));
      expect(new URL(page.url()).pathname).toBe(`${base}/confirm`);
      await citizen.check('check the appointment');
      await pressAndWait(page, t('scheduling.confirm.submit'));
      expect(page.url()).toBe(url(`${base}/done`));
      expect(await page.locator('h1').innerText()).toBe(t('scheduling.done.title'));
      await citizen.check('appointment booked');
      const booked = await server.built.services.scheduling.appointmentFor(applicationId);
      expect(booked?.status).toBe('booked');
      expect(await page.locator('.tb-panel').innerText()).toContain(booked?.reference);

      // Rescheduling to another day from the status page.
      await page.goto(url(`/applications/${applicationId}`));
      expect(await page.locator('#panel-appointment').innerText()).toContain(booked?.reference);
      await citizen.check('status page with the appointment');
      await page.getByRole('link', { name: t('scheduling.panel.change') }).click();
      await pressAndWait(page, t('scheduling.continue'));
      await chooseFirst(citizen, 'day', 1);
      await pressAndWait(page, t('scheduling.continue'));
      await chooseFirst(citizen, 'time');
      await pressAndWait(page, t('scheduling.continue'));
      await citizen.check('check the new time');
      await pressAndWait(page, t('scheduling.confirm.submitChange'));
      expect(await page.locator('h1').innerText()).toBe(t('scheduling.done.titleChanged'));
      await citizen.check('appointment changed');
      const moved = await server.built.services.scheduling.appointmentFor(applicationId);
      expect(moved?.reference).toBe(booked?.reference);
      expect(moved?.startsAt.getTime()).toBeGreaterThan(booked?.startsAt.getTime() ?? Infinity);

      // At the hall: the clerk checks him in with his reference and calls the next number.
      await clerk.page.goto(url(`/halls/${HALL}/desk`));
      await signInAtIdp(clerk, 'clerk');
      await clerk.page.waitForURL(url(`/halls/${HALL}/desk`));
      await clerk.check('check-in desk');
      await clerk.page.getByLabel(clerk.t('scheduling.desk.reference'), { exact: true }).fill(moved?.reference ?? '');
      await pressAndWait(clerk.page, clerk.t('scheduling.desk.checkIn'));
      const ticket = (await server.built.services.scheduling.appointmentFor(applicationId))?.ticket?.label ?? '';
      expect(ticket).toMatch(/^A\d{3}$/);
      expect(await clerk.page.locator('.tb-notification-banner').innerText()).toContain(ticket);
      await clerk.check('desk after check-in');
      await clerk.page.locator('input[name="counter"][value="dongcheng-zwfw-1"]').check();
      await pressAndWait(clerk.page, clerk.t('scheduling.desk.call'));
      expect(await clerk.page.locator('.tb-notification-banner').innerText()).toContain(clerk.t('scheduling.desk.called', { ticket, counter: 1 }));
      await clerk.check('desk after calling');

      // The hall screen, without signing in: the number and the counter, large.
      const answer = await screen.page.goto(url(`/halls/${HALL}/screen`));
      expect(answer?.headers().refresh).toBe('10');
      expect(await screen.page.locator('.tb-panel__title').innerText()).toBe(ticket);
      expect(await screen.page.locator('.tb-panel__body').innerText()).toBe(screen.t('scheduling.screen.goTo', { counter: 1 }));
      // Axe on the same page with updates off, so a reload cannot cut the check short.
      await screen.page.getByRole('link', { name: screen.t('scheduling.screen.stop') }).click();
      await screen.page.waitForURL(url(`/halls/${HALL}/screen?refresh=off`));
      expect(await screen.page.locator('.tb-panel__title').innerText()).toBe(ticket);
      await screen.check('hall screen');

      // His status page shows the number too.
      await page.goto(url(`/applications/${applicationId}`));
      expect(await page.locator('#panel-appointment').innerText()).toContain(ticket);
      await citizen.check('status page after check-in');

      for (const person of [citizen, clerk, screen]) await expectClean(person);
    }, JOURNEY_TIMEOUT);
  });
}
