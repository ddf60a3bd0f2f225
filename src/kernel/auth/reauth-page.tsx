import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { BackLink } from '../../ui/components/back-link.js';
import { Button } from '../../ui/components/button.js';
import { Layout, pageContext } from '../../ui/layout.js';
import { renderPage } from '../../ui/render.js';
import { logDenial } from '../http/error-handler.js';
import { wantsHtml } from '../http/wants-html.js';
import { reauthenticateHref, requireRecentSignIn, signedInRecently } from './guards.js';
import { formFieldsOf, heldFormHref } from './held-forms.js';
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
 * *Sign in again first*: why (in the module's words, if it gave them), and a button to the
 * identity provider that comes back to `returnTo`. `kept`: the form just posted was kept (ADR 55).
 */
export async function sendSignInAgainPage(request: FastifyRequest, reply: FastifyReply, page: { backTo: string; why?: string | undefined; returnTo: string; kept?: boolean; status?: number }): Promise<void> {
  const context = pageContext(request);
  const { t } = context;
  const title = t('auth.reauth.title');
  await reply.status(page.status ?? 200).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderPage(
    <Layout {...context} user={request.principal ? { name: request.principal.name } : undefined} csrfToken={reply.generateCsrf()} title={title} beforeContent={<BackLink href={page.backTo} />}>
      <h1 class="tb-heading-l">{title}</h1>
      {page.why === undefined ? null : <p class="tb-body">{t(page.why)}</p>}
      <p class="tb-body">{t(page.kept ? 'auth.reauth.kept' : 'auth.reauth.text')}</p>
      <Button href={reauthenticateHref(page.returnTo)}>{t('auth.sessions.signInAgain')}</Button>
    </Layout>,
  ));
}

/**
 * preHandler for the GET of a form whose post needs a recent sign-in (after a role guard): when the
 * person's last sign-in at the identity provider is older than the window, the page asks them to
 * sign in again (and comes back here) instead of showing a form whose post would be refused.
 */
export function askToSignInAgain(options: SignInAgainOptions): preHandlerAsyncHookHandler {
  return async function askToSignInAgainHandler(request, reply) {
    if (!request.principal || signedInRecently(request, options.now())) return;
    await sendSignInAgainPage(request, reply, { backTo: options.backTo, why: options.why, returnTo: request.url });
  };
}

/**
 * preHandler for the post of such a form (after a role guard): without a recent sign-in it is
 * refused (403) as `requireRecentSignIn` refuses it, but a page's form is kept first (ADR 55): the
 * page asks to sign in again and comes back to the kept answers, ready to send. An API call, or a
 * body that is not a form, gets the plain 403. With a recent sign-in the form goes through, and
 * what was kept of it for this account is deleted: it is no longer offered once sent.
 */
export function keepFormUntilSignedInAgain(options: SignInAgainOptions): preHandlerAsyncHookHandler {
  const refuse = requireRecentSignIn(options.now);
  return async function keepFormUntilSignedInAgainHandler(request, reply) {
    const fields = formFieldsOf(request.body);
    const recent = request.principal !== undefined && signedInRecently(request, options.now());
    if (recent && fields !== undefined) {
      // Sent again, the kept answers or typed anew: what was kept of this form is done with.
      await request.server.heldForms.release(request.principal!.accountId, request.url);
      return;
    }
    if (!request.principal || recent || fields === undefined || !wantsHtml(request)) {
      await refuse.call(this, request, reply);
      return;
    }
    // The whole URL: a form may say in its query which entry it changes (`services/edit?id=`).
    const id = await request.server.heldForms.hold(request.principal.accountId, request.url, fields);
    logDenial(request, 'TB_AUTH_REAUTHENTICATION_REQUIRED');
    await sendSignInAgainPage(request, reply, { backTo: options.backTo, why: options.why, returnTo: heldFormHref(id), kept: true, status: 403 });
  };
}

/** Route options' guards for a form that needs a recent sign-in: its page asks for one, its post requires one and keeps what was typed. */
export function recentSignInGuards(guard: preHandlerAsyncHookHandler, options: SignInAgainOptions): { page: preHandlerAsyncHookHandler[]; post: preHandlerAsyncHookHandler[] } {
  return { page: [guard, askToSignInAgain(options)], post: [guard, keepFormUntilSignedInAgain(options)] };
}
