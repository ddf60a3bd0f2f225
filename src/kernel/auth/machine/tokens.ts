import { errors, jwtVerify, SignJWT, type JWTVerifyGetKey } from 'jose';
import { newId } from '../../ids.js';
import { TongbanError } from '../../http/index.js';
import './errors.js';
import type { PlatformKey } from './platform-key.js';

/** What a verified access token says about the calling system. */
export interface MachineClient {
  readonly clientId: string;
  readonly organisation: string;
  readonly scopes: readonly string[];
}

export interface TokenSettings {
  /** `iss` of access tokens: the platform's public URL. */
  readonly issuer: string;
  /** `aud` of access tokens: the platform's API, named by the same URL. */
  readonly audience: string;
  readonly lifetimeSeconds: number;
  /** Allowed clock difference between instances and clients, in seconds. */
  readonly leewaySeconds: number;
}

// RFC 9068: the header type keeps an access token from being mistaken for any other JWT.
const ACCESS_TOKEN_TYPE = 'at+jwt';
const epoch = (date: Date) => Math.floor(date.getTime() / 1000);

export async function issueAccessToken(key: PlatformKey, settings: TokenSettings, client: Omit<MachineClient, 'scopes'>, scopes: readonly string[], now: Date): Promise<string> {
  return new SignJWT({ client_id: client.clientId, organisation: client.organisation, scope: scopes.join(' ') })
    .setProtectedHeader({ alg: 'EdDSA', kid: key.kid, typ: ACCESS_TOKEN_TYPE })
    .setIssuer(settings.issuer)
    .setSubject(client.clientId)
    .setAudience(settings.audience)
    .setIssuedAt(epoch(now))
    .setExpirationTime(epoch(now) + settings.lifetimeSeconds)
    .setJti(newId())
    .sign(key.privateKey);
}

/** 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3.1). */
export function invalidToken(detail: string, cause?: unknown): TongbanError {
  return new TongbanError('TB_AUTH_CLIENT_TOKEN_INVALID', {
    detail, cause, headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
  });
}

function reasonOf(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The access token has expired';
  if (error instanceof errors.JWTClaimValidationFailed) return `The access token's ${error.claim} claim is not acceptable`;
  if (error instanceof errors.JWSSignatureVerificationFailed || error instanceof errors.JWKSNoMatchingKey) return 'The access token was not signed by this platform';
  return 'The access token is malformed';
}

/** Verifies signature, type, issuer, audience and lifetime; scope is the caller's to check. */
export async function verifyAccessToken(token: string, platformKeys: JWTVerifyGetKey, settings: TokenSettings, now: Date): Promise<MachineClient> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, platformKeys, {
      algorithms: ['EdDSA'], typ: ACCESS_TOKEN_TYPE, issuer: settings.issuer, audience: settings.audience,
      currentDate: now, clockTolerance: settings.leewaySeconds, requiredClaims: ['exp', 'iat', 'sub', 'client_id', 'scope'],
    }));
  } catch (error) {
    throw invalidToken(reasonOf(error), error);
  }
  const { sub, client_id: clientId, organisation, scope } = payload;
  if (typeof clientId !== 'string' || clientId !== sub || typeof organisation !== 'string' || typeof scope !== 'string') {
    throw invalidToken('The access token is malformed');
  }
  return { clientId, organisation, scopes: scope.split(' ').filter((s) => s.length > 0) };
}
