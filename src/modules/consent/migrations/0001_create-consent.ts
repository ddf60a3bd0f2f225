import { sql, type Kysely } from 'kysely';

/**
 * Data agreements, one row per version (a change is a new version, never an update), and the
 * consent events of people under them (given / withdrawn), append-only: a person's consent
 * state is derived from their latest event (docs/adr/0018-consent.md).
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('consent_agreements')
    .addColumn('id', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull())
    // The agency code of the data controller, e.g. 110000-PSB.
    .addColumn('controller', 'text', (c) => c.notNull())
    .addColumn('purpose_zh', 'text', (c) => c.notNull())
    .addColumn('purpose_en', 'text', (c) => c.notNull())
    // GovStack's lawful basis: consent, legal_obligation, public_task, contract, vital_interest, legitimate_interest.
    .addColumn('lawful_basis', 'text', (c) => c.notNull())
    .addColumn('legal_basis_zh', 'text', (c) => c.notNull())
    .addColumn('legal_basis_en', 'text', (c) => c.notNull())
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('retention_zh', 'text', (c) => c.notNull())
    .addColumn('retention_en', 'text', (c) => c.notNull())
    .addColumn('needs_consent', 'boolean', (c) => c.notNull())
    // Days a consent stays valid after it is given; null: until withdrawn.
    .addColumn('consent_days', 'integer')
    // The oldest version whose consents still hold under this one: equal to `version` when
    // this version widened the purpose or the data items, so earlier consents do not carry over.
    .addColumn('consent_from_version', 'integer', (c) => c.notNull())
    // False on the version that retired the agreement: no new consent can be given.
    .addColumn('active', 'boolean', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('consent_agreements_pk', ['id', 'version'])
    .addCheckConstraint('consent_agreements_from', sql`consent_from_version between 1 and version`)
    .addCheckConstraint('consent_agreements_days', sql`consent_days is null or consent_days > 0`)
    .execute();
  await db.schema.createIndex('consent_agreements_controller').on('consent_agreements').columns(['controller', 'id']).execute();

  await db.schema.createTable('consent_events')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('agreement_id', 'text', (c) => c.notNull())
    .addColumn('agreement_version', 'integer', (c) => c.notNull())
    // Resident ID number: consent of counter applicants and of people named in mediated calls
    // is recorded whether or not they have an account.
    .addColumn('id_number', 'text', (c) => c.notNull())
    .addColumn('account_id', 'uuid')
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('given', 'withdrawn')`))
    .addColumn('channel', 'text', (c) => c.notNull().check(sql`channel in ('online', 'counter', 'api')`))
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz')
    .addColumn('actor_kind', 'text', (c) => c.notNull())
    .addColumn('actor_id', 'text', (c) => c.notNull())
    .addColumn('request_id', 'text')
    .addForeignKeyConstraint('consent_events_agreement', ['agreement_id', 'agreement_version'], 'consent_agreements', ['id', 'version'])
    .execute();
  // The check: a person's latest event under one agreement.
  await db.schema.createIndex('consent_events_person').on('consent_events').columns(['id_number', 'agreement_id', 'at']).execute();
  await db.schema.createIndex('consent_events_agreement').on('consent_events').columns(['agreement_id', 'at']).execute();

  // The function comes from the kernel_audit history, which runs before any module's.
  for (const table of ['consent_agreements', 'consent_events']) {
    await sql`create trigger ${sql.id(`${table}_append_only`)} before update or delete on ${sql.table(table)}
      for each row execute function tb_audit_reject_change()`.execute(db);
    await sql`create trigger ${sql.id(`${table}_no_truncate`)} before truncate on ${sql.table(table)}
      for each statement execute function tb_audit_reject_change()`.execute(db);
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('consent_events').execute();
  await db.schema.dropTable('consent_agreements').execute();
}
