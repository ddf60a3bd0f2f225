import { randomUUID } from 'node:crypto';
import { importJWK, SignJWT, type JWK } from 'jose';

/**
 * What a calling system does, for demo agency systems, the CLI and tests: sign a client
 * assertion (RFC 7523 §3) for POST /oauth/token with the client's private key.
 */
export interface AssertionInput {
  readonly clientId: string;
  /** The client's private JWK (Ed25519, P-256 or RSA); its kid, if any, goes into the header. */
  readonly privateJwk: JWK;
  /** `${publicUrl}/oauth/token`. */
  readonly audience: string;
  readonly now?: Date;
  /** Default 60 s; the platform refuses more than 300. */
  readonly lifetimeSeconds?: number;
  readonly jti?: string;
}

const ALG_BY_KTY: Readonly<Record<string, string>> = { OKP: 'EdDSA', EC: 'ES256', RSA: 'RS256' };

export async function createClientAssertion(input: AssertionInput): Promise<string> {
  const alg = input.privateJwk.alg ?? ALG_BY_KTY[input.privateJwk.kty ?? ''];
  if (alg === undefined) throw new Error(`Cannot sign with a ${input.privateJwk.kty ?? 'typeless'} key`);
  const iat = Math.floor((input.now ?? new Date()).getTime() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg, ...(input.privateJwk.kid ? { kid: input.privateJwk.kid } : {}) })
    .setIssuer(input.clientId)
    .setSubject(input.clientId)
    .setAudience(input.audience)
    .setIssuedAt(iat)
    .setExpirationTime(iat + (input.lifetimeSeconds ?? 60))
    .setJti(input.jti ?? randomUUID())
    .sign(await importJWK(input.privateJwk, alg));
}

/** The form body of a token request, ready for fetch or app.inject. */
export function tokenRequestBody(assertion: string, scopes: readonly string[]): string {
  return new URLSearchParams({
    grant_type: 'client_credentials',
    client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
    client_assertion: assertion,
    scope: scopes.join(' '),
  }).toString();
}
