import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, errors, jwtVerify, type JWTPayload, type JWTVerifyOptions } from 'jose';
import type { Kysely } from 'kysely';
import { ASSERTION_ALGORITHMS } from './jwk.js';
import { getClient, type ApiClient } from './service.js';
import { insertAssertion, machineDb } from './store.js';

/** RFC 7523 §2.2: the one client assertion type the token endpoint accepts. */
export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

export type OAuthErrorCode = 'invalid_request' | 'invalid_client' | 'invalid_grant' | 'unauthorized_client' | 'unsupported_grant_type' | 'invalid_scope';

/** An RFC 6749 §5.2 error answer of the token endpoint (the one place without problem+json). */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: 400 | 401;

  constructor(error: OAuthErrorCode, description: string, cause?: unknown) {
    super(description, { cause });
    this.name = 'OAuthError';
    this.error = error;
    this.status = error === 'invalid_client' ? 401 : 400;
  }
}

export interface AssertionSettings {
  /** Accepted `aud` values: the token endpoint URL and the issuer URL. */
  readonly audiences: readonly string[];
  readonly leewaySeconds: number;
  /** How far ahead `exp` may be: a long-lived assertion is a stolen credential waiting to happen. */
  readonly maxLifetimeSeconds: number;
}

const epoch = (date: Date) => Math.floor(date.getTime() / 1000);
const refused = (description: string, cause?: unknown) => new OAuthError('invalid_client', description, cause);

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The client assertion has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `The client assertion's ${error.claim} claim is not acceptable (${error.reason})`;
  if (error instanceof errors.JOSEAlgNotAllowed || error instanceof errors.JOSENotSupported) return 'The client assertion uses an algorithm that is not allowed';
  if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWSSignatureVerificationFailed) return 'The client assertion was not signed with a registered key';
  return 'The client assertion is malformed';
}

/**
 * Verifies against the client's key set. A header without `kid` may match several keys during a
 * rotation; then each candidate is tried, as jose leaves that choice to the caller.
 */
async function verifyWithClientKeys(assertion: string, client: ApiClient, options: JWTVerifyOptions): Promise<JWTPayload> {
  const keySet = createLocalJWKSet({ keys: [...client.keys] });
  try {
    return (await jwtVerify(assertion, keySet, options)).payload;
  } catch (error) {
    if (!(error instanceof errors.JWKSMultipleMatchingKeys)) throw error;
    let last: unknown = error;
    for await (const key of error) {
      try { return (await jwtVerify(assertion, key, options)).payload; } catch (attempt) { last = attempt; }
    }
    throw last;
  }
}

/**
 * Authenticates a client by its signed assertion (RFC 7523 §3) and spends the assertion's `jti`.
 * The jti is recorded only after everything else holds, so nobody can burn another client's ids
 * with forged assertions; it is kept until the assertion could no longer be accepted.
 */
export async function authenticateClient(
  db: Kysely<object>, assertion: string, settings: AssertionSettings, now: Date, clientIdParam?: string,
): Promise<ApiClient> {
  let issuer: unknown;
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(assertion).alg;
    const claims = decodeJwt(assertion);
    issuer = claims.iss;
    if (claims.sub !== issuer) throw refused('The client assertion must have the client id as both iss and sub');
  } catch (error) {
    if (error instanceof OAuthError) throw error;
    throw refused('The client assertion is not a signed JWT', error);
  }
  if (typeof alg !== 'string' || !(ASSERTION_ALGORITHMS as readonly string[]).includes(alg)) {
    throw refused(`The client assertion must be signed with one of ${ASSERTION_ALGORITHMS.join(', ')}`);
  }
  if (typeof issuer !== 'string' || issuer.length === 0) throw refused('The client assertion has no issuer');
  if (clientIdParam !== undefined && clientIdParam !== issuer) throw refused('client_id does not match the client assertion');
  const client = await getClient(db, issuer);
  // One answer for unknown and disabled clients: the endpoint does not reveal which ids exist.
  if (!client || !client.enabled) throw refused('Unknown or disabled client');

  let payload: JWTPayload;
  try {
    payload = await verifyWithClientKeys(assertion, client, {
      algorithms: [...ASSERTION_ALGORITHMS], issuer: client.clientId, subject: client.clientId, audience: [...settings.audiences],
      currentDate: now, clockTolerance: settings.leewaySeconds, requiredClaims: ['exp', 'jti'],
    });
  } catch (error) {
    throw refused(reasonOf(error), error);
  }
  const nowSeconds = epoch(now);
  const exp = payload.exp ?? 0;
  if (exp > nowSeconds + settings.maxLifetimeSeconds + settings.leewaySeconds) {
    throw refused(`The client assertion must expire within ${settings.maxLifetimeSeconds} seconds`);
  }
  if (payload.iat !== undefined && payload.iat > nowSeconds + settings.leewaySeconds) throw refused('The client assertion was issued in the future');
  const jti: unknown = payload.jti;
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) throw refused('The client assertion needs a jti of 1 to 256 characters');
  const expiresAt = new Date((exp + settings.leewaySeconds) * 1000);
  if (!(await insertAssertion(machineDb(db), client.clientId, jti, expiresAt))) throw refused('The client assertion has been used before');
  return client;
}
