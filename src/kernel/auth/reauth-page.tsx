import type { preHandlerAsyncHookHandler } from 'fastify';
import { BackLink } from '../../ui/components/back-link.js';
import { Button } from '../../ui/components/button.js';
import { Layout, pageContext } from '../../ui/layout.js';
import { renderPage } from '../../ui/render.js';
import { reauthenticateHref, requireRecentSignIn, signedInRecently } from './guards.js';
import './messages.js';

/** The clock the window is measured by, and what the page says. */
export interface SignInAgainOptions {
  readonly now: () => Date;
  /** The back link's target: the list the form belongs to. */
  readonly backTo: string;
  /** Says what the form changes, as a message key ("changes to the mediator registry ..."). */
  readonly why: string;
}

/**
 * preHandler for the GET of a form whose post needs a recent sign-in (after a role guard): when the
 * person's last sign-in at the identity provider is older than the window, the page asks them to
 * sign in again (and comes back here) instead of showing a form whose post would be refused.
 */
export function askToSignInAgain(options: SignInAgainOptions): preHandlerAsyncHookHandler {
  return async function askToSignInAgainHandler(request, reply) {
    if (!request.principal || signedInRecently(request, options.now())) return;
    const context = pageContext(request);
    const { t } = context;
    const title = t('auth.reauth.title');
    await reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPage(
      <Layout {...context} user={{ name: request.principal.name }} csrfToken={reply.generateCsrf()} title={title} beforeContent={<BackLink href={options.backTo} />}>
        <h1 class="tb-heading-l">{title}</h1>
        <p class="tb-body">{t(options.why)}</p>
        <p class="tb-body">{t('auth.reauth.text')}</p>
        <Button href={reauthenticateHref(request.url)}>{t('auth.sessions.signInAgain')}</Button>
      </Layout>,
    ));
  };
}

/** Route options' guards for a form that needs a recent sign-in: its page asks for one, its post requires one. */
export function recentSignInGuards(guard: preHandlerAsyncHookHandler, options: SignInAgainOptions): { page: preHandlerAsyncHookHandler[]; post: preHandlerAsyncHookHandler[] } {
  return { page: [guard, askToSignInAgain(options)], post: [guard, requireRecentSignIn(options.now)] };
}
