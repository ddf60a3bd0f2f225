import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Db } from '../../kernel/db/index.js';
import type { PaymentProvider, ProviderStatus, WebhookEvent } from './provider.js';
import { signWebhook, SIGNATURE_HEADER } from './signature.js';
import type { CheckoutStatus, PaymentsStore } from './store.js';

export const TEST_PROVIDER = 'test-provider';
export const TEST_PROVIDER_PATH = '/payments/test-provider';
export type TestOutcome = 'success' | 'declined' | 'pending';

export interface TestProviderOptions {
  readonly db: Db;
  readonly store: PaymentsStore;
  readonly publicUrl: string;
  readonly secret: () => Promise<string>;
  readonly now: () => Date;
  readonly log: Logger;
  /** How long "pending, then settled" stays pending before its settlement webhook. */
  readonly settleDelayMs: number;
}

/**
 * A payment provider that lives inside Tongban for the demo and the tests: its own checkout page
 * (routes-provider.ts), its own books (payments_test_checkouts), and signed webhooks it POSTs over
 * real HTTP to Tongban's webhook route, after its response, outside any transaction.
 */
export function createTestProvider(options: TestProviderOptions) {
  const { db, store, publicUrl, log } = options;
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;

  async function post(event: WebhookEvent): Promise<void> {
    const body = JSON.stringify(event);
    const signature = signWebhook(await options.secret(), body, options.now());
    // A few tries, as real providers do; the route's event id check makes the repeats harmless.
    for (let attempt = 1; attempt <= 3 && !closed; attempt += 1) {
      try {
        const response = await fetch(`${publicUrl}/payments/webhooks/${TEST_PROVIDER}`, {
          method: 'POST', body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature },
        });
        if (response.ok) return;
        log.warn({ status: response.status, event: event.id }, 'test provider webhook refused');
        if (response.status < 500) return;
      } catch (error) {
        log.warn({ err: error, event: event.id, attempt }, 'test provider webhook not delivered');
      }
      await new Promise((resolve) => setTimeout(resolve, 100 * attempt));
    }
  }

  const event = (type: WebhookEvent['type'], ref: string, amount: number): WebhookEvent => ({
    id: `evt_${randomBytes(12).toString('hex')}`, type, created: Math.floor(options.now().getTime() / 1000), data: { ref, amount, currency: 'CNY' },
  });

  const port: PaymentProvider = {
    name: TEST_PROVIDER,
    async createCheckout(request) {
      const ref = `tp_${randomBytes(12).toString('hex')}`;
      await store.insertCheckout(db, {
        ref, merchant_reference: request.paymentId, amount: request.amount, currency: request.currency, description: request.description,
        return_url: request.returnUrl, status: 'open', created_at: options.now(), settled_at: null,
      });
      return { ref, redirectUrl: `${TEST_PROVIDER_PATH}/checkout/${ref}` };
    },
    async status(ref): Promise<ProviderStatus> {
      return (await store.checkout(db, ref))?.status ?? 'unknown';
    },
    // Its own compare-and-set makes a repeat harmless, whatever the idempotency key.
    async refund(ref) {
      await store.setCheckout(db, ref, ['succeeded'], 'refunded', null);
    },
    async settlements(from, to) {
      return (await store.checkoutsSettledBetween(db, from, to)).map((c) => ({ ref: c.ref, amount: c.amount, settledAt: c.settled_at ?? c.created_at }));
    },
  };

  return {
    port,
    checkout: (ref: string) => store.checkout(db, ref),

    /**
     * The tester's choice on the checkout page. Returns where to send the browser and a function
     * that sends the webhooks; the route calls it once its response has gone.
     */
    async complete(ref: string, outcome: TestOutcome): Promise<{ returnUrl: string; send: () => void } | undefined> {
      const checkout = await store.checkout(db, ref);
      if (!checkout) return undefined;
      const to: CheckoutStatus = outcome === 'success' ? 'succeeded' : outcome === 'declined' ? 'declined' : 'pending';
      const changed = await store.setCheckout(db, ref, ['open'], to, to === 'succeeded' ? options.now() : null);
      const returnUrl = checkout.return_url;
      if (!changed) return { returnUrl, send: () => undefined };
      const send = (): void => {
        if (outcome !== 'pending') {
          void post(event(outcome === 'success' ? 'payment.succeeded' : 'payment.declined', ref, checkout.amount));
          return;
        }
        void post(event('payment.pending', ref, checkout.amount));
        const timer = setTimeout(() => {
          timers.delete(timer);
          if (closed) return;
          void (async () => {
            if (await store.setCheckout(db, ref, ['pending'], 'succeeded', options.now())) await post(event('payment.succeeded', ref, checkout.amount));
          })().catch((error: unknown) => log.warn({ err: error, ref }, 'test provider could not settle'));
        }, options.settleDelayMs);
        timer.unref();
        timers.add(timer);
      };
      return { returnUrl, send };
    },

    /** Stops pending settlements (the app is closing, the database with it). */
    close(): void {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}

export type TestProvider = ReturnType<typeof createTestProvider>;
