import { purposeText } from '../../kernel/audit/index.js';
import type { Kysely } from 'kysely';
import { newId, UUID } from '../../kernel/ids.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { JobContext } from '../../kernel/jobs/index.js';
import { isMailAddress, type MailPort } from '../../kernel/ports/mail.js';
import { MessagingErrors } from './errors.js';
import { createOutboxMailPort, createSmtpMailPort, describeMailError } from './mail-ports.js';
import { createGovstackMessaging, type GOVSTACK_TEMPLATE } from './service-govstack.js';
import { createMessagingStore, type MessageRow, type MessageStatus } from './store.js';

export type { MessageStatus } from './store.js';
export { BATCH_MAX, SPEC_STATUSES, type SpecStatus } from './govstack.js';
export { CALLBACK_QUEUE, type GovstackCaller, type GovstackMessaging } from './service-govstack.js';
export { MessagingErrors } from './errors.js';
import { renderTemplate, type TemplateId, type TemplateParams } from './templates.js';
import './messages.js';

/** The queue whose jobs deliver messages; the payload is `{ messageId }` and nothing personal. */
export const DELIVER_QUEUE = 'messaging.deliver';

/**
 * What messaging needs from the identity module: an account and its email address, if it has
 * one. Looked up when the message is delivered, not when it is queued: `notify` runs inside the
 * caller's transaction, and on PGlite a query outside that transaction would wait for it forever.
 */
export interface AccountLookup {
  account(id: string): Promise<{ readonly id: string; readonly disabled: boolean; readonly email?: string | undefined } | undefined>;
}

export interface NotifyInput<T extends TemplateId> {
  /** Whose "Messages" page shows it; their email address, if any, is where it is sent. */
  readonly accountId?: string | undefined;
  /** Send here instead of (or, without an account, as well as listing under) the account's address. */
  readonly email?: string | undefined;
  readonly template: T;
  readonly params: TemplateParams<T>;
  readonly locale: Locale;
}

export interface Message {
  readonly id: string;
  readonly recipientAccountId: string | undefined;
  readonly recipientAddress: string | undefined;
  readonly locale: Locale;
  /** A platform template, or `govstack`: text an agency's system wrote (ADR 63). */
  readonly template: TemplateId | typeof GOVSTACK_TEMPLATE;
  readonly subject: string;
  readonly body: string;
  readonly status: MessageStatus;
  readonly attempts: number;
  readonly lastError: string | undefined;
  readonly createdAt: Date;
  readonly sentAt: Date | undefined;
}

export interface MessagePage {
  readonly items: readonly Message[];
  readonly page: number;
  readonly pageCount: number;
  readonly total: number;
}

const PAGE_SIZE = 20;

function toMessage(row: MessageRow): Message {
  return {
    id: row.id,
    recipientAccountId: row.recipient_account_id ?? undefined,
    recipientAddress: row.recipient_address ?? undefined,
    locale: row.locale as Locale,
    template: row.template as TemplateId | typeof GOVSTACK_TEMPLATE,
    subject: row.subject,
    body: row.body,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error ?? undefined,
    createdAt: row.created_at,
    sentAt: row.sent_at ?? undefined,
  };
}

export type MessagingService = ReturnType<typeof createMessagingService>;

/**
 * Notifications: `notify` writes the message and its delivery job in the caller's transaction;
 * the job, after commit, sends it through the mail port (SMTP when TONGBAN_SMTP_URL is set, else
 * the outbox-only port) and records the outcome. See docs/adr/0012-messaging-outbox.md.
 */
