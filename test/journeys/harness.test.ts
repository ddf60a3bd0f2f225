import Fastify, { type FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser } from '../helpers/browser.js';
import { openPerson } from './harness.js';

/** The journey watcher must see what it is there to see (STYLE 19): pages made to fail it. */
const STRICT = "default-src 'self';script-src 'self';object-src 'none';base-uri 'none';frame-ancestors 'none'";
const SAFE = { 'x-content-type-options': 'nosniff', 'x-frame-options': 'DENY', 'referrer-policy': 'no-referrer', 'cross-origin-opener-policy': 'same-origin' };
const page = (body: string) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>T</title></head><body><main><h1>T</h1>${body}</main></body></html>`;

describe('the journey watcher', () => {
  let server: FastifyInstance;
  let base: string;
  let browser: Browser;
  beforeAll(async () => {
    server = Fastify();
    server.get('/good', (_q, reply) => reply.type('text/html; charset=utf-8').headers({ ...SAFE, 'content-security-policy': STRICT }).send(page('<p>Fine</p>')));
    server.get('/no-csp', (_q, reply) => reply.type('text/html; charset=utf-8').headers(SAFE).send(page('<p>No policy</p>')));
    server.get('/inline', (_q, reply) => reply.type('text/html; charset=utf-8').headers({ ...SAFE, 'content-security-policy': STRICT })
      .send(page('<p style="color: red">Inline style</p><img src="/missing.png" alt="Missing">')));
    [base, browser] = await Promise.all([server.listen({ host: '127.0.0.1', port: 0 }), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it('passes a clean page and counts it', async () => {
    const person = await openPerson(browser, { locale: 'en' });
    await person.page.goto(`${base}/good`);
    await person.check('good page');
    expect(person.htmlDocuments()).toBe(1);
    expect(await person.problems()).toEqual([]);
    await person.close();
  });

  it('reports a page without a CSP, a CSP violation and a failed image', async () => {
    const person = await openPerson(browser, { locale: 'en' });
    await person.page.goto(`${base}/no-csp`);
    await person.page.goto(`${base}/inline`);
    await person.page.waitForLoadState('load');
    const problems = await person.problems();
    expect(problems).toContainEqual(`${base}/no-csp (200): no Content-Security-Policy header`);
    expect(problems).toContainEqual(expect.stringMatching(/^console: .*style/i));
    expect(problems).toContainEqual(`image ${base}/missing.png answered 404`);
    await person.close();
  });

  it('refuses to run axe when JavaScript is off, instead of waiting forever', async () => {
    const person = await openPerson(browser, { locale: 'en', javaScriptEnabled: false });
    await person.page.goto(`${base}/good`);
    await expect(person.check('good page')).rejects.toThrow(/JavaScript turned off/);
    await person.close();
  });
});
