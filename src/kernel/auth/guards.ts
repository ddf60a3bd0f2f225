import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { logDenial } from '../http/error-handler.js';
import { TongbanError } from '../http/errors.js';
import { wantsHtml } from '../http/wants-html.js';
import { returnToAfterLapse } from './lapsed-forms.js';
import { hasRole, type Principal, type StaffRole } from './types.js';

export const SIGN_IN_PATH = '/auth/signin';

/**
 * How recently a person must have proved who they are at the identity provider for what asks for
 * it (ending their other sessions, changing an API client; ASVS 5.0 7.5.2, 7.5.3): long enough to
 * sign in again and press the button, short enough that a session cookie stolen an hour ago
 * cannot be used for it.
 */
export const REAUTHENTICATION_WINDOW_MS = 10 * 60_000;

/** Where "sign in again" goes: the provider asks for the credentials even if it has a session, then back to `returnTo`. */
export const reauthenticateHref = (returnTo: string): string => `${SIGN_IN_PATH}?reauth=1&returnTo=${encodeURIComponent(returnTo)}`;

/** Whether the signed-in person proved who they are within REAUTHENTICATION_WINDOW_MS (the session's `auth_time`). */
export function signedInRecently(request: FastifyRequest, now: Date): boolean {
  const at = request.authenticatedAt?.getTime();
  return request.principal !== undefined && at !== undefined && now.getTime() - at <= REAUTHENTICATION_WINDOW_MS;
}

/**
 * Pages send an anonymous person to sign in and back; the API answers 401 problem+json. A form
 * posted after the session ended is kept, or at least its page is returned to (lapsed-forms.ts).
 */
async function refuseAnonymous(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (wantsHtml(request)) {
    logDenial(request, 'TB_KERNEL_UNAUTHENTICATED');
    const returnTo = request.method === 'GET' || request.method === 'HEAD' ? request.url : await returnToAfterLapse(request);
    await reply.redirect(`${SIGN_IN_PATH}?returnTo=${encodeURIComponent(returnTo)}`, 303);
    return;
  }
  throw new TongbanError('TB_KERNEL_UNAUTHENTICATED');
}

/** preHandler: only signed-in people get through. */
export const requireSignedIn: preHandlerAsyncHookHandler = async function requireSignedIn(request, reply) {
  if (!request.principal) await refuseAnonymous(request, reply);
};

/**
 * preHandler: the person must hold one of `roles`, at the agency `agencyOf` names (any agency
 * when it is left out). A platform administrator holds their role at every agency.
 */
export function requireRole(roles: StaffRole | readonly StaffRole[], agencyOf?: (request: FastifyRequest) => string | undefined): preHandlerAsyncHookHandler {
  return async function requireRoleHandler(request, reply) {
    if (!request.principal) {
      await refuseAnonymous(request, reply);
      return;
    }
    if (!hasRole(request.principal, roles, agencyOf?.(request))) throw new TongbanError('TB_KERNEL_FORBIDDEN');
  };
}

/**
 * preHandler, after a role guard: the person must have signed in again recently
 * (`signedInRecently`); otherwise 403 `TB_AUTH_REAUTHENTICATION_REQUIRED`, which a page answers
 * with its error page and the API with problem+json.
 */
export function requireRecentSignIn(now: () => Date): preHandlerAsyncHookHandler {
  return async function requireRecentSignInHandler(request, reply) {
    if (!request.principal) {
      await refuseAnonymous(request, reply);
      return;
    }
    if (!signedInRecently(request, now())) throw new TongbanError('TB_AUTH_REAUTHENTICATION_REQUIRED');
  };
}

/** The signed-in principal, for handlers behind requireSignedIn. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TongbanError('TB_KERNEL_UNAUTHENTICATED');
  return request.principal;
}
