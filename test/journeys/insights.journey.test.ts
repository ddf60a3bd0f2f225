import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoPersona } from '../../src/modules/identity/index.js';
import { historyPerson, playHistory, type HistoryItem } from '../../src/modules/insights/history.js';
import { historyDeps, personaPrincipal } from '../../src/modules/insights/test-kit.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { openPerson } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';
import { choose, expectClean, expectErrorSummary, pressAndWait, signInAtIdp } from './steps.js';

/*
 * Issue 7 in Debian Chromium on every configured database, axe on every page (error states
 * included): 张伟 rates a refused application 2, the officer answers the follow-up, 张伟 says it
 * solved his problem; a clerk records a counter rating; anyone reads the dashboards. Then a
 * keyboard-only rating with a visible focus indicator checked at every Tab stop, and the main
 * pages at 320 CSS px (400 % zoom of a 1280 px window) with no sideways scrolling.
 */
// Generous: four browsers and many axe runs on a shared 2-core machine (one run took 171 s under load).
const TIMEOUT = 360_000;
const citizen = { ...personaPrincipal(demoPersona('citizen')), idNumber: demoPersona('citizen').idNumber! };
const day = (monthsBack: number, d: number) => {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - monthsBack, d)).toISOString().slice(0, 10);
};
const HISTORY: HistoryItem[] = [
  { n: 601, person: citizen, service: 'sole-trader-business-licence', channel: 'online', day: day(1, 5), hour: 10, outcome: 'approved', hoursToEnd: 30 },
  { n: 602, person: citizen, service: 'driving-licence-renewal', channel: 'online', day: day(1, 6), hour: 10, outcome: 'rejected', hoursToEnd: 50 },
  { n: 603, service: 'sole-trader-business-licence', channel: 'counter', day: day(2, 7), hour: 10, outcome: 'approved', hoursToEnd: 100, rating: { score: 4, afterHours: 1 } },
  { n: 604, service: 'sole-trader-business-licence', channel: 'online', day: day(2, 8), hour: 10, outcome: 'approved', hoursToEnd: 20, rating: { score: 5, afterHours: 1 } },
  { n: 605, service: 'sole-trader-business-licence', channel: 'counter', day: day(1, 9), hour: 10, outcome: 'approved', hoursToEnd: 20 },
];

/** The focused element's indicator: an outline of 2 px or more in a colour, or a box shadow (links use one). */
const focusShown = (page: Page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return { tag: 'body', shown: false };
  const s = getComputedStyle(el);
  const outline = s.outlineStyle !== 'none' && Number.parseFloat(s.outlineWidth) >= 2 && s.outlineColor !== 'rgba(0, 0, 0, 0)' && s.outlineColor !== 'transparent';
  return { tag: `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''} ${(el.textContent ?? '').trim().slice(0, 30)}`, shown: outline || s.boxShadow !== 'none' };
});

/** Presses Tab until `want` is focused, checking every stop on the way shows its focus. */
async function tabTo(page: Page, want: (el: { tag: string; text: string; value: string }) => boolean, seen: string[]): Promise<void> {
  for (let i = 0; i < 80; i += 1) {
    await page.keyboard.press('Tab');
    const focus = await focusShown(page);
    if (!focus.shown) throw new Error(`no visible focus on ${focus.tag}`);
    seen.push(focus.tag);
    const el = await page.evaluate(() => {
      const a = document.activeElement as HTMLInputElement | null;
      return { tag: a?.tagName.toLowerCase() ?? '', text: (a?.textContent ?? '').trim(), value: a?.value ?? '' };
    });
    if (want(el)) return;
  }
  throw new Error('Tab never reached the element');
}

const noSidewaysScroll = (page: Page) => page.evaluate(() => ({ scroll: document.documentElement.scrollWidth, client: document.documentElement.clientWidth }));

