import type { Browser, BrowserContext, Page, Response } from 'playwright-core';
import { translate, type Locale, type Params } from '../../src/kernel/i18n/index.js';
import { expectAccessible } from '../helpers/browser.js';
import { securityHeaderProblems } from './security-headers.js';

/**
 * Time one journey may take. It guards against a hung browser or server, never against slowness:
 * a journey runs beside the rest of the suite on two shared cores, where its 20-odd axe runs and
 * page loads took over two minutes under CI load (the apply journey, on PostgreSQL). Speed is
 * measured in benchmarks.
 */
export const JOURNEY_TIMEOUT = 300_000;

/**
 * One person's browser in a journey: a fresh context (its own cookies) in a chosen language,
 * watched the whole time. Every HTML document it receives has its security headers checked, every
 * console error (a CSP violation is one) and every failed sub-resource is kept, and `problems()`
 * returns them all so a journey fails with the complete list.
 */
export interface Person {
  readonly context: BrowserContext;
  readonly page: Page;
  readonly locale: Locale;
  /** Text of a message key in this person's language, so journeys follow wording changes. */
  readonly t: (key: string, params?: Params) => string;
  /** Axe (WCAG 2.2 AA) on the current page, labelled for the failure message. Needs JavaScript. */
  check(label: string): Promise<void>;
  /** How many HTML documents were checked so far (a watcher that saw nothing proves nothing). */
  htmlDocuments(): number;
  problems(): Promise<string[]>;
  close(): Promise<void>;
}

export async function openPerson(browser: Browser, options: { locale: Locale; javaScriptEnabled?: boolean }): Promise<Person> {
  const javaScriptEnabled = options.javaScriptEnabled ?? true;
  // Chromium's Accept-Language follows the context locale; Tongban negotiates from it.
  const context = await browser.newContext({ locale: options.locale, javaScriptEnabled });
  const page = await context.newPage();
  const found: string[] = [];
  const pending: Promise<void>[] = [];
  let documents = 0;

  const inspect = async (response: Response) => {
    const request = response.request();
    const status = response.status();
    if (request.resourceType() !== 'document') {
      if (status >= 400) found.push(`${request.resourceType()} ${response.url()} answered ${status}`);
      return;
    }
    // A redirect is never rendered: its headers protect nothing.
    if (status >= 300 && status < 400) return;
    const headers = await response.allHeaders();
    if (!(headers['content-type'] ?? '').startsWith('text/html')) return;
    documents += 1;
    for (const problem of securityHeaderProblems(headers)) found.push(`${response.url()} (${status}): ${problem}`);
  };
  context.on('response', (response) => { pending.push(inspect(response)); });
  page.on('console', (message) => {
    // A page answering 4xx on purpose (a form with errors) is logged as a failed load: not a fault.
    if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) found.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => found.push(`page error: ${error.message}`));

  return {
    context, page, locale: options.locale,
    t: (key, params) => translate(options.locale, key, params),
    async check(label) {
      // axe runs as a script in the page: with JavaScript off it would wait forever.
      if (!javaScriptEnabled) throw new Error(`cannot run axe on ${label}: this browser has JavaScript turned off`);
      await expectAccessible(page, `${label} [${options.locale}]`);
    },
    htmlDocuments: () => documents,
    async problems() {
      await Promise.all(pending);
      return [...found];
    },
    close: () => context.close(),
  };
}
