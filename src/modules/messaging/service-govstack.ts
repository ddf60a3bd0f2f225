import { agencyOfOrganisation, clientActor, type MachineClient } from '../../kernel/auth/machine/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import type { Locale } from '../../kernel/i18n/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { newId, UUID } from '../../kernel/ids.js';
import { postPinned, resolveDestination, systemResolve } from '../../kernel/net/pinned.js';
import { MessagingErrors } from './errors.js';
import { allFinal, callbackTarget, countStatuses, readBatch, readNote, readSingle, specStatusOf, type SpecStatus } from './govstack.js';
import type { createMessagingStore, RequestRow } from './store.js';

/**
 * The GovStack Messaging API's side of the service (docs/adr/0063-govstack-messaging.md). A send
 * writes one request row and one ordinary outbox message (with its delivery job) per address, in
 * one transaction with the Idempotency-Key and the audit record; the outbox's job sends them
 * after commit. When every message of a request with a callback URI is final, one durable job
 * POSTs the delivery result there, retried with the queue's back-off.
 */

export const CALLBACK_QUEUE = 'messaging.govstack-callback';
export const CALLBACK_ATTEMPTS = 8;
const CALLBACK_TIMEOUT_MS = 10_000;
/** The outbox's `template` of a message a system wrote itself. */
export const GOVSTACK_TEMPLATE = 'govstack';

export interface GovstackCaller {
  readonly client: Pick<MachineClient, 'clientId' | 'organisation'>;
  readonly locale: Locale;
  readonly requestId?: string | undefined;
}

type Store = ReturnType<typeof createMessagingStore>;
type GovstackKernel = Pick<Kernel, 'config' | 'db' | 'jobs' | 'log' | 'now' | 'audit' | 'resolve'>;

export type GovstackMessaging = ReturnType<typeof createGovstackMessaging>;

