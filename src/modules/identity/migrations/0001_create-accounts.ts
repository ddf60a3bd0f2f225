import { sql, type Kysely } from 'kysely';

/**
 * Accounts of people, business representatives and staff; which identity at which issuer signs
 * in as which account; and the roles staff hold, one row per account, agency and role.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('identity_account')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('person', 'business', 'staff')`))
    .addColumn('name', 'text', (c) => c.notNull())
    // The resident ID number of a person, when known (personal data: never logged).
    .addColumn('id_number', 'text')
    // The organisation a business representative acts for.
    .addColumn('organisation_name', 'text')
    .addColumn('organisation_code', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('disabled_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('identity_external_identity')
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('identity_account.id').onDelete('cascade'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('last_signed_in_at', 'timestamptz')
    .addPrimaryKeyConstraint('identity_external_identity_pk', ['issuer', 'subject'])
    .execute();
  await db.schema.createIndex('identity_external_identity_account').on('identity_external_identity').column('account_id').execute();

  await db.schema
    .createTable('identity_role')
    .addColumn('account_id', 'uuid', (c) => c.notNull().references('identity_account.id').onDelete('cascade'))
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull().check(sql`role in ('clerk', 'officer', 'supervisor', 'agency_admin', 'platform_admin')`))
    .addColumn('granted_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('identity_role_pk', ['account_id', 'agency', 'role'])
    .execute();
  await db.schema.createIndex('identity_role_agency').on('identity_role').columns(['agency', 'role']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('identity_role').execute();
  await db.schema.dropTable('identity_external_identity').execute();
  await db.schema.dropTable('identity_account').execute();
}
