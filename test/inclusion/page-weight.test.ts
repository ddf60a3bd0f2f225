import { afterAll, beforeAll, expect, it } from 'vitest';
import type { Built } from '../../src/app.js';
import { createTestBrowser, type TestBrowser } from '../../src/kernel/auth/test-kit.js';
import { demoApp, personaBrowser, PUBLIC_URL } from '../../src/modules/applications/test-kit.js';
import { demoPersona } from '../../src/modules/identity/index.js';
import { migrationSources } from '../../src/modules/index.js';
import { playHistory, type HistoryItem } from '../../src/modules/insights/history.js';
import { historyDeps, personaPrincipal } from '../../src/modules/insights/test-kit.js';
import { describeEachDatabase } from '../helpers/databases.js';

/*
 * Light pages for slow networks (issue 7): every HTML page the app serves, found from its route
 * table and fetched as whoever may see it (anonymous, then each demo persona), weighs less than
 * the budget in HTML + CSS + JS bytes, uncompressed (fonts: none, the system stack is used).
 * docs/accessibility.md records the budget.
 */
export const PAGE_BUDGET_BYTES = 60 * 1024;

const citizen = { ...personaPrincipal(demoPersona('citizen')), idNumber: demoPersona('citizen').idNumber! };
const HISTORY: HistoryItem[] = [
  { n: 501, person: citizen, service: 'sole-trader-business-licence', channel: 'online', day: '2026-10-05', hour: 10, outcome: 'approved', hoursToEnd: 30, rating: { score: 1, comment: 'Slow', afterHours: 1 } },
];

/**
 * GET paths from `printRoutes({ commonPrefix: false })`, a tree in which each line adds its segment
 * to its parent's path (`│   ├── /agencies/:code (GET, HEAD)`, four characters of indent a level).
 */
export function getPaths(table: string): string[] {
  const paths = new Set<string>();
  const stack: string[] = [];
  for (const line of table.split('\n')) {
    const match = /^(.*?)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (!match) continue;
    const depth = [...match[1]!].length / 4;
    stack.length = depth;
    stack.push(match[2]!);
    if ((match[3] ?? '').split(',').map((m) => m.trim()).includes('GET')) paths.add(stack.join(''));
  }
  return [...paths].sort();
}

/** The pages over the budget: what the test fails with. */
export const overBudget = (weights: readonly { path: string; bytes: number }[], budget: number) => weights.filter((w) => w.bytes > budget);

// Not pages for people: files, APIs, sign-in redirects, and /docs (the OpenAPI reference for developers, 2 MB of Swagger UI).
const SKIP = /^\/(docs|assets|api|r1|govstack|oauth|idp|auth|\.well-known|metrics|healthz|readyz|openapi|lang\/)|\.(json|csv|pdf|svg)$|\*/;

describeEachDatabase('page weight budget', migrationSources, (use) => {
  let built: Built;
  let browsers: [string, TestBrowser][];
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    built = await demoApp(use());
    await playHistory(await historyDeps(built), HISTORY, built.kernel.now());
    const mine = await built.services.applications.listForPerson(citizen);
    ids.application = mine[0]!.application.id;
    const followUps = await built.services.insights.followUps(personaPrincipal(demoPersona('officer')), 'open');
    ids.followUp = followUps[0]!.id;
    const anonymous = createTestBrowser(built.app, PUBLIC_URL);
    anonymous.setCookie('tongban_lang', 'zh-CN');
    browsers = [['anonymous', anonymous]];
    for (const persona of ['citizen', 'officer', 'clerk', 'agency-admin', 'platform-admin']) browsers.push([persona, await personaBrowser(built, persona)]);
  }, 180_000);
  afterAll(async () => { await built.app.close(); });

  const fill = (path: string): string | undefined => {
    const filled = path
      .replace(/^\/backoffice\/follow-ups\/:id/, `/backoffice/follow-ups/${ids.followUp}`)
      .replace(/:id\b/g, ids.application!)
      .replace(/:slug\b/g, 'sole-trader-business-licence')
      .replace(/:code\b/g, '110000-AMR');
    return filled.includes(':') ? undefined : filled;
  };

  it(`keeps every page it can reach under ${PAGE_BUDGET_BYTES / 1024} kB of HTML, CSS and JS`, async () => {
    const assets = new Map<string, number>();
    const assetBytes = async (url: string) => {
      if (!assets.has(url)) assets.set(url, (await built.app.inject({ method: 'GET', url })).rawPayload.length);
      return assets.get(url)!;
    };
    const weights: { path: string; as: string; bytes: number }[] = [];
    for (const route of getPaths(built.app.printRoutes({ commonPrefix: false }))) {
      const path = SKIP.test(route) ? undefined : fill(route);
      if (!path) continue;
      for (const [as, browser] of browsers) {
        const res = await browser.get(path);
        if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/html')) continue;
        const linked = [...res.body.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)"/g)].map((m) => m[1] ?? m[2]!);
        let bytes = res.rawPayload.length;
        for (const url of linked) bytes += await assetBytes(url);
        weights.push({ path, as, bytes });
        break;
      }
    }
    const paths = weights.map((w) => w.path);
    // The guard needs pages to weigh: public, a citizen's, and staff pages.
    for (const must of ['/', '/performance', '/performance/agencies/110000-AMR', '/help', `/applications/${ids.application}/rating`, '/backoffice/follow-ups', `/backoffice/follow-ups/${ids.followUp}`, '/counter/ratings']) {
      expect(paths, must).toContain(must);
    }
    expect(weights.length).toBeGreaterThan(20);
    expect(overBudget(weights, PAGE_BUDGET_BYTES)).toEqual([]);
  });

  it('reads the route tree and names a page over the budget (the guard can fail)', () => {
    const tree = '├── /performance (GET, HEAD)\n│   ├── /agencies/:code (GET, HEAD)\n│   └── /data.csv (GET, HEAD)\n└── /x (POST)\n';
    expect(getPaths(tree)).toEqual(['/performance', '/performance/agencies/:code', '/performance/data.csv']);
    expect(overBudget([{ path: '/a', bytes: PAGE_BUDGET_BYTES }, { path: '/b', bytes: PAGE_BUDGET_BYTES + 1 }], PAGE_BUDGET_BYTES)).toEqual([{ path: '/b', bytes: PAGE_BUDGET_BYTES + 1 }]);
  });
});
