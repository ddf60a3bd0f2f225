import type { Kysely } from 'kysely';
import { newId, UUID } from '../../kernel/ids.js';
import type { AccountDirectory, AccountKind, IdentityClaims, Principal, RoleAssignment, StaffRole } from '../../kernel/auth/index.js';
import { AuthErrors } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { normaliseIdNumber } from '../../forms/index.js';
import { createClosing, type ClosingStep } from './closing.js';
import { IdentityErrors } from './errors.js';
import { createIdentityStore, type AccountRow } from './store.js';

/** An account as other modules see it. The ID number is personal data: read it only with a purpose. */
export type { ClosingBlocker, ClosingStep } from './closing.js';

export interface Account {
  readonly id: string;
  readonly kind: AccountKind;
  readonly name: string;
  readonly idNumber: string | undefined;
  /** Where notifications are emailed; personal data like the ID number. */
  readonly email: string | undefined;
  readonly organisation: { readonly name: string; readonly code: string } | undefined;
  readonly createdAt: Date;
  readonly disabled: boolean;
}

export interface NewAccount {
  /** Chosen by the caller for demo data with stable ids; a new v7 UUID otherwise. */
  readonly id?: string;
  readonly kind: AccountKind;
  readonly name: string;
  readonly idNumber?: string | undefined;
  readonly email?: string | undefined;
  readonly organisation?: { readonly name: string; readonly code: string } | undefined;
}

function toAccount(row: AccountRow): Account {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    idNumber: row.id_number ?? undefined,
    email: row.email ?? undefined,
    organisation: row.organisation_name && row.organisation_code ? { name: row.organisation_name, code: row.organisation_code } : undefined,
    createdAt: row.created_at,
    disabled: row.disabled_at !== null,
  };
}


export type IdentityService = ReturnType<typeof createIdentityService>;

/**
 * Accounts, the identities that sign in as them, and staff roles per agency. Implements the
 * kernel's AccountDirectory port, so the kernel turns a signed-in identity into a principal
 * without knowing this module.
 */
