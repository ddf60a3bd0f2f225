import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { migrationSources } from '../index.js';
import { listeningDemoApp } from './test-kit.js';

describeEachDatabase('payments: what staff type is checked as given (days that exist)', migrationSources, (use) => {
  let built: Built;
  let url = '';

  const as = async (persona: string, lang = 'en'): Promise<TestBrowser> => {
    const browser = createTestBrowser(built.app, url);
    browser.setCookie(LANG_COOKIE, lang);
    await signIn(browser, persona);
    return browser;
  };

  beforeAll(async () => { ({ built, url } = await listeningDemoApp(use())); }, 60_000);
  afterAll(async () => { await built.app.close(); });

  it('refuses a reconciliation day that does not exist (30 February), on the page and as CSV, as it refuses day 32', async () => {
    const officer = await as('officer');
    for (const day of ['2026-02-30', '2026-02-29', '2026-04-31', '2026-02-32', '2026-13-01']) {
      const page = await officer.get(`/payments/reconciliation?day=${day}`);
      expect(page.statusCode, day).toBe(400);
      expect(page.body).toContain('Enter a day as year-month-day, for example 2026-12-03');
      expect(page.body).toContain(`value="${day}"`);
      expect(page.body).not.toContain(`Payments settled on ${day}`);
      expect((await officer.get(`/payments/reconciliation.csv?day=${day}`)).statusCode, day).toBe(400);
    }
    // A leap day that exists is a day like any other.
    expect((await officer.get('/payments/reconciliation?day=2028-02-29')).statusCode).toBe(200);
    expect((await officer.get('/payments/reconciliation.csv?day=2028-02-29')).statusCode).toBe(200);
  });
});
