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
    for (const next of ['https://evil.example', '//evil.example', '/\\evil.example', 'javascript:alert(1)']) {
      expect(safeLocalPath(next)).toBe('/');
    }
    const res = await (await app()).inject({ url: '/lang/en?next=//evil.example' });
    expect(res.headers.location).toBe('/');
  });
});
