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

const isLocalPath = (value: unknown): value is string =>
  typeof value === 'string' && value.startsWith('/') && !value.startsWith('//') && !value.includes('\\')
  // Control characters (a smuggled newline) never belong in a path.
  && ![...value].some((ch) => ch.charCodeAt(0) < 0x20);

/**
 * Only a local path may be a destination after signing in: never another site (`//evil`, `/\evil`).
 * It is answered as the URL parser writes it (percent-encoded, so a `Location` header can carry
 * `/搜索`; dot segments resolved) and checked again after that (`/..//evil` would be `//evil`).
 */
export function safeReturnTo(value: unknown): string {
  if (!isLocalPath(value)) return '/';
  const url = new URL(value, 'http://local');
  const written = `${url.pathname}${url.search}${url.hash}`;
  return isLocalPath(written) ? written : '/';
}
