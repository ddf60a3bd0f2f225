import { sql, type Kysely } from 'kysely';

/**
 * Bills (what an application owes), payments (online through a provider, or at a counter),
 * refunds, idempotency keys, provider webhook events already seen, and the built-in test
 * provider's own ledger. Money is an integer number of fen everywhere.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.createTable('payments_bills')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // No foreign key to the applications module's table: a module owns only its own tables.
    .addColumn('application_id', 'uuid', (c) => c.notNull().unique())
    // The application's reference: the bill id GovStack bill inquiries use.
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('service_id', 'uuid', (c) => c.notNull())
    .addColumn('applicant_account_id', 'uuid')
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull().check(sql`currency = 'CNY'`))
    .addColumn('due_when', 'text', (c) => c.notNull().check(sql`due_when in ('before_decision', 'after_decision')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema.createTable('payments_payments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('bill_id', 'uuid', (c) => c.notNull().references('payments_bills.id'))
    .addColumn('application_id', 'uuid', (c) => c.notNull())
    .addColumn('method', 'text', (c) => c.notNull().check(sql`method in ('online', 'cash', 'card', 'bank')`))
    .addColumn('provider', 'text')
    .addColumn('provider_ref', 'text', (c) => c.unique())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('pending', 'succeeded', 'declined', 'refunded')`))
    .addColumn('amount', 'integer', (c) => c.notNull().check(sql`amount > 0`))
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('payer_name', 'text', (c) => c.notNull())
    .addColumn('payer_account_id', 'uuid')
    // An account id, `client:<id>` for a system, or `provider:<name>`.
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('receipt_number', 'text', (c) => c.unique())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('settled_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('payments_payments_bill').on('payments_payments').column('bill_id').execute();
  await db.schema.createIndex('payments_payments_settled').on('payments_payments').column('settled_at').execute();

  await db.schema.createTable('payments_refunds')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('payment_id', 'uuid', (c) => c.notNull().unique().references('payments_payments.id'))
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('refunded_by', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema.createTable('payments_idempotency')
    // Who and what: `<account>:<operation>`, so one caller's key never answers another's call.
    .addColumn('scope', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('fingerprint', 'text', (c) => c.notNull())
    .addColumn('result', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('payments_idempotency_pk', ['scope', 'key'])
    .execute();

  await db.schema.createTable('payments_webhook_events')
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('event_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('provider_ref', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    // False when no payment had this reference: shown on the reconciliation report.
    .addColumn('matched', 'boolean', (c) => c.notNull())
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('payments_webhook_events_pk', ['provider', 'event_id'])
    .execute();

  // The built-in test provider's own books: what it would report as settled.
  await db.schema.createTable('payments_test_checkouts')
    .addColumn('ref', 'text', (c) => c.primaryKey())
    .addColumn('merchant_reference', 'text', (c) => c.notNull())
    .addColumn('amount', 'integer', (c) => c.notNull())
    .addColumn('currency', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull())
    .addColumn('return_url', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('open', 'pending', 'succeeded', 'declined', 'refunded')`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('settled_at', 'timestamptz')
    .execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['payments_test_checkouts', 'payments_webhook_events', 'payments_idempotency', 'payments_refunds', 'payments_payments', 'payments_bills']) {
    await db.schema.dropTable(table).execute();
  }
}
