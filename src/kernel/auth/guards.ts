import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { logDenial } from '../http/error-handler.js';
import { TongbanError } from '../http/errors.js';
import { wantsHtml } from '../http/wants-html.js';
import { hasRole, type Principal, type StaffRole } from './types.js';

export const SIGN_IN_PATH = '/auth/signin';

/** Pages send an anonymous person to sign in and back; the API answers 401 problem+json. */
async function refuseAnonymous(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (wantsHtml(request)) {
    logDenial(request, 'TB_KERNEL_UNAUTHENTICATED');
    const returnTo = request.method === 'GET' ? request.url : '/';
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

/** The signed-in principal, for handlers behind requireSignedIn. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new TongbanError('TB_KERNEL_UNAUTHENTICATED');
  return request.principal;
}
