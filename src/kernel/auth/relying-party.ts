import * as client from 'openid-client';
import type { Logger } from 'pino';
import { TongbanError } from '../http/errors.js';
import { AuthErrors } from './errors.js';
import type { SigninAttempt } from './sessions.js';
import type { IdentityClaims } from './types.js';

export interface RelyingPartyOptions {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly redirectUri: string;
  readonly postLogoutRedirectUri: string;
  /** Replaces the network for calls to the issuer (the built-in IdP answers in-process). */
  readonly fetch?: client.CustomFetch | undefined;
  readonly log: Logger;
}

export interface SignedIn {
  readonly issuer: string;
  readonly claims: IdentityClaims;
  readonly idToken: string | undefined;
  /** When the person proved who they are to the provider (`auth_time`), if the ID token says. */
  readonly authenticatedAt: Date | undefined;
}

/**
 * Tongban as an OpenID Connect client: authorization code flow with PKCE (S256), state and
 * nonce, through openid-client. The issuer's metadata is fetched on first use and kept; a failed
 * fetch is retried on the next sign-in rather than remembered.
 */
export function createRelyingParty(options: RelyingPartyOptions) {
  let configuration: Promise<client.Configuration> | undefined;

  const discover = async (): Promise<client.Configuration> => {
    const execute = new URL(options.issuer).protocol === 'http:' ? [client.allowInsecureRequests] : [];
    return client.discovery(new URL(options.issuer), options.clientId, undefined, client.ClientSecretBasic(options.clientSecret), {
      execute,
      ...(options.fetch ? { [client.customFetch]: options.fetch } : {}),
    });
  };

  const config = async (): Promise<client.Configuration> => {
    configuration ??= discover();
    try {
      return await configuration;
    } catch (error) {
      configuration = undefined;
      options.log.error({ err: error, issuer: options.issuer }, 'identity provider discovery failed');
      throw new TongbanError(AuthErrors.TB_AUTH_PROVIDER_UNAVAILABLE, { cause: error });
    }
  };

  return {
    issuer: options.issuer,

    /**
     * A new attempt (to keep server-side) and the URL to send the browser to. `reauthenticate`
     * asks the provider to check the person's credentials again even if it has a session of its
     * own (`prompt=login`, `max_age=0`, which also makes it state `auth_time`).
     */
    async start(returnTo: string, how: { reauthenticate?: boolean } = {}): Promise<{ url: URL; attempt: SigninAttempt }> {
      const cfg = await config();
      const codeVerifier = client.randomPKCECodeVerifier();
      const attempt: SigninAttempt = { state: client.randomState(), nonce: client.randomNonce(), codeVerifier, returnTo };
      const url = client.buildAuthorizationUrl(cfg, {
        redirect_uri: options.redirectUri,
        scope: 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(codeVerifier),
        code_challenge_method: 'S256',
        state: attempt.state,
        nonce: attempt.nonce,
        ...(how.reauthenticate ? { prompt: 'login', max_age: '0' } : {}),
      });
      return { url, attempt };
    },

    /** Checks the authorization response against the attempt and redeems the code. */
    async finish(currentUrl: URL, attempt: SigninAttempt): Promise<SignedIn> {
      const cfg = await config();
      try {
        const tokens = await client.authorizationCodeGrant(cfg, currentUrl, {
          pkceCodeVerifier: attempt.codeVerifier,
          expectedState: attempt.state,
          expectedNonce: attempt.nonce,
          idTokenExpected: true,
        });
        const claims = tokens.claims();
        if (!claims) throw new Error('no ID token');
        const authTime = typeof claims.auth_time === 'number' ? new Date(claims.auth_time * 1000) : undefined;
        return { issuer: claims.iss, claims, idToken: tokens.id_token, authenticatedAt: authTime };
      } catch (error) {
        throw new TongbanError(AuthErrors.TB_AUTH_SIGNIN_FAILED, { cause: error });
      }
    },

    /**
     * Where to send the browser to end the session at the provider too, if it offers that. The
     * ID token hint is optional: it puts the person's name into a URL, and URLs end up in logs.
     */
    async endSessionUrl(idTokenHint?: string): Promise<URL | undefined> {
      const cfg = await config();
      if (!cfg.serverMetadata().end_session_endpoint) return undefined;
      return client.buildEndSessionUrl(cfg, {
        post_logout_redirect_uri: options.postLogoutRedirectUri,
        ...(idTokenHint ? { id_token_hint: idTokenHint } : {}),
      });
    },
  };
}

export type RelyingParty = ReturnType<typeof createRelyingParty>;
