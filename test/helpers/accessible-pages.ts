import { expectAccessible, launchBrowser, newPage } from './browser.js';

/** What answers the page's own requests (CSS, icons): an app's `inject`. */
interface AssetSource {
  inject(options: { method: 'GET'; url: string }): Promise<{ statusCode: number; headers: Record<string, unknown>; rawPayload: Buffer }>;
}

/**
 * Opens each rendered page in Chromium, at the platform's address so its CSS and icons load from
 * the app, and checks it with axe (WCAG 2.2 AA). For pages a test already fetched with `inject`,
 * error states included, without a listening server.
 */
export async function expectPagesAccessible(app: AssetSource, publicUrl: string, pages: readonly (readonly [label: string, html: string])[]): Promise<void> {
  const chromium = await launchBrowser();
  try {
    const page = await newPage(chromium);
    let html = '';
    await page.route(`${publicUrl}/**`, async (route) => {
      const url = new URL(route.request().url());
      if (url.pathname === '/under-test') return route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html });
      const asset = await app.inject({ method: 'GET', url: `${url.pathname}${url.search}` });
      return route.fulfill({ status: asset.statusCode, headers: asset.headers as Record<string, string>, body: asset.rawPayload });
    });
    for (const [label, body] of pages) {
      html = body;
      await page.goto(`${publicUrl}/under-test`);
      await expectAccessible(page, label);
    }
  } finally {
    await chromium.close();
  }
}
