import cookie from '@fastify/cookie';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { i18nPlugin, LANG_COOKIE, safeLocalPath } from './plugin.js';
import './messages.js';

async function app() {
  const app = Fastify();
  await app.register(cookie);
  await app.register(i18nPlugin);
  app.get('/hello', (request) => ({ locale: request.locale, text: request.t('kernel.error.notFound') }));
  return app;
}

describe('language of a request', () => {
  it('follows ?lang=, then the switch cookie, then Accept-Language', async () => {
    const a = await app();
    expect((await a.inject({ url: '/hello?lang=en' })).json()).toEqual({ locale: 'en', text: 'Page not found' });
    expect((await a.inject({ url: '/hello', cookies: { [LANG_COOKIE]: 'en' }, headers: { 'accept-language': 'zh' } })).json()).toMatchObject({ locale: 'en' });
    expect((await a.inject({ url: '/hello', headers: { 'accept-language': 'en-US' } })).json()).toMatchObject({ locale: 'en' });
    expect((await a.inject({ url: '/hello' })).json()).toEqual({ locale: 'zh-CN', text: '页面不存在' });
  });

  it('switches language with a link that remembers the choice and returns to the page', async () => {
    const res = await (await app()).inject({ url: '/lang/en?next=%2Fservices%3Fq%3Dx%26lang%3Dzh-CN' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/services?q=x');
    expect(res.cookies.find((c) => c.name === LANG_COOKIE)).toMatchObject({ value: 'en', httpOnly: true, sameSite: 'Lax' });
  });

  it('never redirects off the site', async () => {
    for (const next of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)', '/\t/evil.example', '/\n/evil.example', '/..//evil.example']) {
      expect(safeLocalPath(next)).toBe('/');
    }
    const res = await (await app()).inject({ url: '/lang/en?next=//evil.example' });
    expect(res.headers.location).toBe('/');
  });

  // A browser drops a tab or newline from a Location (`/\t/evil.example` is `//evil.example`), and
  // a newline or a character outside Latin-1 in a header throws (a 500); dot segments resolve to `//`.
  it.each([
    ['/%09/evil.example/x', '/'],
    ['/%0a/evil.example/x', '/'],
    ['/%0d%0aSet-Cookie:%20x=1', '/'],
    ['/..//evil.example/x', '/'],
    ['/.//evil.example', '/'],
    ['/%5Cevil.example', '/'],
    ['/%E4%B8%AD%E6%96%87?q=%E4%B8%AD', '/%E4%B8%AD%E6%96%87?q=%E4%B8%AD'],
    ['%2Fservices%3Flang%3Dzh-CN%26q%3Da%2520b', '/services?q=a+b'],
  ])('sends next=%s to %s, whether or not the language exists', async (next, location) => {
    const a = await app();
    for (const locale of ['en', 'xx']) {
      const res = await a.inject({ url: `/lang/${locale}?next=${next}` });
      expect(res.statusCode, locale).toBe(303);
      expect(res.headers.location, locale).toBe(location);
    }
  });
});
