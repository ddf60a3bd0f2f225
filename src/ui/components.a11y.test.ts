import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { axeViolations, expectAccessible, launchBrowser, newPage } from '../../test/helpers/browser.js';
import { errorHandlerPlugin } from '../kernel/http/index.js';
import { LOCALES, isLocale } from '../kernel/i18n/index.js';
import { i18nPlugin } from '../kernel/i18n/plugin.js';
import { uiAssetsPlugin } from './assets-plugin.js';
import { renderErrorPage } from './error-page.js';
import { componentExamples, renderExamplePage } from './examples.js';

/*
 * Every component example, inside the real Layout, in both languages, in real Chromium with the
 * real stylesheet (so colour contrast is measured), under the same strict CSP production uses:
 * an inline style or script would show up as a console error.
 */
const CSP = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

/** Deliberately broken pages: each must make its guard fail (STYLE 19). Never shipped. */
const BAD_PAGES: Record<string, string> = {
  axe: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head><body><main>
    <img src="/nothing.png"><input type="text" name="unlabelled"><p><a href="/x"></a></p></main></body></html>`,
  csp: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Bad</title></head><body><main>
    <p style="color: red">Inline style</p></main></body></html>`,
};

let server: FastifyInstance;
let base: string;
let browser: Browser;
let page: Page;
let consoleErrors: string[] = [];

beforeAll(async () => {
  server = Fastify();
  await server.register(errorHandlerPlugin, { renderErrorPage });
  await server.register(cookie);
  await server.register(i18nPlugin);
  server.addHook('onSend', (_request, reply, _payload, done) => { reply.header('content-security-policy', CSP); done(); });
  await server.register(uiAssetsPlugin);
  server.get<{ Params: { locale: string; component: string; index: string } }>('/examples/:locale/:component/:index', (request, reply) => {
    const { locale, component, index } = request.params;
    const example = componentExamples[component]?.[Number(index)];
    if (!example || !isLocale(locale)) return reply.status(404).send();
    return reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(renderExamplePage(component, example, locale));
  });
  server.get<{ Params: { name: string } }>('/bad/:name', (request, reply) =>
    reply.type('text/html; charset=utf-8').header('content-security-policy', CSP).send(BAD_PAGES[request.params.name]));
  base = await server.listen({ host: '127.0.0.1', port: 0 });
  browser = await launchBrowser();
  page = await newPage(browser);
  page.on('console', (message) => { if (message.type() === 'error') consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(path: string, status = 200): Promise<void> {
  consoleErrors = [];
  const response = await page.goto(`${base}${path}`);
  expect(response?.status()).toBe(status);
}

const cases = Object.entries(componentExamples).flatMap(([component, examples]) =>
  examples.flatMap((example, index) => LOCALES.map((locale) => ({ component, name: example.name, index, locale }))));

describe('component examples in Chromium', () => {
  it('covers every component with at least one example', () => {
    expect(Object.keys(componentExamples).length).toBeGreaterThanOrEqual(26);
    for (const [component, examples] of Object.entries(componentExamples)) expect(examples.length, component).toBeGreaterThan(0);
  });

  for (const { component, name, index, locale } of cases) {
    it(`${component}: ${name} (${locale}) has no WCAG 2.2 AA violations and no CSP errors`, async () => {
      await open(`/examples/${locale}/${component}/${index}`);
      await expectAccessible(page, `${component}: ${name} (${locale})`);
      expect(consoleErrors).toEqual([]);
      expect(await page.getAttribute('html', 'lang')).toBe(locale);
    });
  }

  for (const locale of LOCALES) {
    it(`the error page (${locale}) has no WCAG 2.2 AA violations`, async () => {
      await open(`/no-such-page?lang=${locale}`, 404);
      await expectAccessible(page, `error page (${locale})`);
      expect(await page.textContent('h1')).toBe(locale === 'en' ? 'Page not found' : '页面不存在');
      // Chromium logs the page's own 404 status as a console error; nothing else may appear.
      expect(consoleErrors.filter((e) => !e.includes('404'))).toEqual([]);
    });
  }

  it('loads the stylesheet with the CJK font stack and long cache headers', async () => {
    await open('/examples/zh-CN/button/0');
    const font = await page.evaluate(() => getComputedStyle(document.body).fontFamily);
    expect(font).toContain('Noto Sans CJK SC');
    const href = await page.getAttribute('link[rel="stylesheet"]', 'href');
    expect(href).toMatch(/^\/assets\/tongban\.css\?v=[0-9a-f]{12}$/);
    const css = await page.request.get(`${base}${href}`);
    expect(css.headers()['cache-control']).toBe('public, max-age=31536000, immutable');
    expect((await css.body()).length).toBeLessThan(30 * 1024);
  });

  it('focuses the error summary on load, and its links move focus to the field', async () => {
    await open('/examples/en/error-summary/0');
    expect(await page.evaluate(() => document.activeElement?.className)).toBe('tb-error-summary');
    await page.getByRole('link', { name: 'Date of birth must include a year' }).click();
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('birthDate-year');
  });

  it('the skip link is the first thing keyboard users reach, and it leads to main', async () => {
    await open('/examples/zh-CN/tag/0');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe('跳到主要内容');
    expect(await page.evaluate(() => document.activeElement?.getAttribute('href'))).toBe('#main-content');
  });
});

describe('the guards can fail (STYLE 19)', () => {
  it('axe reports a page with an unlabelled input, an image without alt and an empty link', async () => {
    await open('/bad/axe');
    const ids = (await axeViolations(page)).map((v) => v.id);
    expect(ids).toEqual(expect.arrayContaining(['image-alt', 'label', 'link-name']));
    await expect(expectAccessible(page, 'bad page')).rejects.toThrow(/violation\(s\) on bad page:[\s\S]*image-alt[\s\S]*<img src="\/nothing.png">/);
  });

  it('the CSP console check sees an inline style', async () => {
    await open('/bad/csp');
    expect(consoleErrors.join('\n')).toMatch(/inline style violates the following Content Security Policy/);
  });
});
