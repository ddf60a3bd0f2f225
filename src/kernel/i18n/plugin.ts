import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { translate, type Locale, type Params } from './catalog.js';
import { negotiateLocale } from './negotiate.js';

export type Translate = (key: string, params?: Params) => string;

declare module 'fastify' {
  interface FastifyRequest {
    locale: Locale;
    t: Translate;
  }
}

export const LANG_COOKIE = 'tongban_lang';

/** Gives every request its language and a bound translate function. */
export const i18nPlugin = fp(function i18n(app: FastifyInstance) {
  app.decorateRequest('locale', 'zh-CN');
  app.decorateRequest('t', (key: string) => key);
  app.addHook('onRequest', (request, _reply, done) => {
    const query = request.query as Record<string, unknown> | undefined;
    const locale = negotiateLocale({
      query: typeof query?.lang === 'string' ? query.lang : undefined,
      cookie: request.cookies?.[LANG_COOKIE],
      acceptLanguage: request.headers['accept-language'],
    });
    request.locale = locale;
    request.t = (key, params) => translate(locale, key, params);
    done();
  });
  return Promise.resolve();
}, { name: 'tongban-i18n', dependencies: ['@fastify/cookie'] });
