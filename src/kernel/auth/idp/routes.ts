import type { IncomingMessage } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Kernel } from '../../context.js';
import { TongbanError } from '../../http/errors.js';
import { logSecurityEvent } from '../../log.js';
import { AuthErrors } from '../errors.js';
import { renderLoginPage, type LoginForm } from './pages.js';
import { IDP_PREFIX } from './provider.js';
import type { IdpUserStore } from './users.js';

export interface IdpRouteOptions {
  readonly provider: Provider;
  readonly users: IdpUserStore;
  readonly kernel: Kernel;
  /** Route config that rate-limits a route like the other sign-in steps. */
  readonly rateLimit: { max: number; timeWindow: number };
}

interface LoginBody { persona?: unknown; password?: unknown }

/**
 * How much of a refused persona name the audit trail keeps (the demo personas' names are far
 * shorter). Tighter than the trail's own cut of long text (ADR 36, 1,024 characters and a
 * SHA-256) on purpose: longer text is no persona name but something pasted into the box, so
 * keeping less of it is enough to see what was tried, and a digest of it would serve nobody.
 */
const PERSONA_RECORDED = 64;

/**
 * Mounts the built-in IdP under /idp: the login interaction is ours (Fastify routes, our UI, CSRF
 * token), every other path goes to oidc-provider's Koa app on the raw request. The reply is
 * hijacked in onRequest, before Fastify reads the body, so the provider parses it itself.
 */
export function registerIdpRoutes(app: FastifyInstance, options: IdpRouteOptions): void {
  const { provider, users, kernel } = options;
  const handle = provider.callback();

  app.route({
    method: ['GET', 'POST', 'OPTIONS'],
    url: `${IDP_PREFIX}/*`,
    config: { page: true },
    onRequest: async (request, reply) => {
      reply.hijack();
      const raw = request.raw as IncomingMessage & { originalUrl?: string };
      // oidc-provider finds its mount path from originalUrl, as under Express or middie.
      raw.originalUrl = raw.url;
      raw.url = (raw.url ?? '').slice(IDP_PREFIX.length) || '/';
      await handle(raw, reply.raw);
    },
    handler: () => undefined,
  });

  const details = async (request: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply) => {
    try {
      const interaction = await provider.interactionDetails(request.raw, reply.raw);
      if (interaction.uid !== request.params.uid) throw new Error('interaction cookie is for another interaction');
      return interaction;
    } catch (error) {
      throw new TongbanError(AuthErrors.TB_AUTH_SIGNIN_EXPIRED, { cause: error });
    }
  };

  const page = async (request: FastifyRequest<{ Params: { uid: string } }>, reply: FastifyReply, form: LoginForm) => {
    const personas = await users.list();
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(renderLoginPage(
      { locale: request.locale, t: request.t, currentPath: request.url },
      { action: `${IDP_PREFIX}/interaction/${request.params.uid}/login`, csrfToken: reply.generateCsrf(), personas, form },
    ));
  };

  app.get<{ Params: { uid: string } }>(`${IDP_PREFIX}/interaction/:uid`, { config: { page: true } }, async (request, reply) => {
    const interaction = await details(request, reply);
    if (interaction.prompt.name !== 'login') {
      // Consent is implied for the one first-party client (loadExistingGrant), so only login is asked.
      throw new TongbanError(AuthErrors.TB_AUTH_SIGNIN_FAILED, { detail: `unexpected prompt ${interaction.prompt.name}` });
    }
    return page(request, reply, {});
  });

  app.post<{ Params: { uid: string }; Body: LoginBody }>(`${IDP_PREFIX}/interaction/:uid/login`, {
    config: { page: true, rateLimit: options.rateLimit },
  }, async (request, reply) => {
    await details(request, reply);
    // A control character (a NUL byte) is never in a persona's name, and PostgreSQL refuses NUL in
    // text and jsonb: it gave a 500 before (found by the form fuzzing, issue 9). Treated as none.
    // eslint-disable-next-line no-control-regex -- control characters are what is refused here
    const persona = typeof request.body?.persona === 'string' && !/[\u0000-\u001f\u007f]/.test(request.body.persona) ? request.body.persona : '';
    const password = typeof request.body?.password === 'string' ? request.body.password : '';
    const errors: { persona?: string; password?: string } = {};
    if (!persona) errors.persona = 'auth.idp.error.personaMissing';
    if (!password) errors.password = 'auth.idp.error.passwordMissing';
    const user = persona && password ? await users.authenticate(persona, password) : undefined;
    if (!user) {
      // Which persona is not logged here (the audit trail keeps it for a wrong password): ids and reasons only.
      logSecurityEvent(request.log, 'signInFailed', { step: 'idp-login', reason: persona && password ? 'password-wrong' : 'incomplete' });
    }
    if (persona && password && !user) {
      errors.password = 'auth.idp.error.passwordWrong';
      const typed = Array.from(persona);
      await kernel.audit.append(kernel.db, {
        actor: { kind: 'anonymous', id: request.ip },
        action: 'auth.idp.login.refused',
        requestId: request.id,
        // What was typed, cut to a persona's length, in characters (whole code points).
        details: { persona: typed.slice(0, PERSONA_RECORDED).join(''), ...(typed.length > PERSONA_RECORDED ? { personaLength: typed.length } : {}) },
      });
    }
    if (!user) return page(request, reply.status(400), { persona, errors });
    const redirectTo = await provider.interactionResult(request.raw, reply.raw, { login: { accountId: user.subject } }, { mergeWithLastSubmission: false });
    return reply.redirect(redirectTo, 303);
  });
}
