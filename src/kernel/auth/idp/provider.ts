import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Db } from '../../db/index.js';
import { translate, negotiateLocale, type Locale } from '../../i18n/index.js';
import { LANG_COOKIE } from '../../i18n/plugin.js';
import { oidcAdapter } from './adapter.js';
import type { IdpKeys } from './keys.js';
import { renderIdpErrorPage, renderLogoutPage } from './pages.js';
import type { IdpUserStore } from './users.js';

export const IDP_PREFIX = '/idp';
export const WEB_CLIENT_ID = 'tongban-web';

export function builtinIssuer(config: Pick<Config, 'publicUrl'>): string {
  return `${config.publicUrl}${IDP_PREFIX}`;
}

/** Where the web client gets the code back, and where the IdP sends the browser after signing out. */
export function webClientUris(config: Pick<Config, 'publicUrl'>): { redirectUri: string; postLogoutRedirectUri: string } {
  return { redirectUri: `${config.publicUrl}/auth/callback`, postLogoutRedirectUri: `${config.publicUrl}/` };
}

function pageText(ctx: KoaContextWithOIDC): { locale: Locale; t: (key: string, params?: Readonly<Record<string, string | number>>) => string; currentPath: string } {
  const locale = negotiateLocale({ cookie: ctx.cookies.get(LANG_COOKIE), acceptLanguage: ctx.get('accept-language') || undefined });
  // The language switch goes home: these URLs carry an id_token_hint that must not end up in links.
  return { locale, t: (key, params) => translate(locale, key, params), currentPath: '/' };
}

export interface IdentityProviderOptions {
  readonly config: Config;
  readonly db: Db;
  readonly keys: IdpKeys;
  readonly users: IdpUserStore;
  readonly log: Logger;
}

/**
 * The built-in OpenID provider (oidc-provider 8) that serves the demo personas when no external
 * issuer is configured. Storage is our database, keys come from the secret store, the one client
 * is Tongban's own web app, PKCE is required, and consent is implied for that first-party client.
 */
export function createIdentityProvider(options: IdentityProviderOptions): Provider {
  const { config, keys, users } = options;
  const uris = webClientUris(config);
  const cookieOptions = { signed: true, httpOnly: true, sameSite: 'lax', path: IDP_PREFIX } as const;

  const configuration: Configuration = {
    adapter: oidcAdapter(options.db),
    clients: [{
      client_id: WEB_CLIENT_ID,
      client_secret: keys.clientSecret,
      redirect_uris: [uris.redirectUri],
      post_logout_redirect_uris: [uris.postLogoutRedirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
      // auth_time in every ID token: Tongban keeps it per session and asks for a recent one before
      // a person ends their other sessions (ASVS 5.0 7.5.2).
      require_auth_time: true,
    }],
    jwks: { keys: [keys.signingJwk] },
    cookies: {
      keys: keys.cookieKeys,
      names: { session: 'tb_idp_session', interaction: 'tb_idp_interaction', resume: 'tb_idp_resume' },
      long: cookieOptions,
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: { openid: ['sub'], profile: ['name'] },
    // The name goes into the ID token, so Tongban needs no userinfo call.
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx) => {
          ctx.type = 'html';
          ctx.body = renderLogoutPage(pageText(ctx), {
            action: `${IDP_PREFIX}/session/end/confirm`, // oidc-provider's default route
            xsrf: String((ctx.oidc.session?.state as { secret?: string } | undefined)?.secret ?? ''),
          });
        },
      },
    },
    interactions: { url: (_ctx, interaction) => `${IDP_PREFIX}/interaction/${interaction.uid}` },
    // Tongban's own web app is first-party: signing in implies consent to share the name with it.
    loadExistingGrant: async (ctx) => {
      const clientId = ctx.oidc.client?.clientId;
      const accountId = ctx.oidc.session?.accountId;
      if (!clientId || !accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? ctx.oidc.session?.grantIdFor(clientId);
      if (grantId) return ctx.oidc.provider.Grant.find(grantId);
      if (clientId !== WEB_CLIENT_ID) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId, accountId });
      grant.addOIDCScope('openid profile');
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, sub) => {
      const user = await users.find(sub);
      if (!user) return undefined;
      return { accountId: sub, claims: () => ({ sub, name: user.name }) };
    },
    renderError: (ctx, out) => {
      ctx.type = 'html';
      ctx.body = renderIdpErrorPage(pageText(ctx), { code: String(out.error) });
    },
    ttl: {
      AccessToken: 600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 900,
      Grant: 12 * 3600,
      Session: 12 * 3600,
    },
  };

  const provider = new Provider(builtinIssuer(config), configuration);
  provider.proxy = config.env === 'production';
  provider.on('server_error', (_ctx: unknown, error: Error) => options.log.error({ err: error }, 'built-in identity provider failed'));
  return provider;
}