export function createIdentityService(kernel: Pick<Kernel, 'db' | 'now' | 'audit'>) {
  const store = createIdentityStore(kernel.db);
  const closing = createClosing(kernel, store);

  const principalOf = async (row: AccountRow): Promise<Principal> => ({
    accountId: row.id,
    kind: row.kind,
    name: row.name,
    roles: await store.rolesOf(row.id),
  });

  /** Creates a person's account for an identity seen for the first time (a citizen's first sign-in). */
  const provision = async (issuer: string, claims: IdentityClaims): Promise<AccountRow> => {
    const at = kernel.now();
    const row: AccountRow = {
      id: newId(), kind: 'person', name: claims.name?.trim() || claims.sub,
      id_number: null, email: typeof claims.email === 'string' && claims.email.includes('@') ? claims.email : null,
      organisation_name: null, organisation_code: null, created_at: at, disabled_at: null, closed_at: null,
    };
    const linked = await store.transaction(async (tx) => {
      await store.upsertAccount(row, tx);
      const won = await store.linkIdentity({ issuer, subject: claims.sub, account_id: row.id, created_at: at }, tx);
      // Two first sign-ins at once: the other one linked first, so this account is not needed.
      if (!won) await store.deleteAccount(row.id, tx);
      return won;
    });
    if (linked) return row;
    const existing = await store.accountByIdentity(issuer, claims.sub);
    if (!existing) throw new Error('identity vanished right after it was linked');
    return existing;
  };

  const directory: AccountDirectory = {
    async principalFromClaims(issuer, claims) {
      const row = (await store.accountByIdentity(issuer, claims.sub)) ?? (await provision(issuer, claims));
      // The person closed it themselves: signing in opens it again (ADR 68). An administrator's disabling stays.
      if (row.disabled_at && !(row.closed_at && (await closing.reopen(row.id)))) throw new TongbanError(AuthErrors.TB_AUTH_ACCOUNT_UNAVAILABLE);
      await store.markSignedIn(issuer, claims.sub, kernel.now());
      return principalOf(row);
    },
    async principal(accountId) {
      if (!UUID.test(accountId)) return undefined;
      const row = await store.accountWithRoles(accountId);
      return row && !row.disabled_at ? { accountId: row.id, kind: row.kind, name: row.name, roles: row.roles } : undefined;
    },
  };

  const requireAccount = async (id: string, executor?: Kysely<object>): Promise<AccountRow> => {
    const row = UUID.test(id) ? await store.account(id, executor) : undefined;
    if (!row) throw new TongbanError(IdentityErrors.TB_IDENTITY_ACCOUNT_NOT_FOUND);
    return row;
  };

  return {
    ...directory,
    addClosingStep: (step: ClosingStep) => { closing.addClosingStep(step); },
    closingBlockers: closing.closingBlockers,
    closeAccount: (person: Principal, options: { requestId?: string | undefined } = {}) => closing.closeAccount(person, options),

    async account(id: string): Promise<Account | undefined> {
      const row = UUID.test(id) ? await store.account(id) : undefined;
      return row ? toAccount(row) : undefined;
    },

    /**
     * The person's active account for a resident ID number, if they have one: whom to act for or
     * reach (consent, a desk check-in). A disabled account is not found; for the `subject` of an
     * audit record use `auditSubjectByIdNumber`. Both read the number as the forms' resident-id
     * field does (`normaliseIdNumber`): full-width, in groups or with a lower-case x is the same number.
     */
    async accountByIdNumber(idNumber: string): Promise<Account | undefined> {
      const row = await store.activeAccountByIdNumber(normaliseIdNumber(idNumber));
      return row ? toAccount(row) : undefined;
    },

    /**
     * Whose record a use of this ID number's data belongs on: the person's account even when it
     * is disabled (the use is shown to them once it is enabled again), an active one first.
     * Only for audit subjects; never to sign in, notify or act as the person.
     */
    async auditSubjectByIdNumber(idNumber: string): Promise<Account | undefined> {
      const row = await store.subjectAccountByIdNumber(normaliseIdNumber(idNumber));
      return row ? toAccount(row) : undefined;
    },

    async accountByIdentity(issuer: string, subject: string): Promise<Account | undefined> {
      const row = await store.accountByIdentity(issuer, subject);
      return row ? toAccount(row) : undefined;
    },

    rolesOf(accountId: string): Promise<RoleAssignment[]> {
      return store.rolesOf(accountId);
    },

    async hasRole(accountId: string, role: StaffRole, agency: string): Promise<boolean> {
      const roles = await store.rolesOf(accountId);
      return roles.some((r) => r.role === role && (r.agency === agency || r.role === 'platform_admin'));
    },

    /** Active accounts holding `role` at `agency` (e.g. the officers a case can be assigned to). */
    async accountsWithRole(agency: string, role: StaffRole): Promise<Account[]> {
      return (await store.accountsWithRole(agency, role)).map(toAccount);
    },

    /** Creates the account, or updates it to these values when `id` exists. */
    async saveAccount(input: NewAccount, executor?: Kysely<object>): Promise<Account> {
      const id = input.id ?? newId();
      const existing = input.id ? await store.account(input.id, executor) : undefined;
      const row: AccountRow = {
        id,
        kind: input.kind,
        name: input.name,
        id_number: input.idNumber ?? null,
        email: input.email ?? null,
        organisation_name: input.organisation?.name ?? null,
        organisation_code: input.organisation?.code ?? null,
        created_at: existing?.created_at ?? kernel.now(),
        disabled_at: existing?.disabled_at ?? null,
        closed_at: existing?.closed_at ?? null,
      };
      await store.upsertAccount(row, executor);
      return toAccount(row);
    },

    /**
     * Stops the account signing in; its open sessions end at their next request, because the
     * kernel asks `principal()` on every request.
     */
    async disableAccount(accountId: string): Promise<void> {
      if (!UUID.test(accountId) || !(await store.setDisabled(accountId, kernel.now()))) {
        throw new TongbanError(IdentityErrors.TB_IDENTITY_ACCOUNT_NOT_FOUND);
      }
    },

    async enableAccount(accountId: string): Promise<void> {
      if (!UUID.test(accountId) || !(await store.setDisabled(accountId, null))) {
        throw new TongbanError(IdentityErrors.TB_IDENTITY_ACCOUNT_NOT_FOUND);
      }
    },

    /** Lets this identity sign in as the account; a no-op when it already can. */
    async linkIdentity(issuer: string, subject: string, accountId: string, executor?: Kysely<object>): Promise<void> {
      await requireAccount(accountId, executor);
      await store.linkIdentity({ issuer, subject, account_id: accountId, created_at: kernel.now() }, executor);
    },

    async grantRole(accountId: string, agency: string, role: StaffRole, executor?: Kysely<object>): Promise<void> {
      await requireAccount(accountId, executor);
      await store.grantRole({ account_id: accountId, agency, role, granted_at: kernel.now() }, executor);
    },

    revokeRole(accountId: string, agency: string, role: StaffRole, executor?: Kysely<object>): Promise<boolean> {
      return store.revokeRole(accountId, agency, role, executor);
    },
  };
}
