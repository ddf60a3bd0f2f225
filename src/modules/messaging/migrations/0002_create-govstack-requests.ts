import { sql, type Kysely } from 'kysely';

/**
 * Requests of the GovStack Messaging API (docs/adr/0063-govstack-messaging.md): one row per
 * `send/email/single` or `send/email/batch`, owned by the agency whose system sent it; its
 * messages are ordinary outbox rows that point to it. The callback columns follow the one call
 * to the sender's callback URI made once every message of the request is final.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('messaging_requests')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull())
    // The agency (the organisation's member code): only its systems see the request.
    .addColumn('agency', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('single', 'batch')`))
    // senderInfo as the system gave it: recorded, never used as the From address.
    .addColumn('sender', 'jsonb', (c) => c.notNull())
    .addColumn('callback_uri', 'text')
    // none: no URI; waiting: messages not all final; pending: the call is queued; delivered | failed.
    .addColumn('callback_state', 'text', (c) => c.notNull().check(sql`callback_state in ('none', 'waiting', 'pending', 'delivered', 'failed')`))
    .addColumn('callback_attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('callback_status', 'integer')
    .addColumn('callback_error', 'text')
    .addColumn('callback_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messaging_requests_agency').on('messaging_requests').columns(['agency', 'created_at']).execute();

  await db.schema.alterTable('messaging_messages').addColumn('request_id', 'uuid', (c) => c.references('messaging_requests.id')).execute();
  await db.schema.createIndex('messaging_messages_request').on('messaging_messages').column('request_id').execute();

  // What a system posted to `callback/email` about one of its requests (a reply it received, …).
  await db.schema
    .createTable('messaging_request_notes')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('request_id', 'uuid', (c) => c.notNull().references('messaging_requests.id'))
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('meta', 'text', (c) => c.notNull())
    // Base64 as received (checked to decode, at most 64 KiB decoded).
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('messaging_request_notes_request').on('messaging_request_notes').column('request_id').execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('messaging_request_notes').execute();
  await db.schema.dropIndex('messaging_messages_request').execute();
  await db.schema.alterTable('messaging_messages').dropColumn('request_id').execute();
  await db.schema.dropTable('messaging_requests').execute();
}
