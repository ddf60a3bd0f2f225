import { sql, type Kysely } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
import type { Db } from '../../kernel/db/index.js';
import type { AccountKind, StaffRole } from '../../kernel/auth/index.js';

export type IdentityTables = {
  identity_account: {
    id: string;
    kind: AccountKind;
    name: string;
    id_number: string | null;
    email: string | null;
    organisation_name: string | null;
    organisation_code: string | null;
    created_at: Date;
    disabled_at: Date | null;
    /** Set when the person closed the account themselves (with `disabled_at`); a sign-in opens it again (ADR 68). */
    closed_at: Date | null;
  };
  identity_external_identity: { issuer: string; subject: string; account_id: string; created_at: Date; last_signed_in_at: Date | null };
  identity_role: { account_id: string; agency: string; role: StaffRole; granted_at: Date };
};

export type AccountRow = IdentityTables['identity_account'];
export type IdentityDb = Kysely<IdentityTables>;

/** Every query of the identity module. Returns rows; the service holds the rules. */
export function createIdentityStore(database: Db) {
  const db = database.withTables<IdentityTables>();
  const on = (executor?: Kysely<object>) => (executor ? executor.withTables<IdentityTables>() : db);

  return {
    /** Runs `work` in one transaction; pass its executor to the other methods. */
    transaction<T>(work: (tx: Kysely<object>) => Promise<T>): Promise<T> {
      return database.transaction().execute(work);
    },

    /** The account with its roles in one round trip: the principal behind every signed-in request. */
    async accountWithRoles(id: string): Promise<(AccountRow & { roles: { agency: string; role: StaffRole }[] }) | undefined> {
      return db.selectFrom('identity_account as a').selectAll('a')
        .select((eb) => jsonArrayFrom(eb.selectFrom('identity_role as r').select(['r.agency', 'r.role']).whereRef('r.account_id', '=', 'a.id').orderBy('r.agency').orderBy('r.role')).as('roles'))
        .where('a.id', '=', id).executeTakeFirst();
    },

    account(id: string, executor?: Kysely<object>): Promise<AccountRow | undefined> {
      return on(executor).selectFrom('identity_account').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /**
     * The oldest person account with this resident ID number that is not disabled (the one a
     * person signs in to): disabled ones are left out before choosing, so an older disabled
     * account does not hide a newer active one.
     */
    activeAccountByIdNumber(idNumber: string): Promise<AccountRow | undefined> {
      return db.selectFrom('identity_account').selectAll().where('id_number', '=', idNumber).where('kind', '=', 'person')
        .where('disabled_at', 'is', null).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    },

    /** The person account whose data this ID number is: the oldest active one, else the oldest disabled one. */
    subjectAccountByIdNumber(idNumber: string): Promise<AccountRow | undefined> {
      return db.selectFrom('identity_account').selectAll().where('id_number', '=', idNumber).where('kind', '=', 'person')
        .orderBy(sql`disabled_at is not null`).orderBy('created_at').orderBy('id').limit(1).executeTakeFirst();
    },

    accountByIdentity(issuer: string, subject: string): Promise<AccountRow | undefined> {
      return db.selectFrom('identity_external_identity as e')
        .innerJoin('identity_account as a', 'a.id', 'e.account_id')
        .selectAll('a')
        .where('e.issuer', '=', issuer)
        .where('e.subject', '=', subject)
        .executeTakeFirst();
    },

    async markSignedIn(issuer: string, subject: string, at: Date): Promise<void> {
      await db.updateTable('identity_external_identity').set({ last_signed_in_at: at })
        .where('issuer', '=', issuer).where('subject', '=', subject).execute();
    },

    /** Inserts the account, or updates it to these values when the id exists. */
    async upsertAccount(row: AccountRow, executor?: Kysely<object>): Promise<void> {
      const { id: _id, created_at: _created, ...changes } = row;
      await on(executor).insertInto('identity_account').values(row)
        .onConflict((oc) => oc.column('id').doUpdateSet(changes))
        .execute();
    },

    async setDisabled(id: string, at: Date | null): Promise<boolean> {
      // An administrator's choice replaces the person's own closing: a disabled account stays shut at sign-in.
      const result = await db.updateTable('identity_account').set({ disabled_at: at, closed_at: null }).where('id', '=', id).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Closes an open account (disabled and closed at `at`); false when it was not open. */
    async close(id: string, at: Date, executor?: Kysely<object>): Promise<boolean> {
      const result = await on(executor).updateTable('identity_account').set({ disabled_at: at, closed_at: at })
        .where('id', '=', id).where('disabled_at', 'is', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Opens an account its person closed; false when it was not closed by them (an administrator's disabling stays). */
    async reopen(id: string, executor?: Kysely<object>): Promise<boolean> {
      const result = await on(executor).updateTable('identity_account').set({ disabled_at: null, closed_at: null })
        .where('id', '=', id).where('closed_at', 'is not', null).executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async deleteAccount(id: string, executor?: Kysely<object>): Promise<void> {
      await on(executor).deleteFrom('identity_account').where('id', '=', id).execute();
    },

    /** Links the identity unless it is linked already; true when this call linked it. */
    async linkIdentity(row: { issuer: string; subject: string; account_id: string; created_at: Date }, executor?: Kysely<object>): Promise<boolean> {
      const inserted = await on(executor).insertInto('identity_external_identity').values(row)
        .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
        .executeTakeFirst();
      return Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0;
    },

    rolesOf(accountId: string, executor?: Kysely<object>): Promise<{ agency: string; role: StaffRole }[]> {
      return on(executor).selectFrom('identity_role').select(['agency', 'role'])
        .where('account_id', '=', accountId).orderBy('agency').orderBy('role').execute();
    },

    accountsWithRole(agency: string, role: StaffRole): Promise<AccountRow[]> {
      return db.selectFrom('identity_role as r')
        .innerJoin('identity_account as a', 'a.id', 'r.account_id')
        .selectAll('a')
        .where('r.agency', '=', agency).where('r.role', '=', role).where('a.disabled_at', 'is', null)
        .orderBy('a.name')
        .execute();
    },

    async grantRole(row: { account_id: string; agency: string; role: StaffRole; granted_at: Date }, executor?: Kysely<object>): Promise<void> {
      await on(executor).insertInto('identity_role').values(row)
        .onConflict((oc) => oc.columns(['account_id', 'agency', 'role']).doNothing())
        .execute();
    },

    async revokeRole(accountId: string, agency: string, role: StaffRole, executor?: Kysely<object>): Promise<boolean> {
      const result = await on(executor).deleteFrom('identity_role')
        .where('account_id', '=', accountId).where('agency', '=', agency).where('role', '=', role)
        .executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}

export type IdentityStore = ReturnType<typeof createIdentityStore>;
