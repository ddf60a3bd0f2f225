import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ErrorPageRenderer } from '../kernel/http/error-handler.js';
import type { TongbanError } from '../kernel/http/errors.js';
import { DEFAULT_LOCALE, isLocale, translate, type Locale } from '../kernel/i18n/index.js';
// The kernel's error texts must be in the catalog whichever module loaded first.
import '../kernel/i18n/messages.js';
import { Layout } from './layout.js';
import { renderPage } from './render.js';

/**
 * The page for an error no route handled itself. It translates through the catalog rather than
 * `request.t`, because an error raised before the i18n hook ran leaves `request.t` a placeholder.
 */
export const renderErrorPage: ErrorPageRenderer = (error: TongbanError, request: FastifyRequest, _reply: FastifyReply): string => {
  const locale: Locale = isLocale(request.locale) ? request.locale : DEFAULT_LOCALE;
  const t = (key: string, params?: Readonly<Record<string, string | number>>): string => translate(locale, key, params);
  const message = t(error.spec.message);
  return renderPage(
    <Layout title={message} locale={locale} t={t} currentPath={request.url} showAccount={false}>
      <h1 class="tb-heading-l">{message}</h1>
      {error.fields.length > 0 ? (
        <ul class="tb-list tb-list--bullet">
          {error.fields.map((field) => <li key={field.pointer}>{t(field.message, field.params)}</li>)}
        </ul>
      ) : null}
      <p class="tb-body">{t('ui.errorPage.reference', { requestId: String(request.id) })}</p>
      <p class="tb-body"><a href="/">{t('ui.errorPage.home')}</a></p>
    </Layout>,
  );
};
