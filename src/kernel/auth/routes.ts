import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/index.js';
import type { Kernel } from '../context.js';
import { TongbanError } from '../http/errors.js';
import { logSecurityEvent } from '../log.js';
import { ATTEMPT_COOKIE, SESSION_COOKIE, attemptCookieOptions, safeReturnTo, sessionCookieOptions } from './cookies.js';
import { AuthErrors } from './errors.js';
import { AUTOSUBMIT_PATH, AUTOSUBMIT_SCRIPT } from './idp/pages.js';
import type { RelyingParty } from './relying-party.js';
import type { SessionStore } from './sessions.js';
import { registerSessionRoutes } from './sessions-routes.js';
import type { AccountDirectory, Principal } from './types.js';

export interface AuthRouteOptions {
  readonly kernel: Kernel;
  readonly sessions: SessionStore;
  readonly directory: AccountDirectory;
  readonly relyingParty: RelyingParty;
  /** The IdP session is ended too when signing out (the built-in IdP). */
  readonly endIdpSession: boolean;
  readonly rateLimit: { max: number; timeWindow: number };
}

function actorOf(principal: Principal) {
  return { kind: principal.kind === 'staff' ? 'staff' as const : 'person' as const, id: principal.accountId };
}

export function publicUrlOf(config: Config, request: FastifyRequest): URL {
  return new URL(request.url, `${config.publicUrl}/`);
}

/** /auth/signin, /auth/callback and /auth/signout: the relying-party half of signing in. */
export function registerAuthRoutes(app: FastifyInstance, options: AuthRouteOptions): void {
  const { kernel, sessions, directory, relyingParty } = options;
  const { config } = kernel;
  const pageConfig = { page: true, rateLimit: options.rateLimit };

  const startSession = async (request: FastifyRequest, reply: FastifyReply, principal: Principal, idToken: string | undefined, authenticatedAt: Date | undefined) => {
    // Session fixation: whatever id the browser had is dropped, and the new session gets a new id.
    const previous = request.cookies[SESSION_COOKIE];
    if (previous) await sessions.destroy(previous);
    const session = await sessions.create({ accountId: principal.accountId, issuer: relyingParty.issuer, idToken, authenticatedAt });
    reply.setCookie(SESSION_COOKIE, session.id, sessionCookieOptions(config));
  };

  app.get<{ Querystring: { returnTo?: string; reauth?: string } }>('/auth/signin', { config: pageConfig }, async (request, reply) => {
    const returnTo = safeReturnTo(request.query.returnTo);
    // `reauth=1`: someone signed in proves again who they are (before ending their other sessions).
    const reauthenticate = request.query.reauth === '1';
    if (request.principal && !reauthenticate) return reply.redirect(returnTo, 303);
    const { url, attempt } = await relyingParty.start(returnTo, { reauthenticate });
    const attemptId = await sessions.startAttempt(attempt);
    reply.setCookie(ATTEMPT_COOKIE, attemptId, attemptCookieOptions(config));
    return reply.header('cache-control', 'no-store').redirect(url.href, 303);
  });

  app.get<{ Querystring: Record<string, string | undefined> }>('/auth/callback', { config: pageConfig }, async (request, reply) => {
    const attemptId = request.cookies[ATTEMPT_COOKIE];
    reply.clearCookie(ATTEMPT_COOKIE, attemptCookieOptions(config));
    // Without the attempt there is no PKCE verifier, state or nonce to check against: refuse.
    const attempt = attemptId ? await sessions.takeAttempt(attemptId) : undefined;
    if (!attempt) {
      logSecurityEvent(request.log, 'signInFailed', { step: 'callback', reason: AuthErrors.TB_AUTH_SIGNIN_EXPIRED, issuer: relyingParty.issuer });
      throw new TongbanError(AuthErrors.TB_AUTH_SIGNIN_EXPIRED);
    }
    let principal: Principal;
    let idToken: string | undefined;
    let authenticatedAt: Date | undefined;
    try {
      const signedIn = await relyingParty.finish(publicUrlOf(config, request), attempt);
      principal = await directory.principalFromClaims(signedIn.issuer, signedIn.claims);
      idToken = signedIn.idToken;
      authenticatedAt = signedIn.authenticatedAt;
    } catch (error) {
      const reason = error instanceof TongbanError ? error.code : 'error';
      logSecurityEvent(request.log, 'signInFailed', { step: 'callback', reason, issuer: relyingParty.issuer });
      await kernel.audit.append(kernel.db, {
        actor: { kind: 'anonymous', id: request.ip },
        action: 'auth.signin.refused',
        requestId: request.id,
        details: { issuer: relyingParty.issuer, reason },
      });
      throw error;
    }
    await startSession(request, reply, principal, idToken, authenticatedAt);
    logSecurityEvent(request.log, 'signedIn', { accountId: principal.accountId, kind: principal.kind, issuer: relyingParty.issuer });
    await kernel.audit.append(kernel.db, {
      actor: actorOf(principal),
      action: 'auth.signin',
      subject: principal.accountId,
      requestId: request.id,
      details: { issuer: relyingParty.issuer },
    });
    return reply.header('cache-control', 'no-store').redirect(attempt.returnTo, 303);
  });

  app.post('/auth/signout', { config: { page: true } }, async (request, reply) => {
    const id = request.cookies[SESSION_COOKIE];
    const session = id ? await sessions.find(id) : undefined;
    if (id) await sessions.destroy(id);
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config));
    if (!session) return reply.redirect('/', 303);
    logSecurityEvent(request.log, 'signedOut', { accountId: session.accountId });
    const principal = request.principal;
    await kernel.audit.append(kernel.db, {
      actor: principal ? actorOf(principal) : { kind: 'person', id: session.accountId },
      action: 'auth.signout',
      subject: session.accountId,
      requestId: request.id,
    });
    // The built-in IdP finds its session by its own cookie, so no ID token hint (and no name) goes
    // into the URL; the stored ID token is there for providers that require the hint.
    const endAt = options.endIdpSession ? await relyingParty.endSessionUrl() : undefined;
    return reply.redirect(endAt ? endAt.href : '/', 303);
  });

  registerSessionRoutes(app, kernel, sessions);

  app.get(AUTOSUBMIT_PATH, (_request, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600').send(AUTOSUBMIT_SCRIPT));
}
