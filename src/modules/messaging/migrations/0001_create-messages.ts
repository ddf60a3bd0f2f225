import { sql, type Kysely } from 'kysely';

/**
 * The outbox: one row per notification, written in the transaction of the change it announces,
 * then delivered (or kept) by a job. Recipient, text and parameters are personal data: they live
 * here and in the mail, never in logs or job payloads.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('messaging_messages')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    // No foreign key to identity's accounts: a module owns only its own tables.
    .addColumn('recipient_account_id', 'uuid')
    // Given by the caller, or looked up from the account when the message is delivered.
    .addColumn('recipient_address', 'text')
    .addColumn('locale', 'text', (c) => c.notNull().check(sql`locale in ('zh-CN', 'en')`))
    .addColumn('template', 'text', (c) => c.notNull())
    .addColumn('params', 'jsonb', (c) => c.notNull())
    .addColumn('subject', 'text', (c) => c.notNull())
    .addColumn('body', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'sent', 'failed', 'kept')`))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    // The Message-ID header it went out (or was kept) with.
    .addColumn('mail_message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('sent_at', 'timestamptz')
    .addCheckConstraint('messaging_messages_recipient', sql`recipient_account_id is not null or recipient_address is not null`)
    .execute();
  // A person's messages page and the outbox page, both newest first.
  await db.schema.createIndex('messaging_messages_account').on('messaging_messages').columns(['recipient_account_id', 'created_at']).execute();
  await db.schema.createIndex('messaging_messages_created').on('messaging_messages').column('created_at').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('messaging_messages').execute();
}
