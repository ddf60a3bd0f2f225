/** The roles a member of staff can hold at one agency. */
export const STAFF_ROLES = ['clerk', 'officer', 'supervisor', 'agency_admin', 'platform_admin'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

/** The agency code under which the platform administrator role is held: it spans every agency. */
export const PLATFORM_AGENCY = 'platform';

export interface RoleAssignment {
  /** Agency code, e.g. `110000-PSB`, or PLATFORM_AGENCY. */
  readonly agency: string;
  readonly role: StaffRole;
}

export type AccountKind = 'person' | 'business' | 'staff';

/** Who is signed in: on every request as `request.principal` (undefined when anonymous). */
export interface Principal {
  readonly accountId: string;
  readonly kind: AccountKind;
  readonly name: string;
  readonly roles: readonly RoleAssignment[];
}

/** The ID token claims the kernel passes on; `sub` is always there. */
export interface IdentityClaims {
  readonly sub: string;
  readonly name?: string;
  readonly [claim: string]: unknown;
}

/**
 * The port through which the kernel turns a signed-in identity into an account. The identity
 * module implements it; app.ts passes it in, so the kernel imports no module.
 */
export interface AccountDirectory {
  /** The account linked to this identity at this issuer; a first sign-in creates a person's account. */
  principalFromClaims(issuer: string, claims: IdentityClaims): Promise<Principal>;
  /** The account as it is now, or undefined when it no longer exists or may not sign in. */
  principal(accountId: string): Promise<Principal | undefined>;
}

/** Whether the principal holds one of `roles` at `agency` (at any agency when left out); a platform administrator holds theirs everywhere. */
export function hasRole(principal: Principal | undefined, roles: StaffRole | readonly StaffRole[], agency?: string): boolean {
  if (!principal) return false;
  const wanted: readonly StaffRole[] = typeof roles === 'string' ? [roles] : roles;
  return principal.roles.some((r) => wanted.includes(r.role) && (agency === undefined || r.agency === agency || r.role === 'platform_admin'));
}
