import type { Kernel } from '../../kernel/context.js';
import type { JobContext } from '../../kernel/jobs/index.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { PaymentsErrors } from './errors.js';
import type { PaymentProvider } from './provider.js';
import type { Executor, PaymentsStore } from './store.js';

/** The queue of refunds to send to a payment provider: one job per refund, keyed by its id. */
export const PROVIDER_REFUND_QUEUE = 'payments.provider-refund';
/** The queue's default: about two and a half hours of retrying, then `tongban jobs failed` lists it. */
export const PROVIDER_REFUND_ATTEMPTS = 12;

interface Deps {
  readonly kernel: Pick<Kernel, 'db' | 'jobs' | 'now' | 'log'>;
  readonly store: PaymentsStore;
  readonly provider: (name: string) => PaymentProvider;
}

/**
 * Refunds of money taken online are sent to the provider by a durable job enqueued in the refund's
 * transaction (ADR 4, ADR 21 "Since then"), never from the request: the job exists if and only if
 * the refund committed, is retried when the provider fails, and gives the provider our refund id as
 * its idempotency key, so a job run twice (a lost lease, a crash after the call) refunds once.
 */
export function createProviderRefunds({ kernel, store, provider }: Deps) {
  const { db } = kernel;
  const log = kernel.log.child({ module: 'payments' });

  async function send(refundId: string, context: JobContext): Promise<void> {
    const refund = await store.refund(db, refundId);
    // Confirmed already (the job ran again after its success), or nothing for a provider to do.
    if (!refund || refund.provider_state === null || refund.provider_state === 'confirmed') return;
    const payment = await store.payment(db, refund.payment_id);
    if (!payment?.provider || !payment.provider_ref) return;
    const attempts = refund.provider_attempts + 1;
    try {
      await provider(payment.provider).refund(payment.provider_ref, refund.amount, { idempotencyKey: refund.id });
    } catch (error) {
      const final = context.attempt >= context.maxAttempts;
      const message = error instanceof Error ? `${error.name}: ${error.message}` : 'the provider call failed';
      await store.recordRefundAtProvider(db, refund.id, { state: final ? 'failed' : 'pending', attempts, error: message, at: kernel.now() });
      log.warn({ refundId: refund.id, paymentId: payment.id, provider: payment.provider, attempt: context.attempt, final }, 'refund not accepted by the payment provider');
      throw new TongbanError(PaymentsErrors.TB_PAYMENTS_PROVIDER_FAILED, { detail: `refund ${refund.id} of payment ${payment.id} at ${payment.provider}: ${message}`, cause: error });
    }
    await store.recordRefundAtProvider(db, refund.id, { state: 'confirmed', attempts, error: null, at: kernel.now() });
  }

  kernel.jobs.register<{ refundId: string }>(PROVIDER_REFUND_QUEUE, (payload, context) => send(payload.refundId, context));

  return {
    /** In the refund's transaction: the provider is asked once it has committed. */
    enqueue: (tx: Executor, refundId: string) => kernel.jobs.enqueue(tx, PROVIDER_REFUND_QUEUE, { refundId }, { key: refundId, maxAttempts: PROVIDER_REFUND_ATTEMPTS }),
  };
}

export type ProviderRefunds = ReturnType<typeof createProviderRefunds>;
