import { fileURLToPath } from 'node:url';
import type { MigrationSource } from '../db/index.js';

/** Sessions and sign-ins in progress. */
export const authMigrations: MigrationSource = {
  name: 'kernel_auth',
  folder: fileURLToPath(new URL('./migrations', import.meta.url)),
};

/** The built-in identity provider's store and demo personas. */
export const oidcMigrations: MigrationSource = {
  name: 'kernel_oidc',
  folder: fileURLToPath(new URL('./idp/migrations', import.meta.url)),
};

export { authPlugin, type AuthPluginOptions } from './plugin.js';
export {
  requireSignedIn, requireRole, requireRecentSignIn, principalOf, signedInRecently, reauthenticateHref, REAUTHENTICATION_WINDOW_MS, SIGN_IN_PATH,
} from './guards.js';
export { AuthErrors } from './errors.js';
export { SESSION_COOKIE } from './cookies.js';
export { DEFAULT_TIMEOUTS, createSessionStore, type SessionTimeouts } from './sessions.js';
export { SESSIONS_PATH } from './sessions-page.js';
export { askToSignInAgain, recentSignInGuards, type SignInAgainOptions } from './reauth-page.js';
export { builtinIssuer, WEB_CLIENT_ID } from './idp/provider.js';
export { createIdpUserStore, DEMO_PASSWORD, type IdpUser, type IdpUserStore } from './idp/users.js';
export {
  STAFF_ROLES, PLATFORM_AGENCY, hasRole,
  type AccountDirectory, type AccountKind, type IdentityClaims, type Principal, type RoleAssignment, type StaffRole,
} from './types.js';
