import csrfProtection from '@fastify/csrf-protection';
import helmet from '@fastify/helmet';
import multipart from '@fastify/multipart';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, preHandlerHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Config } from '../config/index.js';
import { cspDirectives, isHttps, serializeCsp } from './csp.js';
import { TongbanError } from './errors.js';
import { registerJsonDepthCheck } from './json-depth.js';
import { nonFinitePointers } from './non-finite.js';
import { nulBytePointers } from './nul-bytes.js';
import { rateLimitStore } from './rate-limit-store.js';
import './kernel-errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * `false` exempts a route from the CSRF check. Only for posts that come from another site by
     * design and carry their own proof (an OIDC `form_post` callback with its `state`).
     */
    csrf?: boolean;
  }
}

export interface SecurityOptions {
  readonly config: Pick<Config, 'publicUrl' | 'oidc' | 'limits'>;
  /**
   * The verified API client of a request, if the auth layer knows it by `onRequest`. The API rate
   * limit then counts per client (many agency systems may share one gateway address); otherwise
   * per IP address. Never derive this from an unverified header: a caller could rotate it.
   */
  readonly clientKey?: (request: FastifyRequest) => string | undefined;
  /** Where routes with `shared: true` in their rate-limit config count (the sign-in steps; ADR 57). */
  readonly db?: Kysely<object>;
}

/** The hidden form field (or `x-csrf-token` header) that carries the token. */
export const CSRF_FIELD = '_csrf';

/** The content types an HTML form on another site can send without a CORS preflight. */
const FORM_TYPES = new Set(['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain']);
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Paths that answer machines; they get the default API rate limit. */
const API_PATH = /^\/(?:api|govstack|r1)(?:[/?]|$)/;

/** Features no Tongban page uses; denying them limits what injected content could reach. */
const PERMISSIONS_POLICY = 'camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()';

/** Multipart limits beyond the per-file size: enough for a form with a few documents. */
const MAX_FILES = 5;
const MAX_FIELDS = 200;

/**
 * Whether a request must carry a CSRF token: an unsafe method with a body type a cross-site form
 * can produce. A Bearer token is never attached by a browser on its own, and JSON needs a CORS
 * preflight we never grant, so API calls are exempt (docs/adr/0009-http-platform.md).
 */
export function needsCsrfCheck(request: Pick<FastifyRequest, 'method' | 'headers' | 'routeOptions'>): boolean {
  if (SAFE_METHODS.has(request.method)) return false;
  if (request.routeOptions.config.csrf === false) return false;
  if (/^Bearer\s/i.test(request.headers.authorization ?? '')) return false;
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  return FORM_TYPES.has(type);
}

/** The token from the form body (url-encoded or multipart field) or the `x-csrf-token` header. */
function tokenOf(request: FastifyRequest): string | undefined {
  const body = request.body;
  if (body !== null && typeof body === 'object') {
    const field: unknown = (body as Record<string, unknown>)[CSRF_FIELD];
    if (typeof field === 'string') return field;
    // Multipart fields arrive as `{ value }` objects (attachFieldsToBody).
    if (field !== null && typeof field === 'object' && 'value' in field && typeof field.value === 'string') return field.value;
  }
  const header = request.headers['x-csrf-token'];
  return typeof header === 'string' ? header : undefined;
}

/**
 * Checks the CSRF token of a cookie-authenticated form post; registered for every route by
 * `securityPlugin`, exported for routes built in a context of their own.
 */
export const csrfPreHandler: preHandlerHookHandler = function csrfPreHandler(request, reply, done) {
  if (!needsCsrfCheck(request)) {
    done();
    return;
  }
  this.csrfProtection(request, reply, done);
};

function isApiPath(url: string): boolean {
  return API_PATH.test(url);
}

/**
 * Security headers, CSRF protection, rate limits and multipart limits for the whole app. Needs
 * @fastify/cookie registered first with a `secret` (the CSRF secret cookie is signed).
 */
/**
 * The headers helmet sets, for answers Fastify sends before any hook runs (a malformed address, an
 * over-long path parameter: see `frameworkErrorHandler`), so those pages are as locked down.
 */
export function baselineSecurityHeaders(config: Pick<Config, 'publicUrl' | 'oidc'>): Record<string, string> {
  return {
    'content-security-policy': serializeCsp(cspDirectives(config)),
    'strict-transport-security': 'max-age=31536000; includeSubDomains',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'strict-origin-when-cross-origin',
    'cross-origin-opener-policy': 'same-origin',
    'permissions-policy': PERMISSIONS_POLICY,
  };
}

