import formbody from '@fastify/formbody';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createLocalJWKSet, decodeJwt, type JWK, type JWTVerifyGetKey } from 'jose';
import type { Kysely } from 'kysely';
import { logSecurityEvent } from '../../log.js';
import { authenticateClient, CLIENT_ASSERTION_TYPE, OAuthError, type AssertionSettings } from './assertion.js';
import { jwkFromPkcs8, loadPlatformKey, parseEd25519PrivateJwk, publishedPublicJwk, type PlatformKey } from './platform-key.js';
import type { MachineAuth } from './plugin-types.js';
// The route config key `csrf` is declared there.
import type {} from '../../http/security.js';
import { createClientStateCheck } from './client-state.js';
import { deleteSpentAssertions, machineDb } from './store.js';
import { invalidToken, issueAccessToken, verifyAccessToken, type MachineClient, type TokenSettings } from './tokens.js';

export interface MachineAuthOptions {
  readonly db: Kysely<object>;
  /** config.publicUrl: issuer of access tokens, and base of the token endpoint URL. */
  readonly publicUrl: string;
  readonly now?: () => Date;
  /** Lifetime of access tokens; short, because they are not revoked one by one (a disabled client's are refused within seconds). */
  readonly accessTokenSeconds?: number;
  /**
   * Ed25519 PKCS#8 (base64 DER) to sign access tokens (config.secrets.accessTokenSigningKey);
   * absent (development): one kept in the secret store.
   */
  readonly signingKey?: string;
  /**
   * Raw Ed25519 public keys (base64url) whose tokens are accepted too, and published at
   * /oauth/jwks: the next key before a rotation, the previous one after it (ADR 41).
   */
  readonly trustedPublicKeys?: readonly string[];
}

export const LEEWAY_SECONDS = 60;
/** Verified access tokens kept in memory (one per client system and 5 minutes, normally few). */
const VERIFIED_TOKENS_MAX = 10_000;
export const MAX_ASSERTION_SECONDS = 300;
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** The single value of a form parameter; RFC 6749 §3.2 forbids repeating one. */
function param(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new OAuthError('invalid_request', `${name} must be sent once`);
  return value;
}

function requireParam(body: Record<string, unknown>, name: string, error: 'invalid_request' | 'invalid_client' = 'invalid_request'): string {
  const value = param(body, name);
  if (value === undefined) throw new OAuthError(error, `${name} is required`);
  return value;
}

/** Token endpoint errors answer as RFC 6749 §5.2 JSON; anything unexpected goes to the kernel handler. */
function oauthErrorHandler(error: FastifyError | OAuthError, request: FastifyRequest, reply: FastifyReply): void {
  let oauth: OAuthError;
  if (error instanceof OAuthError) oauth = error;
  else if (typeof error.statusCode === 'number' && error.statusCode < 500) oauth = new OAuthError('invalid_request', 'The request body could not be read', error);
  else throw error;
  logSecurityEvent(request.log, 'tokenRefused', { oauthError: oauth.error, reason: oauth.message });
  void reply.status(oauth.status).header('cache-control', 'no-store').header('pragma', 'no-cache')
    .type('application/json; charset=utf-8').send({ error: oauth.error, error_description: oauth.message });
}

/**
 * API clients (other agencies' systems): POST /oauth/token (client credentials with
 * private_key_jwt, RFC 7523), GET /oauth/jwks, and `app.machineAuth` for requireClientScope.
 * Not encapsulated, so every module's routes can use the guard.
 */
