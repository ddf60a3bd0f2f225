import type { Config } from '../config/index.js';

export type CspDirectives = Readonly<Record<string, readonly string[]>>;

/**
 * The one Content-Security-Policy of every page and API answer (docs/adr/0009-http-platform.md):
 * everything from our own origin, no inline script or style (the design system ships files),
 * no plugins, no framing, no `<base>` tricks. Forms may post to ourselves and, when sign-in is
 * delegated, to the external OIDC issuer (form-action also governs the redirect after a post).
 */
export function cspDirectives(config: Pick<Config, 'publicUrl' | 'oidc'>): CspDirectives {
  const formAction = ["'self'"];
  if (config.oidc.kind === 'external') formAction.push(new URL(config.oidc.issuer).origin);
  return {
    'default-src': ["'self'"],
    'script-src': ["'self'"],
    'script-src-attr': ["'none'"],
    'style-src': ["'self'"],
    'img-src': ["'self'", 'data:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'none'"],
    'frame-ancestors': ["'none'"],
    'form-action': formAction,
    // On plain http (a laptop) upgrading would break every sub-resource; behind https it is free.
    ...(isHttps(config.publicUrl) ? { 'upgrade-insecure-requests': [] } : {}),
  };
}

/**
 * The API reference at /docs is a third-party single-page app (Swagger UI) that applies inline
 * styles (Chromium reports a violation under the strict policy). A hash would break on every
 * Swagger UI upgrade, so only its pages get `'unsafe-inline'` styles; scripts stay `'self'`,
 * and every other page keeps the strict policy.
 */
export function docsCspDirectives(config: Pick<Config, 'publicUrl' | 'oidc'>): CspDirectives {
  return { ...cspDirectives(config), 'style-src': ["'self'", "'unsafe-inline'"] };
}

/** The header value, written the way helmet writes it. */
export function serializeCsp(directives: CspDirectives): string {
  return Object.entries(directives)
    .map(([name, values]) => (values.length > 0 ? `${name} ${values.join(' ')}` : name))
    .join(';');
}

export function isHttps(publicUrl: string): boolean {
  return new URL(publicUrl).protocol === 'https:';
}
