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
  };
};

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
    async insert(executor: Executor, row: Omit<MessageRow, 'attempts' | 'last_error' | 'mail_message_id' | 'sent_at'>): Promise<void> {
      await q(executor).insertInto('messaging_messages')
        .values({ ...row, params: jsonb(row.params), attempts: 0, last_error: null, mail_message_id: null, sent_at: null }).execute();
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
