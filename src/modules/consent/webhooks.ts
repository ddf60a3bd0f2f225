import { createHmac } from 'node:crypto';
import { newId } from '../../kernel/ids.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { postPinned, resolveDestination, systemResolve } from '../../kernel/net/pinned.js';
import { ConsentErrors } from './errors.js';
import type { Executor } from './store.js';
import { createConsentApiStore, type DeliveryRow } from './store-api.js';

/**
 * Webhook deliveries of the GovStack Consent API: an event of an agency is written, in the
 * transaction that makes it happen, as one delivery row and one durable job per live webhook of
 * that agency; the job POSTs the body over HTTP, signed with the webhook's secret, and is retried
 * with the queue's backoff until the receiver answers 2xx. docs/adr/0029-consent-api-complete.md.
 */

export const WEBHOOK_QUEUE = 'consent.webhook-delivery';
export const WEBHOOK_ATTEMPTS = 8;
const TIMEOUT_MS = 10_000;

export const WEBHOOK_EVENTS = ['consent.given', 'consent.withdrawn', 'consent.signed', 'agreement.saved', 'agreement.retired', 'individual.records.deleted'] as const;
export type WebhookEvent = (typeof WEBHOOK_EVENTS)[number];

/** `X-ConsentBB-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">` (the receiver checks both and the age of t). */
export function signatureHeader(secret: string, body: string, at: Date): string {
  const t = Math.floor(at.getTime() / 1000);
  return `t=${t},v1=${createHmac('sha256', secret).update(`${t}.${body}`).digest('hex')}`;
}

export type Webhooks = ReturnType<typeof createWebhooks>;

export function createWebhooks(kernel: Pick<Kernel, 'db' | 'jobs' | 'now' | 'log' | 'config' | 'resolve'>) {
  const store = createConsentApiStore();
  const { db, log } = kernel;

  async function deliver(deliveryId: string, attempt: number, maxAttempts: number): Promise<void> {
    const delivery = await store.delivery(db, deliveryId);
    // A failed delivery runs again only when an operator retries its failed job (`tongban jobs retry`).
    if (!delivery || delivery.state === 'delivered') return;
    const hook = await store.webhook(db, delivery.webhook_id);
    if (!hook || hook.deleted_at !== null || hook.disabled) {
      await store.recordAttempt(db, deliveryId, { state: 'failed', status: null, error: 'the webhook was disabled or deleted', at: kernel.now() });
      return;
    }
    const at = kernel.now();
    let url: URL;
    try {
      url = new URL(hook.payload_url);
    } catch {
      await store.recordAttempt(db, deliveryId, { state: 'failed', status: null, error: 'the payload URL is not a URL', at });
      return;
    }
    // The receiver's name is resolved once and checked (in production every address must be
    // public), and the connection goes to the checked addresses only (no DNS rebinding).
    const destination = await resolveDestination(url, { resolve: kernel.resolve ?? systemResolve, refuseInternal: kernel.config.env === 'production' });
    if (destination.kind === 'internal') {
      // Trying again cannot help: final, and the job ends without a retry.
      await store.recordAttempt(db, deliveryId, { state: 'failed', status: null, error: `${ConsentErrors.TB_CONSENT_WEBHOOK_ADDRESS_INTERNAL}: the payload URL's host resolves to an internal address`, at });
      log.warn({ deliveryId, webhookId: hook.id, host: url.hostname, code: ConsentErrors.TB_CONSENT_WEBHOOK_ADDRESS_INTERNAL }, 'consent webhook refused: internal address');
      return;
    }
    let status: number | null = null;
    let error: string | null = null;
    if (destination.kind === 'unresolved') {
      error = `the payload URL's host did not resolve (${destination.reason})`;
    } else {
      try {
        // No redirects: a 3xx is a failure, so the checked address is the only one called.
        const answer = await postPinned(url, destination.addresses, {
          timeoutMs: TIMEOUT_MS, body: delivery.body,
          headers: {
            'content-type': hook.content_type, 'user-agent': 'Tongban-ConsentBB-Webhook',
            'x-consentbb-event': delivery.event, 'x-consentbb-delivery': delivery.id, 'x-consentbb-signature': signatureHeader(hook.secret_key, delivery.body, at),
          },
        });
        status = answer.status;
        if (answer.status < 200 || answer.status > 299) error = `the receiver answered ${answer.status}`;
      } catch (e) {
        error = e instanceof Error ? `${e.name}: ${e.message}` : 'the request failed';
      }
    }
    const final = error !== null && attempt >= maxAttempts;
    await store.recordAttempt(db, deliveryId, { state: error === null ? 'delivered' : final ? 'failed' : 'pending', status, error, at });
    if (error !== null) {
      log.warn({ deliveryId, webhookId: hook.id, attempt, final, status }, 'consent webhook not delivered');
      throw new TongbanError(ConsentErrors.TB_CONSENT_WEBHOOK_DELIVERY_FAILED, { detail: error });
    }
  }

  kernel.jobs.register<{ deliveryId: string }>(WEBHOOK_QUEUE, (payload, context) => deliver(payload.deliveryId, context.attempt, context.maxAttempts));

  return {
    /** Writes the event for every live webhook of the agency, in the caller's transaction. */
    async announce(executor: Executor, agency: string, event: WebhookEvent, data: Record<string, unknown>): Promise<void> {
      const hooks = await store.liveWebhooks(executor, agency);
      for (const hook of hooks) {
        const id = newId();
        const at = kernel.now();
        const row: DeliveryRow = {
          id, webhook_id: hook.id, event, body: JSON.stringify({ id, webhookId: hook.id, event, at: at.toISOString(), agency, data }),
          state: 'pending', attempts: 0, last_status: null, last_error: null, created_at: at, delivered_at: null,
        };
        await store.insertDelivery(executor, row);
        await kernel.jobs.enqueue(executor, WEBHOOK_QUEUE, { deliveryId: id }, { key: id, maxAttempts: WEBHOOK_ATTEMPTS });
      }
    },
  };
}
