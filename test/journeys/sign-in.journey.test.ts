import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, SESSION_COOKIE } from '../../src/kernel/auth/index.js';
import { translate } from '../../src/kernel/i18n/index.js';
import { INFO_PAGES } from '../../src/modules/help/index.js';
import { DEMO_PERSONAS, type DemoPersona } from '../../src/modules/identity/index.js';
import { launchBrowser } from '../helpers/browser.js';
import { testDatabaseKinds } from '../helpers/databases.js';
import { JOURNEY_TIMEOUT, openPerson, type Person } from './harness.js';
import { startJourneyServer, type JourneyServer } from './server.js';

/*
 * The foundation's journey, in Debian Chromium against the real server on every configured
 * database: home page, sign-in through the built-in IdP (wrong password first), each demo persona
 * in turn, sign-out, the language switch and the information pages. Axe runs on every page, error
 * states included; every HTML answer has its CSP and security headers checked (harness.ts).
 */


for (const kind of testDatabaseKinds) {
  describe(`signing in and out in Chromium [${kind}]`, () => {
    let server: JourneyServer;
    let browser: Browser;

    beforeAll(async () => {
      [server, browser] = await Promise.all([startJourneyServer(kind), launchBrowser()]);
    });
    afterAll(async () => {
      await browser?.close();
      await server?.close();
    });

    const open = (options: Parameters<typeof openPerson>[1]) => openPerson(browser, options);
    /** Fails with everything the watcher saw on the way: header problems, console errors, failed loads. */
    const expectClean = async (person: Person) => {
      expect(person.htmlDocuments()).toBeGreaterThan(0);
      expect(await person.problems()).toEqual([]);
      await person.close();
    };
    const heading = (person: Person) => person.page.locator('h1').innerText();
    const header = (person: Person) => person.page.locator('header');

    /** The session cookie as a bare request would send it, outside the browser. */
    const accountWith = (session: string) =>
      fetch(`${server.url}/account`, { headers: { cookie: `${SESSION_COOKIE}=${session}`, accept: 'text/html' }, redirect: 'manual' });

    async function openHome(person: Person): Promise<void> {
      const response = await person.page.goto(`${server.url}/`);
      expect(response?.status()).toBe(200);
    }

    async function followSignIn(person: Person): Promise<void> {
      await header(person).getByRole('link', { name: person.t('ui.header.signIn'), exact: true }).click();
      await person.page.waitForURL(/\/idp\/interaction\//);
      expect(await heading(person)).toBe(person.t('auth.idp.title'));
    }

    async function submitLogin(person: Person, persona: DemoPersona, password: string): Promise<void> {
      const { page, t } = person;
      await page.getByRole('radio', { name: persona.name, exact: true }).check();
      await page.getByLabel(t('auth.idp.password.label'), { exact: true }).fill(password);
      await page.getByRole('button', { name: t('auth.idp.submit'), exact: true }).click();
    }

    async function signOut(person: Person): Promise<void> {
      await header(person).getByRole('button', { name: person.t('ui.header.signOut'), exact: true }).click();
    }

    it('refuses a wrong password with an error summary, then signs in with the right one', async () => {
      const person = await open({ locale: 'zh-CN' });
      const { page, t } = person;
      const citizen = DEMO_PERSONAS[0];
      if (!citizen) throw new Error('no demo personas');
      await openHome(person);
      await person.check('home page');
      await followSignIn(person);
      await person.check('IdP login page');

      await submitLogin(person, citizen, 'not-the-password');
      const summary = page.locator('.tb-error-summary');
      await summary.waitFor();
      expect(await summary.innerText()).toContain(t('auth.idp.error.passwordWrong'));
      expect(await page.title()).toMatch(new RegExp(`^${t('ui.errorMessage.prefix')}`));
      // The summary takes focus on load, so a screen reader announces it first.
      expect(await page.evaluate(() => document.activeElement?.classList.contains('tb-error-summary'))).toBe(true);
      expect(await page.getByRole('radio', { name: citizen.name, exact: true }).isChecked()).toBe(true);
      await person.check('IdP login page with a wrong password');
      expect((await person.context.cookies()).some((c) => c.name === SESSION_COOKIE)).toBe(false);

      await submitLogin(person, citizen, DEMO_PASSWORD);
      await page.waitForURL(`${server.url}/`);
      expect(await header(person).innerText()).toContain(t('ui.header.signedInAs', { name: citizen.name }));
      await expectClean(person);
    }, JOURNEY_TIMEOUT);

    it('signs in as each demo persona in turn, shows their account, and signs out from the header', async () => {
      const person = await open({ locale: 'zh-CN' });
      const { page, t } = person;
      await openHome(person);
      for (const persona of DEMO_PERSONAS) {
        // After a real sign-out the IdP forgot the last person: it must ask again.
        await followSignIn(person);
        await submitLogin(person, persona, DEMO_PASSWORD);
        await page.waitForURL(`${server.url}/`);
        expect(await header(person).innerText()).toContain(t('ui.header.signedInAs', { name: persona.name }));
        await person.check(`home page signed in as ${persona.subject}`);

        const account = await page.goto(`${server.url}/account`);
        expect(account?.status()).toBe(200);
        expect(await heading(person)).toBe(t('identity.account.title'));
        expect(await page.locator('main').innerText()).toContain(persona.name);
        await person.check(`account page of ${persona.subject}`);

        const session = (await person.context.cookies()).find((c) => c.name === SESSION_COOKIE)?.value;
        expect(session).toBeDefined();
        expect((await accountWith(session ?? '')).status).toBe(200);

        if (persona === DEMO_PERSONAS[0]) {
          // Hold the IdP's logout page once (its script blocked) to check it, then continue by hand.
          await page.route('**/auth/autosubmit.js', (route) => route.abort());
          await signOut(person);
          await page.waitForURL(/\/idp\/session\/end/);
          expect(await heading(person)).toBe(t('auth.idp.logout.title'));
          await person.check('IdP logout page');
          await page.unroute('**/auth/autosubmit.js');
          await page.getByRole('button', { name: t('auth.idp.logout.continue'), exact: true }).click();
        } else {
          // The IdP's logout page continues on its own (a same-origin script).
          await signOut(person);
        }
        await page.waitForURL(`${server.url}/`);
        await header(person).getByRole('link', { name: t('ui.header.signIn'), exact: true }).waitFor();
        expect(await header(person).innerText()).not.toContain(persona.name);
        expect((await person.context.cookies()).some((c) => c.name === SESSION_COOKIE)).toBe(false);
        const stale = await accountWith(session ?? '');
        expect(stale.status).toBe(303);
        expect(stale.headers.get('location')).toBe('/auth/signin?returnTo=%2Faccount');
      }
      await person.check('home page after the last sign-out');
      await expectClean(person);
    }, JOURNEY_TIMEOUT);

    it('signs in and out with JavaScript turned off', async () => {
      const person = await open({ locale: 'en', javaScriptEnabled: false });
      const { page, t } = person;
      const officer = DEMO_PERSONAS.find((p) => p.subject === 'officer');
      if (!officer) throw new Error('no officer persona');
      await openHome(person);
      await followSignIn(person);
      await submitLogin(person, officer, DEMO_PASSWORD);
      await page.waitForURL(`${server.url}/`);
      expect(await header(person).innerText()).toContain(t('ui.header.signedInAs', { name: officer.name }));
      await signOut(person);
      // Without the script, the IdP's logout page waits for one button.
      await page.waitForURL(/\/idp\/session\/end/);
      expect(await heading(person)).toBe(t('auth.idp.logout.title'));
      await page.getByRole('button', { name: t('auth.idp.logout.continue'), exact: true }).click();
      await page.waitForURL(`${server.url}/`);
      await header(person).getByRole('link', { name: t('ui.header.signIn'), exact: true }).waitFor();
      await expectClean(person);
    }, JOURNEY_TIMEOUT);

    it('switches the language with the header link and stays on the same page', async () => {
      const person = await open({ locale: 'zh-CN' });
      const { page } = person;
      await page.goto(`${server.url}/help`);
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      await header(person).getByRole('link', { name: translate('zh-CN', 'ui.language.en'), exact: true }).click();
      await page.waitForURL(`${server.url}/help`);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      expect(await heading(person)).toBe(translate('en', 'help.get.title'));
      expect(await header(person).getByRole('link', { name: translate('en', 'ui.header.signIn'), exact: true }).count()).toBe(1);
      await person.check('help page after switching to English');
      // The choice is remembered on the next page too.
      await page.goto(`${server.url}/`);
      expect(await page.locator('html').getAttribute('lang')).toBe('en');
      await header(person).getByRole('link', { name: translate('en', 'ui.language.zh-CN'), exact: true }).click();
      await page.waitForURL(`${server.url}/`);
      expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
      await expectClean(person);
    }, JOURNEY_TIMEOUT);

    it('shows every information page accessibly, in both languages, signed out and signed in', async () => {
      for (const locale of ['zh-CN', 'en'] as const) {
        const person = await open({ locale });
        for (const info of INFO_PAGES) {
          const response = await person.page.goto(`${server.url}${info.path}`);
          expect(response?.status()).toBe(200);
          expect(await person.page.locator('html').getAttribute('lang')).toBe(locale);
          expect(await heading(person)).toBe(person.t(info.title));
          await person.check(`information page ${info.path}`);
        }
        await expectClean(person);
      }
      // Signed in, the header carries the name and the sign-out form: check that variant too.
      const person = await open({ locale: 'zh-CN' });
      const citizen = DEMO_PERSONAS[0];
      if (!citizen) throw new Error('no demo personas');
      await openHome(person);
      await followSignIn(person);
      await submitLogin(person, citizen, DEMO_PASSWORD);
      await person.page.waitForURL(`${server.url}/`);
      for (const info of INFO_PAGES) {
        await person.page.goto(`${server.url}${info.path}`);
        expect(await header(person).innerText()).toContain(person.t('ui.header.signedInAs', { name: citizen.name }));
        await person.check(`information page ${info.path}, signed in`);
      }
      await expectClean(person);
    }, JOURNEY_TIMEOUT);
  });
}
