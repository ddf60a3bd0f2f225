import type { CookieSerializeOptions } from '@fastify/cookie';
import type { Config } from '../config/index.js';

export const SESSION_COOKIE = 'tongban_session';
/** Holds the id of a sign-in in progress between /auth/signin and /auth/callback. */
export const ATTEMPT_COOKIE = 'tongban_signin';

/**
 * HttpOnly so scripts cannot read it; SameSite=Lax so the IdP's redirect back (a top-level GET)
 * carries it while cross-site POSTs do not; Secure whenever Tongban is served over https.
 */
export function sessionCookieOptions(config: Pick<Config, 'publicUrl'>): CookieSerializeOptions {
  return { httpOnly: true, sameSite: 'lax', secure: config.publicUrl.startsWith('https:'), path: '/' };
}

export function attemptCookieOptions(config: Pick<Config, 'publicUrl'>): CookieSerializeOptions {
  return { ...sessionCookieOptions(config), path: '/auth', maxAge: 15 * 60 };
}

/** Only a local path may be a destination after signing in: never another site (`//evil`, `/\evil`). */
export function safeReturnTo(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return '/';
  // Control characters (a smuggled newline) never belong in a path.
  if ([...value].some((ch) => ch.charCodeAt(0) < 0x20)) return '/';
  return value;
}
