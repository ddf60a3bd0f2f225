import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { safeReturnTo } from '../auth/cookies.js';
import { isLocale, translate, type Locale, type Params } from './catalog.js';
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

  // The language switch: a plain link, so it works without JavaScript. Remembers the choice and
  // goes back to the page, only ever to a path on this site (no open redirect).
  app.get<{ Params: { locale: string }; Querystring: { next?: string } }>('/lang/:locale', { schema: { hide: true }, config: { page: true } }, (request, reply) => {
    const { locale } = request.params;
    const next = safeLocalPath(request.query.next);
    if (!isLocale(locale)) return reply.redirect(next, 303);
    const secure = request.protocol === 'https';
    reply.setCookie(LANG_COOKIE, locale, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: 365 * 24 * 3600 });
    return reply.redirect(next, 303);
  });
  return Promise.resolve();
}, { name: 'tongban-i18n', dependencies: ['@fastify/cookie'] });

/**
 * Only a path on this site, by the sign-in's rules (safeReturnTo: no `//host`, no backslash, no
 * control character), without a `?lang=` (the switch's choice must win over one left in the
 * address), and as the URL parser writes it: percent-encoded, so a header can carry it. Checked
 * again after parsing, which resolves dot segments (`/..//host` is `//host`).
 */
export function safeLocalPath(next: unknown): string {
  const url = new URL(safeReturnTo(next), 'http://local');
  url.searchParams.delete('lang');
  return safeReturnTo(`${url.pathname}${url.search}${url.hash}`);
}
