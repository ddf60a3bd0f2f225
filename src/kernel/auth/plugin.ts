import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Kernel } from '../context.js';
import { logSecurityEvent } from '../log.js';
import { SESSION_COOKIE, sessionCookieOptions } from './cookies.js';
import { pruneOidcModels } from './idp/adapter.js';
import { inProcessFetch } from './idp/in-process-fetch.js';
import { loadIdpKeys } from './idp/keys.js';
import { builtinIssuer, createIdentityProvider, WEB_CLIENT_ID, webClientUris } from './idp/provider.js';
import { registerIdpRoutes } from './idp/routes.js';
import { createIdpUserStore } from './idp/users.js';
import { createRelyingParty } from './relying-party.js';
import { registerAuthRoutes } from './routes.js';
import { createHeldForms, type HeldForms } from './held-forms.js';
import { registerHeldFormRoutes } from './held-forms-page.js';
import { createSessionStore, type SessionTimeouts } from './sessions.js';
import type { AccountDirectory, Principal } from './types.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Forms kept while their sender signs in again (held-forms.ts, ADR 55). */
    heldForms: HeldForms;
  }
  interface FastifyRequest {
    /** Who is signed in; undefined for anonymous requests. */
    principal: Principal | undefined;
    /** When the signed-in person last proved who they are at the identity provider, if it said. */
    authenticatedAt: Date | undefined;
    /**
     * Whose session the request's cookie named when that session had just timed out (idle or
     * absolute); a form posted then is kept for this account (lapsed-forms.ts, ADR 55).
     */
    lapsedAccountId: string | undefined;
  }
}

export interface AuthPluginOptions {
  readonly kernel: Kernel;
  readonly directory: AccountDirectory;
  readonly timeouts?: SessionTimeouts;
}

const PRUNE_QUEUE = 'kernel.auth.prune';
const MINUTE = 60_000;

/**
 * People signing in: the session behind `request.principal` on every request, the OpenID Connect
 * sign-in and sign-out routes, and (when no external issuer is configured) the built-in IdP.
 * Needs @fastify/cookie and the security plugin registered first.
 */
export const authPlugin = fp<AuthPluginOptions>(async function auth(app: FastifyInstance, options) {
  const { kernel, directory } = options;
  const { config } = kernel;
  // CSRF checks of form posts and the per-route rate limits come from the security plugin.
  if (!app.hasDecorator('csrfProtection') || !app.hasDecorator('rateLimit')) {
    throw new Error('authPlugin needs the security plugin (@fastify/csrf-protection, @fastify/rate-limit) registered before it');
  }
  const sessions = createSessionStore(kernel.db, kernel.now, options.timeouts);

  const heldForms = createHeldForms(kernel.db, kernel.now);
  app.decorate('heldForms', heldForms);
  registerHeldFormRoutes(app, kernel.now);
  app.decorateRequest('principal', undefined);
  app.decorateRequest('authenticatedAt', undefined);
  app.decorateRequest('lapsedAccountId', undefined);
  app.addHook('onRequest', async (request: FastifyRequest, reply) => {
    const id = request.cookies[SESSION_COOKIE];
    // Stylesheets and images are the same for everyone: no session lookups for them.
    if (!id || request.url.startsWith('/assets/')) return;
    const session = await sessions.find(id, (reason, accountId) => {
      logSecurityEvent(request.log, 'sessionEnded', { reason, accountId });
      if (reason !== 'unknown') request.lapsedAccountId = accountId;
    });
    const principal = session ? await directory.principal(session.accountId) : undefined;
    if (principal) {
      request.principal = principal;
      request.authenticatedAt = session?.authenticatedAt;
      return;
    }
    if (session) {
      logSecurityEvent(request.log, 'sessionEnded', { reason: 'account-unavailable', accountId: session.accountId });
      await sessions.destroy(id);
    }
    reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(config));
  });

  kernel.jobs.register(PRUNE_QUEUE, async () => {
    await sessions.prune();
    await heldForms.prune();
    if (config.oidc.kind === 'builtin') await pruneOidcModels(kernel.db);
  });
  kernel.jobs.every(PRUNE_QUEUE, 60 * MINUTE, {});

  // Shared: counted in the database, one allowance per address across every instance (ADR 57).
  const rateLimitConfig = { max: config.limits.signInAttemptsPerMinute, timeWindow: MINUTE, shared: true };

  await app.register(async (scope) => {
    if (config.oidc.kind === 'builtin') {
      const issuer = builtinIssuer(config);
      const users = createIdpUserStore(kernel.db);
      const keys = await loadIdpKeys(kernel.db);
      const provider = createIdentityProvider({ config, db: kernel.db, keys, users, log: kernel.log });
      if (config.env === 'production') kernel.log.warn('the built-in demo identity provider is serving sign-ins in production');
      registerIdpRoutes(scope, { provider, users, kernel, rateLimit: rateLimitConfig });
      const relyingParty = createRelyingParty({
        issuer, clientId: WEB_CLIENT_ID, clientSecret: keys.clientSecret, ...webClientUris(config),
        fetch: inProcessFetch(app, issuer), log: kernel.log,
      });
      registerAuthRoutes(scope, { kernel, sessions, directory, relyingParty, endIdpSession: true, rateLimit: rateLimitConfig });
    } else {
      const relyingParty = createRelyingParty({
        issuer: config.oidc.issuer, clientId: config.oidc.clientId, clientSecret: config.oidc.clientSecret,
        ...webClientUris(config), log: kernel.log,
      });
      registerAuthRoutes(scope, { kernel, sessions, directory, relyingParty, endIdpSession: false, rateLimit: rateLimitConfig });
    }
  });
}, { name: 'tongban-auth', dependencies: ['@fastify/cookie'] });
