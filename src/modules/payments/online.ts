import { newId } from '../../kernel/ids.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import type { Books } from './books.js';
import { PaymentsErrors } from './errors.js';
import { caseClosed, invalid, notFound, receiptNumber, stateOf, UUID, type Payment } from './model.js';
import type { PaymentProvider, WebhookEvent } from './provider.js';
import { verifyWebhook } from './signature.js';
import type { Executor, PaymentsStore } from './store.js';
import { TEST_PROVIDER, TEST_PROVIDER_PATH } from './test-provider.js';

interface OnlineDeps {
  readonly kernel: Kernel;
  readonly store: PaymentsStore;
  readonly books: Pick<Books, 'forApplicant' | 'paymentsOf' | 'once' | 'closedCase'>;
  readonly provider: (name: string) => PaymentProvider;
  readonly webhookSecret: () => Promise<string>;
  readonly log: Pick<Kernel['log'], 'warn'>;
}

/**
 * Paying online through a provider: the checkout, the person's return, and the provider's signed
 * webhooks. A network call to the provider is never made inside a transaction.
 */
export function createOnlinePayments({ kernel, store, books, provider, webhookSecret, log }: OnlineDeps) {
  const db: Executor = kernel.db;

  /**
   * Applies a provider's outcome to the payment it names; only from pending, so repeats change
   * nothing. The bill is locked first, as every paying transaction does. A success is recorded
   * even on a bill already paid (at a counter or a bank while this checkout was open): the money
   * was taken, so it is kept and flagged for a refund (the reconciliation's `overpaid`).
   */
  async function applyOutcome(tx: Executor, ref: string, outcome: 'succeeded' | 'declined'): Promise<boolean> {
    const payment = await store.paymentByProviderRef(tx, ref);
    if (!payment) return false;
    const bill = await store.lockBill(tx, payment.bill_id);
    const at = kernel.now();
    const changed = outcome === 'succeeded'
      ? await store.settle(tx, payment.id, ['pending'], 'succeeded', { settledAt: at, receiptNumber: receiptNumber(at) })
      : await store.settle(tx, payment.id, ['pending'], 'declined');
    if (changed) {
      const others = outcome === 'succeeded' ? (await books.paymentsOf(bill.id, tx)).filter((p) => p.id !== payment.id) : [];
      const overpaid = outcome === 'succeeded' && stateOf(bill, others).state === 'paid';
      // Paying started on an open case, which may have closed since (withdrawn, rejected): the
      // provider has taken the money all the same. It is kept, and the daily reconciliation flags
      // it as a refund due (reconcile.ts); the log says so at once.
      const closed = outcome === 'succeeded' ? await books.closedCase(payment.application_id, tx) : undefined;
      if (closed) log.warn({ paymentId: payment.id, applicationId: payment.application_id, caseStatus: closed.status }, 'payment succeeded after its case closed: refund due');
      if (overpaid) log.warn({ paymentId: payment.id, applicationId: payment.application_id }, 'payment succeeded on a bill already paid: refund due');
      await kernel.audit.append(tx, {
        actor: { kind: 'system', id: `provider:${payment.provider ?? ''}` }, action: `payments.payment.${outcome}`,
        ...(payment.payer_account_id ? { subject: payment.payer_account_id } : {}),
        resource: { type: 'payment', id: payment.id },
        details: { amount: payment.amount, applicationId: payment.application_id, ...(closed ? { caseClosed: closed.status } : {}), ...(overpaid ? { overpaid: true } : {}) },
      });
    }
    return true;
  }

  /**
   * Starts paying online. The bill is locked and its open checkout (a pending online payment) is
   * reused, so a second tab, a new page or a client's new key never opens a second way to take
   * the same fee; otherwise one pending payment is made per idempotency key. The checkout is
   * made at the provider outside the transaction (a real provider is across the network).
   */
  async function startOnline(applicationId: string, person: Principal, key: string | undefined): Promise<{ paymentId: string; redirectUrl: string }> {
    const view = await books.forApplicant(applicationId, person);
    if (!view) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NO_FEE);
    const { bill } = view;
    const started = await books.once(`${person.accountId}:pay`, key, { applicationId: bill.applicationId }, async (tx) => {
      const row = await store.lockBill(tx, bill.id);
      const payments = await books.paymentsOf(bill.id, tx);
      const state = stateOf(row, payments);
      if (state.state !== 'due') throw new TongbanError(PaymentsErrors.TB_PAYMENTS_ALREADY_PAID);
      // A rejected or withdrawn case owes nothing: no payment is started on it.
      const closed = await books.closedCase(bill.applicationId, tx);
      if (closed) throw caseClosed(bill.reference, closed.status);
      const open = payments.find((p) => p.method === 'online' && p.status === 'pending');
      if (open) return { paymentId: open.id };
      const id = newId();
      await store.insertPayment(tx, {
        id, bill_id: bill.id, application_id: bill.applicationId, method: 'online', provider: TEST_PROVIDER, provider_ref: null, status: 'pending',
        amount: state.due, currency: 'CNY', payer_name: person.name, payer_account_id: person.accountId, recorded_by: person.accountId,
        receipt_number: null, created_at: kernel.now(), settled_at: null,
      });
      return { paymentId: id };
    });
    const payment = await store.payment(db, started.paymentId);
    if (!payment) throw notFound();
    const port = provider(payment.provider ?? TEST_PROVIDER);
    const returnUrl = `/payments/applications/${bill.applicationId}/return?payment=${payment.id}`;
    if (payment.provider_ref) return { paymentId: payment.id, redirectUrl: await whereTo(port, payment.provider_ref, returnUrl) };
    let checkout: { ref: string; redirectUrl: string };
    try {
      checkout = await port.createCheckout({ paymentId: payment.id, amount: payment.amount, currency: 'CNY', description: `${bill.reference} ${bill.serviceName.en}`, returnUrl });
    } catch (error) {
      throw new TongbanError(PaymentsErrors.TB_PAYMENTS_PROVIDER_FAILED, { cause: error });
    }
    if (await store.setProviderRef(db, payment.id, checkout.ref)) return { paymentId: payment.id, redirectUrl: checkout.redirectUrl };
    // Another call made this payment's checkout first: everyone goes to that one (this one is never shown).
    const ref = (await store.payment(db, payment.id))?.provider_ref;
    if (!ref) throw notFound();
    return { paymentId: payment.id, redirectUrl: await whereTo(port, ref, returnUrl) };
  }

  /**
   * Where to send the person for a checkout made before: still open, to the provider's page;
   * finished there (paid, declined, settling), to the return page, which asks the provider and
   * shows the receipt, the decline (then a fresh attempt) or the wait.
   */
  async function whereTo(port: PaymentProvider, ref: string, returnUrl: string): Promise<string> {
    return (await port.status(ref)) === 'open' ? `${TEST_PROVIDER_PATH}/checkout/${ref}` : returnUrl;
  }

  /**
   * The person is back from the provider. If its webhook has not arrived yet, asks the provider
   * (outside any transaction) and applies a final outcome the same way the webhook would.
   */
  async function afterReturn(applicationId: string, paymentId: string, person: Principal): Promise<Payment> {
    const view = await books.forApplicant(applicationId, person);
    const payment = UUID.test(paymentId) ? await store.payment(db, paymentId.toLowerCase()) : undefined;
    if (!view || !payment || payment.bill_id !== view.bill.id) throw notFound();
    if (payment.status === 'pending' && payment.provider && payment.provider_ref) {
      const status = await provider(payment.provider).status(payment.provider_ref);
      if (status === 'succeeded' || status === 'declined') {
        const ref = payment.provider_ref;
        await kernel.db.transaction().execute((tx) => applyOutcome(tx, ref, status));
      }
    }
    const fresh = (await books.paymentsOf(view.bill.id)).find((p) => p.id === payment.id);
    if (!fresh) throw notFound();
    return fresh;
  }

  /**
   * A provider's webhook: the signature over the raw body and the timestamp are checked first;
   * an event id seen before changes nothing (200, `duplicate`).
   */
  async function receiveWebhook(providerName: string, rawBody: string, signature: string | undefined): Promise<{ duplicate: boolean; matched: boolean }> {
    provider(providerName);
    const check = verifyWebhook(await webhookSecret(), rawBody, signature, kernel.now());
    if (!check.ok) {
      log.warn({ provider: providerName, reason: check.reason }, 'webhook refused');
      throw new TongbanError(check.reason === 'stale' ? PaymentsErrors.TB_PAYMENTS_WEBHOOK_STALE : PaymentsErrors.TB_PAYMENTS_SIGNATURE_INVALID, { detail: `signature ${check.reason}` });
    }
    const event = JSON.parse(rawBody) as WebhookEvent;
    if (typeof event.id !== 'string' || typeof event.data?.ref !== 'string' || !['payment.pending', 'payment.succeeded', 'payment.declined'].includes(event.type)) {
      throw invalid('/type', 'payments.error.invalid', 'not a payment event');
    }
    return kernel.db.transaction().execute(async (tx) => {
      const known = await store.paymentByProviderRef(tx, event.data.ref);
      const fresh = await store.recordEvent(tx, {
        provider: providerName, event_id: event.id, type: event.type, provider_ref: event.data.ref, amount: Number(event.data.amount) || 0,
        matched: known !== undefined, received_at: kernel.now(),
      });
      if (!fresh) return { duplicate: true, matched: known !== undefined };
      if (known && event.type !== 'payment.pending') await applyOutcome(tx, event.data.ref, event.type === 'payment.succeeded' ? 'succeeded' : 'declined');
      return { duplicate: false, matched: known !== undefined };
    });
  }

  return { startOnline, afterReturn, receiveWebhook };
}
