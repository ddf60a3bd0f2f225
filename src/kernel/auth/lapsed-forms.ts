import type { FastifyRequest } from 'fastify';
import { formFieldsOf, heldFormHref } from './held-forms.js';

const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * The local path and query of the page a form was posted from, if the browser said (its Referer,
 * of this site: the post's Origin, else the address it was posted to). The sign-in route checks
 * the return path again.
 */
function formPageOf(request: FastifyRequest): string | undefined {
  const referer = request.headers.referer;
  if (!referer) return undefined;
  try {
    const url = new URL(referer);
    const site = request.headers.origin ?? `${request.protocol}://${request.host}`;
    return url.origin === site ? `${url.pathname}${url.search}` : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Where a person goes after signing in when a page's form was posted without a valid session
 * (ADR 55, "Since then"). When the session had timed out, the cookie still names whose it was
 * (`request.lapsedAccountId`): a URL-encoded form is kept for that account as a held form, and the
 * person comes back to it, ready to send; it is offered to that account only, never to whoever
 * else signs in on the browser. Otherwise (signed out, the cookie gone, a form with files, one
 * too large) nothing can be kept for anyone, and the person comes back to the form's page: the
 * page it was posted from, else the address it was posted to. Never the home page.
 */
export async function returnToAfterLapse(request: FastifyRequest): Promise<string> {
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  const fields = type === FORM_TYPE ? formFieldsOf(request.body) : undefined;
  const accountId = request.lapsedAccountId;
  if (accountId !== undefined && fields !== undefined && request.server.hasDecorator('heldForms')) {
    // The whole URL, as for a recent sign-in's held form: a form may say in its query which entry it changes.
    return heldFormHref(await request.server.heldForms.hold(accountId, request.url, fields));
  }
  return formPageOf(request) ?? request.url;
}
