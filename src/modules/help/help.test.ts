import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { createTestBrowser, csrfToken, signIn } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import { uiTextFor } from '../../ui/index.js';
import { identityModule } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { CONTACTS } from './contacts.js';
import { INFO_PAGES } from './content.js';
import { renderInfoPage } from './pages.js';

const PUBLIC_URL = 'http://tongban.test';

/** A message key left in the output means a text was never translated. */
const LEAKED_KEY = /\bhelp\.[a-zA-Z]+\.[a-zA-Z.]+/;

const h1 = (html: string) => /<h1[^>]*>([^<]*)<\/h1>/.exec(html)?.[1];
const hrefs = (html: string) => [...html.matchAll(/href="([^"]+)"/g)].map((m) => (m[1] ?? '').replaceAll('&amp;', '&'));
const footer = (html: string) => /<footer[\s\S]*<\/footer>/.exec(html)?.[0] ?? '';

describeEachDatabase('the information pages', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => {
    const config = { ...loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' }), database: use().config.database };
    built = await buildApp({ config, database: use().database });
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    await built.app.ready();
  });
  afterAll(async () => { await built.app.close(); });
  const browser = () => createTestBrowser(built.app, PUBLIC_URL);

  it.each(INFO_PAGES.map((p) => [p.path, p] as const))('%s answers in Chinese by default and in English when chosen', async (path, page) => {
    for (const locale of ['zh-CN', 'en'] as const satisfies readonly Locale[]) {
      const b = browser();
      if (locale === 'en') b.setCookie('tongban_lang', 'en');
      const response = await b.get(path);
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(response.body).toContain(`<html lang="${locale}"`);
      const title = translate(locale, page.title);
      expect(h1(response.body)).toBe(title);
      expect(response.body).toContain(`<title>${title} - `);
      expect(response.body).not.toMatch(LEAKED_KEY);
      // Anonymous: the header offers sign-in, and nothing but that header could hold a form.
      expect(response.body).toContain('href="/auth/signin"');
      expect(response.body).not.toContain('<form');
    }
  });

  it('answers every link of the footer, so the footer and these pages cannot drift apart', async () => {
    const page = await browser().get('/help');
    const links = hrefs(footer(page.body));
    expect(links).toEqual(['/help', '/accessibility', '/privacy', '/contact']);
    for (const link of links) expect((await browser().get(link)).statusCode).toBe(200);
  });

  it('answers every related link and every local link in the pages', async () => {
    const checked = new Set<string>();
    for (const page of INFO_PAGES) {
      const body = (await browser().get(page.path)).body;
      expect(page.related.length).toBeGreaterThan(0);
      for (const link of page.related) expect(hrefs(body)).toContain(link.href);
      for (const href of hrefs(body)) {
        // The home page belongs to another module (the journeys check it); sign-in and language
        // switches redirect by design.
        if (href === '/' || !href.startsWith('/') || href.startsWith('/assets/') || href.startsWith('/lang/') || href.startsWith('/auth/') || checked.has(href)) continue;
        checked.add(href);
        expect({ href, status: (await browser().get(href)).statusCode }).toEqual({ href, status: 200 });
      }
    }
    expect([...checked]).toEqual(expect.arrayContaining(['/services', '/feedback', '/contact', '/help']));
  });

  it('gives the 12345 hotline, service hall hours and what to bring on the get-help page', async () => {
    const zh = (await browser().get('/help')).body;
    expect(zh).toContain(`href="tel:${CONTACTS.hotline}"`);
    expect(zh).toContain('拨打12345热线');
    expect(zh).toContain('周一至周五 9:00—17:00');
    expect(zh).toContain('居民身份证');
    const b = browser();
    b.setCookie('tongban_lang', 'en');
    const en = (await b.get('/help')).body;
    expect(en).toContain('Call the 12345 hotline');
    expect(en).toContain('Monday to Friday, 9am to 5pm');
    expect(en).toContain('What to bring');
  });

  it('states the accessibility target, the privacy contact and how to rate a service', async () => {
    const b = browser();
    b.setCookie('tongban_lang', 'en');
    expect((await b.get('/accessibility')).body).toContain('WCAG) version 2.2 at level AA');
    const privacy = (await b.get('/privacy')).body;
    expect(privacy).toContain(`href="mailto:${CONTACTS.privacyEmail}"`);
    expect(privacy).toContain('Who used my data');
    expect(privacy).toContain('Article 13');
    expect(privacy).toContain('30 days after you last save it'); // drafts' retention, docs/adr/0065
    expect(privacy).toContain('gives you a copy of your data in one file'); // docs/adr/0067, 0068
    const feedback = (await b.get('/feedback')).body;
    expect(feedback).toContain(`href="mailto:${CONTACTS.feedbackEmail}"`);
    expect(feedback).toContain('rate the service from 1 to 5');
    expect(feedback).not.toContain('not available yet');
    expect((await b.get('/help')).body).toContain('hard to see, hear, read or use a computer');
  });

  it('shows a signed-in person their name and the sign-out form, and keeps the page out of shared caches', async () => {
    const b = browser();
    await signIn(b, 'citizen');
    const page = await b.get('/privacy');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('已登录：张伟');
    expect(page.body).toContain('action="/auth/signout"');
    expect(csrfToken(page.body).length).toBeGreaterThan(10);
    expect(page.headers['cache-control']).toBe('no-store');
  });
});

it('escapes every text: a translation holding markup shows as text', () => {
  const hostile = { ...uiTextFor('en'), t: (key: string) => (key.startsWith('help.') ? '<script>alert(1)</script>' : uiTextFor('en').t(key)) };
  for (const page of INFO_PAGES) {
    const html = renderInfoPage({ ...hostile, currentPath: page.path }, page);
    expect(html).not.toContain('<script>alert(1)</script>');
    expect(html).toContain('&lt;script>alert(1)&lt;/script>');
  }
});