export function createGovstackMessaging(kernel: GovstackKernel, deps: { store: Store; deliverQueue: string }) {
  const { store } = deps;
  const { db } = kernel;
  const log = kernel.log.child({ module: 'messaging', part: 'govstack' });
  const production = () => kernel.config.env === 'production';

  /** The caller's agency's request, or 404 (another agency's is logged as security.denied, and answers the same). */
  const own = async (caller: GovstackCaller, requestUid: string | undefined): Promise<RequestRow> => {
    const row = requestUid !== undefined && UUID.test(requestUid) ? await store.request(db, requestUid) : undefined;
    if (!row || row.agency !== agencyOfOrganisation(caller.client.organisation)) {
      throw new TongbanError(MessagingErrors.TB_MESSAGING_REQUEST_NOT_FOUND, {
        detail: 'No request of your agency has this requestUid',
        fields: [{ pointer: '/headers/requestuid', message: 'messaging.error.requestNotFound', detail: 'No request of your agency has this requestUid' }],
        ...(row ? { denied: 'other-agency' as const } : {}),
      });
    }
    return row;
  };

  const send = async (caller: GovstackCaller, kind: 'single' | 'batch', body: unknown, idempotency?: IdempotencyClaim): Promise<{ requestUid: string }> => {
    const request = kind === 'single' ? readSingle(body, production()) : readBatch(body, production());
    const id = newId();
    const now = kernel.now();
    return kernel.db.transaction().execute((tx) => withIdempotency(tx, idempotency, async () => {
      await store.insertRequest(tx, {
        id, client_id: caller.client.clientId, agency: agencyOfOrganisation(caller.client.organisation), kind, sender: { ...request.sender },
        callback_uri: request.callbackUri ?? null, callback_state: request.callbackUri ? 'waiting' : 'none', created_at: now,
      });
      let messages = 0;
      for (const recipient of request.recipients) {
        // Cc and Bcc go as copies of their own: the mail port sends to one address (ADR 63).
        const copies = new Map<string, 'to' | 'cc' | 'bcc'>();
        for (const [address, role] of [[recipient.email, 'to'], [recipient.cc, 'cc'], [recipient.bcc, 'bcc']] as const) {
          if (address !== undefined && !copies.has(address.toLowerCase())) copies.set(address.toLowerCase(), role);
        }
        for (const [address, role] of copies) {
          const messageId = newId();
          await store.insert(tx, {
            id: messageId, recipient_account_id: null, recipient_address: address, locale: caller.locale, template: GOVSTACK_TEMPLATE,
            params: { role }, subject: request.title, body: request.content, status: 'queued', created_at: now, request_id: id,
          });
          await kernel.jobs.enqueue(tx, deps.deliverQueue, { messageId }, { key: messageId });
          messages += 1;
        }
      }
      await kernel.audit.append(tx, {
        actor: clientActor(caller.client), action: 'messaging.govstack.send', resource: { type: 'messaging.request', id },
        ...(caller.requestId ? { requestId: caller.requestId } : {}),
        details: { kind, recipients: request.recipients.length, messages, callback: request.callbackUri !== undefined },
      });
      return { requestUid: id };
    }));
  };

  /** Queues the callback once every message of the request is final (called after each delivery attempt). */
  const settle = async (requestId: string): Promise<void> => {
    const row = await store.request(db, requestId);
    if (row?.callback_state !== 'waiting' || !allFinal(await store.messagesOf(db, requestId))) return;
    await db.transaction().execute(async (tx) => {
      if (await store.callbackDue(tx, requestId)) {
        await kernel.jobs.enqueue(tx, CALLBACK_QUEUE, { requestId }, { key: `callback:${requestId}`, maxAttempts: CALLBACK_ATTEMPTS });
      }
    });
  };

  /** The callback job: POSTs the spec's callbackContent with the result as base64 JSON; non-2xx or no answer is retried. */
  const callBack = async (requestId: string, attempt: number, maxAttempts: number): Promise<void> => {
    const row = await store.request(db, requestId);
    if (row?.callback_state !== 'pending' || row.callback_uri === null) return;
    const at = kernel.now();
    // Checked again: the platform may have gone to production since the URI was accepted.
    const target = callbackTarget(row.callback_uri, production());
    if (!target) {
      await store.recordCallback(db, requestId, { state: 'failed', status: null, error: 'the callback URI is not allowed', at });
      return;
    }
    // Resolved once and checked (in production every address must be public); the connection goes
    // to the checked addresses only, so a changed DNS answer is never called (rebinding).
    const destination = await resolveDestination(target, { resolve: kernel.resolve ?? systemResolve, refuseInternal: production() });
    if (destination.kind === 'internal') {
      // Trying again cannot help: recorded as final, and the job ends without a retry.
      await store.recordCallback(db, requestId, { state: 'failed', status: null, error: `${MessagingErrors.TB_MESSAGING_CALLBACK_ADDRESS_INTERNAL}: the host name resolves to an internal address`, at });
      log.warn({ requestId, host: target.hostname, code: MessagingErrors.TB_MESSAGING_CALLBACK_ADDRESS_INTERNAL }, 'messaging callback refused: internal address');
      return;
    }
    const messages = await store.messagesOf(db, requestId);
    const result = { requestUid: requestId, status: countStatuses(messages), messages: messages.map((m) => ({ email: m.recipient_address, status: specStatusOf(m) })) };
    const body = JSON.stringify({ meta: 'deliveryStatus', content: Buffer.from(JSON.stringify(result), 'utf8').toString('base64') });
    let status: number | null = null;
    let error: string | null = null;
    if (destination.kind === 'unresolved') {
      error = `the host name did not resolve (${destination.reason})`;
    } else {
      try {
        // No redirects: a 3xx is a failure, so the URI checked is the only address called.
        const answer = await postPinned(target, destination.addresses, {
          timeoutMs: CALLBACK_TIMEOUT_MS, body, headers: { 'content-type': 'application/json', requestUid: requestId, 'user-agent': 'Tongban-Messaging-Callback' },
        });
        status = answer.status;
        if (answer.status < 200 || answer.status > 299) error = `the callback URI answered ${answer.status}`;
      } catch (e) {
        error = e instanceof Error ? e.name : 'the request failed';
      }
    }
    const final = error !== null && attempt >= maxAttempts;
    await store.recordCallback(db, requestId, { state: error === null ? 'delivered' : final ? 'failed' : 'pending', status, error, at });
    if (error !== null) {
      log.warn({ requestId, attempt, final, status }, 'messaging callback not accepted');
      throw new TongbanError(MessagingErrors.TB_MESSAGING_CALLBACK_FAILED, { detail: error });
    }
  };
  kernel.jobs.register<{ requestId: string }>(CALLBACK_QUEUE, (payload, context) => callBack(payload.requestId, context.attempt, context.maxAttempts));

  return {
    settle,

    /** `send/email/single`: one recipient (and its Cc and Bcc copies). */
    sendSingle: (caller: GovstackCaller, body: unknown, idempotency?: IdempotencyClaim) => send(caller, 'single', body, idempotency),

    /** `send/email/batch`: up to BATCH_MAX recipients with the same title and content. */
    sendBatch: (caller: GovstackCaller, body: unknown, idempotency?: IdempotencyClaim) => send(caller, 'batch', body, idempotency),

    /** `status/email`: how many of the request's messages are in each asked-for status. */
    async status(caller: GovstackCaller, requestUid: string | undefined, statuses: readonly SpecStatus[]): Promise<Partial<Record<SpecStatus, number>>> {
      const row = await own(caller, requestUid);
      const counts = countStatuses(await store.messagesOf(db, row.id));
      return Object.fromEntries(statuses.map((s) => [s, counts[s]]));
    },

    /** `callback/email`: keeps what the system posts about its own request (e.g. a reply it received). */
    async note(caller: GovstackCaller, requestUid: string | undefined, body: unknown, idempotency?: IdempotencyClaim): Promise<{ noteId: string }> {
      const row = await own(caller, requestUid);
      const note = readNote(body);
      const id = newId();
      return kernel.db.transaction().execute((tx) => withIdempotency(tx, idempotency, async () => {
        await store.insertNote(tx, { id, request_id: row.id, client_id: caller.client.clientId, meta: note.meta, content: note.content, created_at: kernel.now() });
        await kernel.audit.append(tx, {
          actor: clientActor(caller.client), action: 'messaging.govstack.callback', resource: { type: 'messaging.request', id: row.id },
          ...(caller.requestId ? { requestId: caller.requestId } : {}), details: { noteId: id, meta: note.meta.slice(0, 100) },
        });
        return { noteId: id };
      }));
    },

    /** A request's callback progress and kept notes, for its own agency (tests, support). */
    async request(caller: GovstackCaller, requestUid: string) {
      const row = await own(caller, requestUid);
      return { row, notes: await store.notesOf(db, row.id) };
    },
  };
}
