import { sql, type Kysely, type Selectable } from 'kysely';

export type MessageStatus = 'queued' | 'sent' | 'failed' | 'kept';

export type MessagingTables = {
  messaging_messages: {
    id: string;
    recipient_account_id: string | null;
    recipient_address: string | null;
    locale: string;
    template: string;
    params: Record<string, string>;
    subject: string;
    body: string;
    status: MessageStatus;
    attempts: number;
    last_error: string | null;
    mail_message_id: string | null;
    created_at: Date;
    sent_at: Date | null;
    /** The GovStack Messaging request it belongs to (ADR 63), or null for a notification. */
    request_id: string | null;
  };
  messaging_requests: {
    id: string;
    client_id: string;
    agency: string;
    kind: 'single' | 'batch';
    sender: Record<string, string>;
    callback_uri: string | null;
    callback_state: CallbackState;
    callback_attempts: number;
    callback_status: number | null;
    callback_error: string | null;
    callback_at: Date | null;
    created_at: Date;
  };
  messaging_request_notes: {
    id: string;
    request_id: string;
    client_id: string;
    meta: string;
    content: string;
    created_at: Date;
  };
};

export type CallbackState = 'none' | 'waiting' | 'pending' | 'delivered' | 'failed';
export type RequestRow = Selectable<MessagingTables['messaging_requests']>;
export type NoteRow = Selectable<MessagingTables['messaging_request_notes']>;
/** What the GovStack status of a request is computed from: each message's state. */
export type MessageState = Pick<MessageRow, 'id' | 'recipient_address' | 'status' | 'attempts' | 'last_error'>;

export type MessageRow = Selectable<MessagingTables['messaging_messages']>;

/** The caller's transaction, or the database: any Kysely instance, whatever tables it knows. */
export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<MessagingTables> => executor.withTables<MessagingTables>();

// jsonb is written as a JSON string cast in SQL: one path for pg and PGlite.
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

const FINISHED: MessageStatus[] = ['sent', 'kept'];

/** Every query on the outbox table. */
export function createMessagingStore() {
  return {
    async insert(executor: Executor, row: Omit<MessageRow, 'attempts' | 'last_error' | 'mail_message_id' | 'sent_at' | 'request_id'> & { request_id?: string }): Promise<void> {
      await q(executor).insertInto('messaging_messages')
        .values({ ...row, params: jsonb(row.params), attempts: 0, last_error: null, mail_message_id: null, sent_at: null, request_id: row.request_id ?? null }).execute();
    },

    async insertRequest(executor: Executor, row: Omit<RequestRow, 'callback_attempts' | 'callback_status' | 'callback_error' | 'callback_at'>): Promise<void> {
      await q(executor).insertInto('messaging_requests')
        .values({ ...row, sender: jsonb(row.sender), callback_attempts: 0, callback_status: null, callback_error: null, callback_at: null }).execute();
    },

    request(executor: Executor, id: string): Promise<RequestRow | undefined> {
      return q(executor).selectFrom('messaging_requests').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** The request's messages in the order they were written (ids are time-ordered UUIDv7): recipient, then its copies. */
    messagesOf(executor: Executor, requestId: string): Promise<MessageState[]> {
      return q(executor).selectFrom('messaging_messages').select(['id', 'recipient_address', 'status', 'attempts', 'last_error'])
        .where('request_id', '=', requestId).orderBy('id').execute();
    },

    /** waiting → pending, once: true for the one caller that gets to queue the callback. */
    async callbackDue(executor: Executor, id: string): Promise<boolean> {
      const result = await q(executor).updateTable('messaging_requests').set({ callback_state: 'pending' })
        .where('id', '=', id).where('callback_state', '=', 'waiting').executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async recordCallback(executor: Executor, id: string, attempt: { state: 'pending' | 'delivered' | 'failed'; status: number | null; error: string | null; at: Date }): Promise<void> {
      await q(executor).updateTable('messaging_requests')
        .set((eb) => ({ callback_state: attempt.state, callback_attempts: eb('callback_attempts', '+', 1), callback_status: attempt.status, callback_error: attempt.error, callback_at: attempt.at }))
        .where('id', '=', id).where('callback_state', '=', 'pending').execute();
    },

    async insertNote(executor: Executor, row: NoteRow): Promise<void> {
      await q(executor).insertInto('messaging_request_notes').values(row).execute();
    },

    notesOf(executor: Executor, requestId: string): Promise<NoteRow[]> {
      return q(executor).selectFrom('messaging_request_notes').selectAll().where('request_id', '=', requestId).orderBy('created_at').orderBy('id').execute();
    },

    get(executor: Executor, id: string): Promise<MessageRow | undefined> {
      return q(executor).selectFrom('messaging_messages').selectAll().where('id', '=', id).executeTakeFirst();
    },

    /** Counts an attempt and records the address it goes to; false when the message is already finished. */
    async beginAttempt(executor: Executor, id: string, address: string | null): Promise<boolean> {
      const result = await q(executor).updateTable('messaging_messages')
        .set((eb) => ({ attempts: eb('attempts', '+', 1), recipient_address: address }))
        .where('id', '=', id).where('status', 'not in', FINISHED)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Marks it sent or kept; only once, so a second worker's late outcome changes nothing. */
    async finish(executor: Executor, id: string, outcome: { status: 'sent' | 'kept'; mailMessageId: string | null; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('messaging_messages')
        .set({ status: outcome.status, mail_message_id: outcome.mailMessageId, sent_at: outcome.status === 'sent' ? outcome.at : null, last_error: null })
        .where('id', '=', id).where('status', 'not in', FINISHED)
        .executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    /** Records a failed attempt: `queued` while the job will try again, `failed` when it will not. */
    async recordFailure(executor: Executor, id: string, failure: { error: string; final: boolean }): Promise<void> {
      await q(executor).updateTable('messaging_messages')
        .set({ status: failure.final ? 'failed' : 'queued', last_error: failure.error })
        .where('id', '=', id).where('status', 'not in', FINISHED)
        .execute();
    },

    async listForAccount(executor: Executor, accountId: string, page: { limit: number; offset: number }): Promise<{ rows: MessageRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        q(executor).selectFrom('messaging_messages').selectAll().where('recipient_account_id', '=', accountId)
          .orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        q(executor).selectFrom('messaging_messages').select((eb) => eb.fn.countAll<number>().as('n')).where('recipient_account_id', '=', accountId).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },

    async listAll(executor: Executor, page: { limit: number; offset: number }): Promise<{ rows: MessageRow[]; total: number }> {
      const [rows, count] = await Promise.all([
        q(executor).selectFrom('messaging_messages').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(page.limit).offset(page.offset).execute(),
        q(executor).selectFrom('messaging_messages').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { rows, total: Number(count.n) };
    },
  };
}