export const securityPlugin = fp<SecurityOptions>(async function security(app: FastifyInstance, options) {
  const { config } = options;
  const https = isHttps(config.publicUrl);
  // First of the body checks: a JSON body nested deeper than MAX_JSON_DEPTH is refused before
  // anything walks it (json-depth.ts).
  registerJsonDepthCheck(app);

  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: { ...cspDirectives(config) } },
    strictTransportSecurity: { maxAge: 31_536_000, includeSubDomains: true },
    referrerPolicy: { policy: 'strict-origin-when-cross-origin' },
    crossOriginOpenerPolicy: { policy: 'same-origin' },
    xFrameOptions: { action: 'deny' },
  });
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    // A NUL byte is never meaningful in an address, and PostgreSQL refuses it in text: answer 400
    // here rather than a 500 from whichever query it reaches first (found by the fuzzing, issue 9).
    if (/%00/i.test(request.url)) {
      done(new TongbanError('TB_KERNEL_VALIDATION', { detail: 'The address contains a NUL character' }));
      return;
    }
    done();
  });

  await app.register(csrfProtection, {
    sessionPlugin: '@fastify/cookie',
    // The __Host- prefix pins the cookie to this exact origin; browsers accept it only over https.
    cookieKey: https ? '__Host-tb_csrf' : 'tb_csrf',
    cookieOpts: { path: '/', httpOnly: true, sameSite: 'lax', secure: https, signed: true },
    getToken: tokenOf,
  });
  app.addHook('preHandler', csrfPreHandler);

  await app.register(rateLimit, {
    global: false,
    store: rateLimitStore(options.db),
    errorResponseBuilder: (_request, context) =>
      new TongbanError('TB_KERNEL_RATE_LIMITED', { headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) } }),
  });
  const clientKey = options.clientKey ?? (() => undefined);
  const apiLimit = app.createRateLimit({
    max: config.limits.apiRequestsPerMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => {
      const client = clientKey(request);
      return client === undefined ? `ip:${request.ip}` : `client:${client}`;
    },
  });
  app.addHook('onRequest', async (request, reply) => {
    if (!isApiPath(request.url)) return;
    const result = await apiLimit(request);
    if (result.isAllowed) return;
    reply.header('x-ratelimit-limit', result.max).header('x-ratelimit-remaining', result.remaining);
    if (result.isExceeded) {
      throw new TongbanError('TB_KERNEL_RATE_LIMITED', { headers: { 'retry-after': String(Math.max(1, result.ttlInSeconds)) } });
    }
  });

  await app.register(multipart, {
    // Fields and files land on request.body before preHandler, so the CSRF check sees `_csrf`.
    attachFieldsToBody: true,
    throwFileSizeLimit: true,
    limits: {
      fileSize: config.limits.uploadBytes,
      files: MAX_FILES,
      fields: MAX_FIELDS,
      fieldSize: config.limits.bodyBytes,
      parts: MAX_FILES + MAX_FIELDS,
    },
  });
  // A NUL in the body, like one in the address: 400 with the fields' pointers before any handler can
  // pass it to the database (JSON, urlencoded and multipart alike; added after multipart, whose own
  // preValidation hook attaches the parts to the body).
  app.addHook('preValidation', (request, _reply, done) => {
    const fields = request.body === undefined ? [] : nulBytePointers(request.body);
    if (fields.length > 0) {
      done(new TongbanError('TB_KERNEL_VALIDATION', { detail: 'The request contains a NUL character', fields }));
      return;
    }
    done();
  });
  // After validation: a number that type coercion (or JSON.parse) made infinite is refused with 400
  // and its pointer, before a handler passes it to the database (non-finite.ts).
  app.addHook('preHandler', (request, _reply, done) => {
    const fields = [
      ...nonFinitePointers(request.query, 'query'),
      ...nonFinitePointers(request.params, 'params'),
      ...(request.body === undefined ? [] : nonFinitePointers(request.body, 'body')),
    ];
    if (fields.length > 0) {
      done(new TongbanError('TB_KERNEL_VALIDATION', { detail: 'A number in the request is not finite', fields }));
      return;
    }
    done();
  });
}, { name: 'tongban-security', dependencies: ['@fastify/cookie'] });