for (const kind of testDatabaseKinds) {
  describe(`ratings, follow-ups and dashboards in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;
    let approved = '';
    let refused = '';
    let counterReference = '';
    const url = (path: string) => `${server.url}${path}`;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
      await playHistory(await historyDeps(server.built), HISTORY, new Date());
      const mine = await server.built.services.applications.listForPerson(citizen);
      approved = mine.find((a) => a.application.agencyCode === '110000-AMR')!.application.id;
      refused = mine.find((a) => a.application.agencyCode === '110000-TRA')!.application.id;
      counterReference = (await server.built.services.applications.listForPerson(historyPerson(605)))[0]!.application.reference!;
    }, 180_000);
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    it('takes a low rating through the follow-up, a counter rating, and the public dashboards', async () => {
      const person = await openPerson(browser, { locale: 'zh-CN' });
      const officer = await openPerson(browser, { locale: 'en' });
      const clerk = await openPerson(browser, { locale: 'zh-CN' });
      const visitor = await openPerson(browser, { locale: 'en' });
      const { page, t } = person;

      await page.goto(url(`/applications/${refused}`));
      await signInAtIdp(person, 'citizen');
      await page.waitForURL(url(`/applications/${refused}`));
      expect(await page.locator('#panel-rating').innerText()).toContain(t('insights.panel.invite'));
      await person.check('status page with the rating panel');
      await page.locator('#panel-rating').getByRole('link', { name: t('insights.panel.rate'), exact: true }).click();
      await page.waitForURL(url(`/applications/${refused}/rating`));
      await person.check('rating page');
      await page.locator('#comment').fill('没有告诉我不予许可的原因。');
      await pressAndWait(page, t('insights.rate.send'));
      await expectErrorSummary(person, { fieldId: 'score', text: t('insights.error.scoreRequired') });
      expect(await page.locator('#comment').inputValue()).toBe('没有告诉我不予许可的原因。');
      await person.check('rating page without a score');
      await choose(page, 'score', '2');
      await pressAndWait(page, t('insights.rate.send'));
      expect(await page.locator('main').innerText()).toContain(t('insights.rate.done.rated'));
      await person.check('rating page after rating');

      const back = officer.page;
      await back.goto(url('/backoffice/follow-ups'));
      await signInAtIdp(officer, 'officer');
      await back.waitForURL(url('/backoffice/follow-ups'));
      await officer.check('follow-up queue');
      await back.getByRole('row').filter({ hasText: '没有告诉我' }).or(back.getByRole('row').filter({ hasText: 'Driving' })).first().getByRole('link').click();
      await back.waitForURL(/\/backoffice\/follow-ups\/[0-9a-f-]{36}$/);
      expect(await back.locator('main').innerText()).toContain('没有告诉我不予许可的原因。');
      await officer.check('follow-up');
      await back.locator('#answer').fill('We are sorry: the reason was missing from the letter.');
      await pressAndWait(back, officer.t('insights.answer.send'));
      await expectErrorSummary(officer, { fieldId: 'changes', text: officer.t('insights.error.changesRequired') });
      expect(await back.locator('#answer').inputValue()).toBe('We are sorry: the reason was missing from the letter.');
      await officer.check('follow-up without the changes');
      await back.locator('#changes').fill('Every refusal letter now states the reason.');
      await pressAndWait(back, officer.t('insights.answer.send'));
      expect(await back.locator('main').innerText()).toContain(officer.t('insights.answer.done'));
      await officer.check('follow-up answered');

      await page.goto(url(`/applications/${refused}`));
      expect(await page.locator('#panel-rating').innerText()).toContain('We are sorry');
      await person.check('status page with the answer');
      await page.locator('#panel-rating').getByRole('link', { name: t('insights.panel.respond'), exact: true }).click();
      await page.waitForURL(url(`/applications/${refused}/rating`));
      expect(await page.locator('main').innerText()).toContain('Every refusal letter now states the reason.');
      await person.check('rating page with the answer');
      await pressAndWait(page, t('insights.followUp.send'));
      await expectErrorSummary(person, { fieldId: 'resolved', text: t('insights.error.responseRequired') });
      await person.check('response without a choice');
      await choose(page, 'resolved', 'yes');
      await pressAndWait(page, t('insights.followUp.send'));
      expect(await page.locator('main').innerText()).toContain(t('insights.followUp.resolvedYes'));
      await person.check('rating page after responding');

      const desk = clerk.page;
      await desk.goto(url('/counter/ratings'));
      await signInAtIdp(clerk, 'clerk');
      await desk.waitForURL(url('/counter/ratings'));
      await clerk.check('counter rating page');
      await desk.locator('#reference').fill('TB-2026-NOSUCH');
      await choose(desk, 'score', '4');
      await pressAndWait(desk, clerk.t('insights.counter.send'));
      await expectErrorSummary(clerk, { fieldId: 'reference', text: clerk.t('insights.error.referenceUnknown') });
      await clerk.check('counter rating with an unknown reference');
      await desk.locator('#reference').fill(counterReference);
      await choose(desk, 'score', '4');
      await pressAndWait(desk, clerk.t('insights.counter.send'));
      expect(await desk.locator('main').innerText()).toContain(clerk.t('insights.counter.done', { reference: counterReference }));
      await clerk.check('counter rating recorded');

      const v = visitor.page;
      await v.goto(url('/performance'));
      await visitor.check('national dashboard');
      expect(await v.locator('svg[role="img"]').count()).toBe(2);
      await v.getByRole('link', { name: 'Register as a sole trader (individual business licence)', exact: true }).click();
      await v.waitForURL(url('/performance/services/sole-trader-business-licence'));
      await visitor.check('service dashboard');
      const received = v.getByRole('row').filter({ hasText: visitor.t('insights.dash.received') }).first();
      expect(await received.innerText()).toMatch(/\b4\b/);
      await v.locator('main').getByRole('link').filter({ hasText: /Market|市场/ }).first().click();
      await v.waitForURL(url('/performance/agencies/110000-AMR'));
      await visitor.check('agency dashboard');
      const csv = await v.request.get(url('/performance/agencies/110000-AMR/data.csv'));
      expect(csv.headers()['content-type']).toBe('text/csv; charset=utf-8');
      await v.goto(url('/performance/services/no-such-service'));
      await visitor.check('dashboard of a service that does not exist');

      for (const p of [person, officer, clerk, visitor]) await expectClean(p);
    }, TIMEOUT);

    it('lets a keyboard user rate a service with the focus visible at every stop', async () => {
      const person = await openPerson(browser, { locale: 'en' });
      const { page, t } = person;
      await page.goto(url('/applications'));
      await signInAtIdp(person, 'citizen');
      await page.waitForURL(url('/applications'));
      const seen: string[] = [];
      const reference = (await server.built.services.applications.listForPerson(citizen)).find((a) => a.application.id === approved)!.application.reference!;
      await tabTo(page, (el) => el.tag === 'a' && el.text === reference, seen);
      await Promise.all([page.waitForURL(url(`/applications/${approved}`)), page.keyboard.press('Enter')]);
      await tabTo(page, (el) => el.tag === 'a' && el.text === t('insights.panel.rate'), seen);
      await Promise.all([page.waitForURL(url(`/applications/${approved}/rating`)), page.keyboard.press('Enter')]);
      await tabTo(page, (el) => el.tag === 'input' && el.value === '5', seen);
      await page.keyboard.press('Space');
      await tabTo(page, (el) => el.tag === 'textarea', seen);
      await page.keyboard.type('Easy to do with the keyboard.');
      await tabTo(page, (el) => el.tag === 'button' && el.text === t('insights.rate.send'), seen);
      await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
      expect(await page.locator('main').innerText()).toContain(t('insights.rate.done.rated'));
      expect(await page.locator('main').innerText()).toContain('Easy to do with the keyboard.');
      await person.check('rating page after a keyboard rating');
      expect(seen.length).toBeGreaterThan(5);

      // The dashboard's scrolling table boxes take focus and show it too.
      await page.goto(url('/performance'));
      await tabTo(page, (el) => el.tag === 'div', seen);
      await expectClean(person);
    }, TIMEOUT);

    it('reflows the main pages at 320 CSS px (400 % zoom) without sideways scrolling', async () => {
      const context = await browser.newContext({ viewport: { width: 320, height: 720 }, locale: 'zh-CN' });
      const page = await context.newPage();
      const wide: string[] = [];
      const visit = async (path: string) => {
        await page.goto(url(path));
        const { scroll, client } = await noSidewaysScroll(page);
        if (scroll > client) wide.push(`${path}: ${scroll} > ${client}`);
      };
      for (const path of ['/performance', '/performance/agencies/110000-AMR', '/performance/services/driving-licence-renewal', '/help', '/contact', '/']) await visit(path);
      await page.goto(url(`/applications/${approved}`));
      await page.waitForURL(/\/idp\/interaction\//);
      await page.getByRole('radio', { name: demoPersona('citizen').name, exact: true }).check();
      await page.locator('input[type="password"]').fill('demo');
      await Promise.all([page.waitForURL(url(`/applications/${approved}`)), page.locator('form button[type="submit"]').last().click()]);
      for (const path of [`/applications/${approved}`, `/applications/${approved}/rating`, `/applications/${refused}/rating`, '/applications']) await visit(path);
      expect(wide).toEqual([]);
      await context.close();
    }, TIMEOUT);
  });
}