export const machineAuthPlugin = fp<MachineAuthOptions>(async function machineAuth(app: FastifyInstance, options) {
  const now = options.now ?? (() => new Date());
  const issuer = options.publicUrl.replace(/\/+$/, '');
  const tokenUrl = `${issuer}/oauth/token`;
  const tokens: TokenSettings = { issuer, audience: issuer, lifetimeSeconds: options.accessTokenSeconds ?? 300, leewaySeconds: LEEWAY_SECONDS };
  const assertions: AssertionSettings = { audiences: [tokenUrl, issuer], leewaySeconds: LEEWAY_SECONDS, maxLifetimeSeconds: MAX_ASSERTION_SECONDS };
  // A configured key that cannot be read is a start-up failure, not a failure of the first request.
  if (options.signingKey !== undefined) parseEd25519PrivateJwk(jwkFromPkcs8(options.signingKey), 'The access-token signing key');

  // Loaded on first use: migrations (the secret store's table) may run after the app is built.
  let loading: Promise<{ key: PlatformKey; published: JWK[]; keySet: JWTVerifyGetKey }> | undefined;
  const platform = () => (loading ??= (async () => {
    const key = await loadPlatformKey(options.db, options.signingKey);
    const trusted = await Promise.all((options.trustedPublicKeys ?? []).filter((x) => x !== key.publicJwk.x).map(publishedPublicJwk));
    const published = [key.publicJwk, ...trusted];
    return { key, published, keySet: createLocalJWKSet({ keys: published }) };
  })().catch((error: unknown) => { loading = undefined; throw error; }));

  const verified = new Map<string, { client: MachineClient; until: number }>();
  const clientState = createClientStateCheck(options.db);
  /**
   * A disabled client's tokens are refused from then on, not only once they expire; a scope taken
   * away from the client is dropped from the tokens it holds.
   */
  const asItIsNow = async (client: MachineClient, at: number): Promise<MachineClient> => {
    const state = clientState.known(client.clientId, at) ?? await clientState.read(client.clientId, at);
    if (!state) throw invalidToken('The API client of this access token is disabled');
    return client.scopes.every((s) => state.scopes.has(s)) ? client : { ...client, scopes: client.scopes.filter((s) => state.scopes.has(s)) };
  };
  const machine: MachineAuth = {
    tokenUrl,
    issuer,
    async verifyAccessToken(token) {
      // A token verified once holds until it expires, so its Ed25519 verification runs once, not
      // on every call it authorises; its client's state (enabled, scopes) is read every few seconds.
      const at = now().getTime();
      const known = verified.get(token);
      if (known && at < known.until) return asItIsNow(known.client, at);
      const client = await verifyAccessToken(token, (await platform()).keySet, tokens, new Date(at));
      const exp = decodeJwt(token).exp;
      if (typeof exp === 'number') {
        if (verified.size >= VERIFIED_TOKENS_MAX) verified.delete(verified.keys().next().value as string);
        verified.set(token, { client, until: (exp + LEEWAY_SECONDS) * 1000 });
      }
      return asItIsNow(client, at);
    },
  };
  app.decorate('machineAuth', machine);
  app.decorateRequest('client', null);

  await app.register(async (scope) => {
    if (!scope.hasContentTypeParser('application/x-www-form-urlencoded')) await scope.register(formbody);

    // Exempt from CSRF: a system, not a browser, posts here, and the signed assertion is its own proof.
    scope.post('/oauth/token', { errorHandler: oauthErrorHandler, config: { csrf: false } }, async (request, reply) => {
      const at = now();
      if (!(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
        throw new OAuthError('invalid_request', 'Send the parameters as application/x-www-form-urlencoded');
      }
      const body = (request.body ?? {}) as Record<string, unknown>;
      const grantType = requireParam(body, 'grant_type');
      if (grantType !== 'client_credentials') throw new OAuthError('unsupported_grant_type', 'Only grant_type=client_credentials is supported');
      if (requireParam(body, 'client_assertion_type', 'invalid_client') !== CLIENT_ASSERTION_TYPE) {
        throw new OAuthError('invalid_client', `Authenticate with client_assertion_type=${CLIENT_ASSERTION_TYPE} (private_key_jwt)`);
      }
      const assertion = requireParam(body, 'client_assertion', 'invalid_client');
      const requested = (param(body, 'scope') ?? '').split(' ').filter((s) => s.length > 0);
      if (requested.length === 0) throw new OAuthError('invalid_scope', 'Ask for at least one scope');
      if (!requested.every((s) => SCOPE_TOKEN.test(s))) throw new OAuthError('invalid_scope', 'A requested scope is malformed');

      const client = await authenticateClient(options.db, assertion, assertions, at, param(body, 'client_id'));
      const granted = [...new Set(requested)].filter((s) => client.scopes.includes(s));
      if (granted.length === 0) throw new OAuthError('invalid_scope', 'None of the requested scopes is allowed for this client');
      const accessToken = await issueAccessToken((await platform()).key, tokens, client, granted, at);
      // Keeps the replay table small: this client's ids that could no longer be accepted anyway.
      await deleteSpentAssertions(machineDb(options.db), at, client.clientId);
      logSecurityEvent(request.log, 'tokenIssued', { clientId: client.clientId, scope: granted });
      return reply.header('cache-control', 'no-store').header('pragma', 'no-cache')
        .send({ access_token: accessToken, token_type: 'Bearer', expires_in: tokens.lifetimeSeconds, scope: granted.join(' ') });
    });

    scope.get('/oauth/jwks', async (_request, reply) => {
      const { published } = await platform();
      return reply.header('cache-control', 'public, max-age=300').send({ keys: published });
    });
  });
}, { name: 'tongban-machine-auth' });
