import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { DEMO_PERSONAS } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { STAFF_LINKS } from './staff-links.js';
import { demoApp, personaBrowser, PUBLIC_URL } from './test-kit.js';

/** The hrefs of the home page's "Your work" list, in order. */
function workLinks(html: string): string[] {
  const nav = /<nav aria-labelledby="home-work">([\s\S]*?)<\/nav>/.exec(html)?.[1];
  return nav === undefined ? [] : [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]!);
}

/** Staff find their back-office pages from the home page: exactly those their roles open. */
describeEachDatabase('applications: the home page\'s links to staff pages', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => { await built.app.close(); });

  it('shows each demo persona the staff pages its roles open, each of which opens for it; every other one is refused to it', async () => {
    for (const persona of DEMO_PERSONAS) {
      const browser = await personaBrowser(built, persona.subject);
      const roles = new Set(persona.roles.map((r) => r.role));
      const expected = STAFF_LINKS.filter((link) => link.roles.some((role) => roles.has(role))).map((link) => link.href);
      const home = await browser.get('/');
      expect(workLinks(home.body), persona.subject).toEqual(expected);
      if (expected.length === 0) expect(home.body, persona.subject).not.toContain('Your work');
      for (const link of STAFF_LINKS) {
        const page = await browser.get(link.href);
        expect(page.statusCode, `${persona.subject} ${link.href}`).toBe(expected.includes(link.href) ? 200 : 403);
      }
    }
  });

  it('gives every role at least one page, and the platform administrator the platform\'s own', () => {
    for (const role of ['clerk', 'officer', 'agency_admin', 'platform_admin'] as const) {
      expect(STAFF_LINKS.some((link) => link.roles.includes(role)), role).toBe(true);
    }
    expect(STAFF_LINKS.filter((link) => link.roles.includes('platform_admin')).map((link) => link.href)).toEqual(expect.arrayContaining(['/admin/api-clients', '/admin/outbox']));
  });

  it('passes axe (WCAG 2.2 AA) in Chromium: a clerk\'s and a platform administrator\'s home page, in both languages', async () => {
    const pages: [string, string][] = [];
    for (const subject of ['clerk', 'platform-admin']) {
      const browser = await personaBrowser(built, subject);
      for (const lang of ['zh-CN', 'en']) {
        const home = await browser.get(`/?lang=${lang}`);
        expect(workLinks(home.body).length, `${subject} ${lang}`).toBeGreaterThan(0);
        pages.push([`${subject} home ${lang}`, home.body]);
      }
    }
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  });
});
