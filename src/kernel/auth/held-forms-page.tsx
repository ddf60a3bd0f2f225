import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { BackLink } from '../../ui/components/back-link.js';
import { Button } from '../../ui/components/button.js';
import { Layout, pageContext } from '../../ui/layout.js';
import { renderPage } from '../../ui/render.js';
import { CSRF_FIELD } from '../http/security.js';
import { TongbanError } from '../http/errors.js';
import { UUID } from '../ids.js';
import { AuthErrors } from './errors.js';
import { principalOf, requireSignedIn, signedInRecently } from './guards.js';
import { HELD_FORM_PATH } from './held-forms.js';
import './messages.js';
import { sendSignInAgainPage } from './reauth-page.js';

/**
 * `GET /auth/held/{id}` (ADR 55): once the person has signed in again, what they typed into a form
 * that was refused for an aged sign-in, as that form again (hidden fields, a fresh CSRF token),
 * sent with one button to where it was posted. Another account's or an expired id is a 404; a
 * sign-in still too old asks again and comes back here.
 */
export function registerHeldFormRoutes(scope: FastifyInstance, now: () => Date): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  app.get(`${HELD_FORM_PATH}/:id`, {
    config: { page: true }, preHandler: requireSignedIn,
    schema: { params: Type.Object({ id: Type.String({ maxLength: 64 }) }), hide: true },
  }, async (request, reply) => {
    const principal = principalOf(request);
    if (!signedInRecently(request, now())) {
      await sendSignInAgainPage(request, reply, { backTo: '/', returnTo: request.url, kept: true });
      return reply;
    }
    const held = UUID.test(request.params.id) ? await request.server.heldForms.find(request.params.id, principal.accountId) : undefined;
    if (!held) throw new TongbanError(AuthErrors.TB_AUTH_HELD_FORM_NOT_FOUND);
    const context = pageContext(request);
    const { t } = context;
    const title = t('auth.held.title');
    const csrfToken = reply.generateCsrf();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPage(
      <Layout {...context} user={{ name: principal.name }} csrfToken={csrfToken} title={title} beforeContent={<BackLink href={held.path} />}>
        <h1 class="tb-heading-l">{title}</h1>
        <p class="tb-body">{t('auth.held.text')}</p>
        <form method="post" action={held.path} novalidate>
          <input type="hidden" name={CSRF_FIELD} value={csrfToken} />
          {held.fields.map(([name, value], index) => <input type="hidden" name={name} value={value} key={index} />)}
          <Button>{t('auth.held.continue')}</Button>
        </form>
      </Layout>,
    ));
  });
}