export function createMessagingService(kernel: Pick<Kernel, 'config' | 'db' | 'jobs' | 'log' | 'now' | 'audit'>, deps: { identity: AccountLookup }) {
  const store = createMessagingStore();
  const host = new URL(kernel.config.publicUrl).hostname;
  const from = `no-reply@${host}`;
  const mail: MailPort = kernel.config.smtpUrl ? createSmtpMailPort(kernel.config.smtpUrl, { from }) : createOutboxMailPort({ from });
  const log = kernel.log.child({ module: 'messaging' });
  const govstack = createGovstackMessaging(kernel, { store, deliverQueue: DELIVER_QUEUE });

  const addressOf = async (accountId: string): Promise<string | null> => {
    const account = await deps.identity.account(accountId);
    return account && !account.disabled && account.email && isMailAddress(account.email) ? account.email : null;
  };

  /**
   * The job handler. Idempotent: a message already sent or kept is not sent again. A message of a
   * GovStack request then lets the request queue its callback once all its messages are final;
   * also on a repeated run, so a crash between the two loses no callback.
   */
  const deliver = async (messageId: string, job: Pick<JobContext, 'attempt' | 'maxAttempts'>): Promise<void> => {
    const row = await store.get(kernel.db, messageId);
    if (!row) {
      log.warn({ messageId }, 'message to deliver does not exist');
      return;
    }
    try {
      await attempt(row, job);
    } finally {
      if (row.request_id !== null) await govstack.settle(row.request_id);
    }
  };

  const attempt = async (row: MessageRow, job: Pick<JobContext, 'attempt' | 'maxAttempts'>): Promise<void> => {
    const messageId = row.id;
    if (row.status === 'sent' || row.status === 'kept') return;
    const address = row.recipient_address ?? (row.recipient_account_id ? await addressOf(row.recipient_account_id) : null);
    if (!(await store.beginAttempt(kernel.db, messageId, address))) return;
    if (!address) {
      // Nowhere to send it: the person reads it on their Messages page.
      await store.finish(kernel.db, messageId, { status: 'kept', mailMessageId: null, at: kernel.now() });
      log.info({ messageId }, 'message kept: the recipient has no email address');
      return;
    }
    let sent: { messageId: string };
    try {
      // A stable Message-ID: a send repeated after a crash is recognisably the same message.
      sent = await mail.send({ to: address, subject: row.subject, text: row.body, messageId: `<${row.id}@${host}>` });
    } catch (error) {
      const retryable = !(error instanceof TongbanError) || error.code === MessagingErrors.TB_MESSAGING_DELIVERY_FAILED;
      const final = !retryable || job.attempt >= job.maxAttempts;
      const description = error instanceof TongbanError ? `${error.code}: ${error.message}` : describeMailError(error);
      await store.recordFailure(kernel.db, messageId, { error: description, final });
      log.warn({ messageId, attempt: job.attempt, final, code: error instanceof TongbanError ? error.code : undefined }, 'message not delivered');
      // Thrown while the job should try again, and on the last attempt so the job shows failed
      // too; a refusal that no retry can change ends here.
      if (retryable) throw error instanceof TongbanError ? error : new TongbanError(MessagingErrors.TB_MESSAGING_DELIVERY_FAILED, { detail: description });
      return;
    }
    const status = mail.delivery === 'smtp' ? 'sent' : 'kept';
    await store.finish(kernel.db, messageId, { status, mailMessageId: sent.messageId, at: kernel.now() });
    log.info({ messageId, status }, 'message delivered');
  };

  kernel.jobs.register<{ messageId: string }>(DELIVER_QUEUE, (payload, context) => deliver(payload.messageId, context));

  const page = (result: { rows: MessageRow[]; total: number }, number: number): MessagePage => ({
    items: result.rows.map(toMessage),
    page: number,
    pageCount: Math.max(1, Math.ceil(result.total / PAGE_SIZE)),
    total: result.total,
  });
  const window = (number: number) => ({ limit: PAGE_SIZE, offset: (Math.max(1, Math.floor(number)) - 1) * PAGE_SIZE });

  return {
    /** `smtp`: messages are emailed; `kept`: they stay in the outbox (no TONGBAN_SMTP_URL). */
    delivery: mail.delivery,

    /** The GovStack Messaging API's operations (docs/adr/0063-govstack-messaging.md). */
    govstack,

    /**
     * Queues a notification in the caller's transaction: the message row and its delivery job
     * commit or roll back with the change they announce. Renders it now, so what the person
     * reads on their Messages page is exactly what was mailed, whatever later edits do to the
     * templates. Throws TB_MESSAGING_INVALID_NOTIFICATION (a caller's bug) or
     * TB_MESSAGING_ADDRESS_INVALID.
     */
    async notify<T extends TemplateId>(executor: Kysely<object>, input: NotifyInput<T>): Promise<{ id: string }> {
      const { accountId, email } = input;
      if (accountId === undefined && email === undefined) {
        throw new TongbanError(MessagingErrors.TB_MESSAGING_INVALID_NOTIFICATION, { detail: 'a notification needs an account or an email address' });
      }
      if (accountId !== undefined && !UUID.test(accountId)) {
        throw new TongbanError(MessagingErrors.TB_MESSAGING_INVALID_NOTIFICATION, { detail: 'the account id is not a UUID' });
      }
      if (email !== undefined && !isMailAddress(email)) throw new TongbanError(MessagingErrors.TB_MESSAGING_ADDRESS_INVALID);
      const params = input.params as Readonly<Record<string, string>>;
      const rendered = renderTemplate(input.template, params, input.locale, kernel.config.publicUrl);
      const id = newId();
      await store.insert(executor, {
        id, recipient_account_id: accountId ?? null, recipient_address: email ?? null, locale: input.locale,
        template: input.template, params: { ...params }, subject: rendered.subject, body: rendered.body,
        status: 'queued', created_at: kernel.now(),
      });
      await kernel.jobs.enqueue(executor, DELIVER_QUEUE, { messageId: id }, { key: id });
      return { id };
    },

    async get(id: string): Promise<Message | undefined> {
      const row = UUID.test(id) ? await store.get(kernel.db, id) : undefined;
      return row ? toMessage(row) : undefined;
    },

    /** A person's notifications, newest first: their "Messages" page. */
    async listForAccount(accountId: string, options: { page?: number } = {}): Promise<MessagePage> {
      const number = options.page ?? 1;
      if (!UUID.test(accountId)) return page({ rows: [], total: 0 }, 1);
      return page(await store.listForAccount(kernel.db, accountId, window(number)), number);
    },

    /**
     * Every message and its delivery status, newest first: the demo outbox page. Showing an
     * address and a message is a read of that person's data, so each account on the page gets
     * an audit record naming the administrator who looked.
     */
    async outbox(viewer: { accountId: string; requestId?: string }, options: { page?: number } = {}): Promise<MessagePage> {
      const number = options.page ?? 1;
      const result = page(await store.listAll(kernel.db, window(number)), number);
      const subjects = [...new Set(result.items.flatMap((m) => (m.recipientAccountId ? [m.recipientAccountId] : [])))];
      for (const subject of subjects) {
        await kernel.audit.append(kernel.db, {
          actor: { kind: 'staff', id: viewer.accountId }, action: 'messaging.outbox.view', subject,
          purpose: purposeText('messaging.purpose.outbox'),
          ...(viewer.requestId ? { requestId: viewer.requestId } : {}),
          details: { messages: result.items.filter((m) => m.recipientAccountId === subject).length },
        });
      }
      return result;
    },
  };
}
