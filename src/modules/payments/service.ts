import { createHash, randomBytes } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import type { Actor } from '../../kernel/audit/types.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import { resolveSecret } from '../../kernel/secrets/index.js';
import type { ApplicationsService } from '../applications/service.js';
import type { LocalizedText } from '../catalog/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { PaymentsErrors } from './errors.js';
import { feeFor } from './fee.js';
import type { PaymentProvider, WebhookEvent } from './provider.js';
import { buildReconciliation, type Reconciliation } from './reconcile.js';
import { verifyWebhook } from './signature.js';
import { createPaymentsStore, type BillRow, type Executor, type PaymentMethod, type PaymentRow, type PaymentStatus } from './store.js';
import { createTestProvider, TEST_PROVIDER } from './test-provider.js';

export { PaymentsErrors } from './errors.js';
export { formatMoney, parseYuan, feeFor } from './fee.js';
export { TEST_PROVIDER, TEST_PROVIDER_PATH, type TestOutcome } from './test-provider.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER } from './signature.js';
export type { WebhookEvent, PaymentProvider } from './provider.js';
export type { Reconciliation, ReconciliationFlag } from './reconcile.js';
export type { PaymentMethod, PaymentStatus } from './store.js';

/** The contract other modules code against (docs/brief contracts: payments.statusFor). */
export interface PaymentState { readonly due: number; readonly paid: number; readonly currency: 'CNY'; readonly state: 'none' | 'due' | 'paid' | 'refunded' }

export interface Bill {
  readonly id: string; readonly applicationId: string; readonly reference: string; readonly agencyCode: string;
  readonly applicantAccountId: string | null; readonly amount: number; readonly currency: 'CNY'; readonly when: 'before_decision' | 'after_decision';
  readonly serviceName: LocalizedText;
}

export interface Payment {
  readonly id: string; readonly billId: string; readonly applicationId: string; readonly method: PaymentMethod; readonly status: PaymentStatus;
  readonly amount: number; readonly payerName: string; readonly receiptNumber: string | null; readonly createdAt: Date; readonly settledAt: Date | null;
  readonly refundReason: string | null;
}

export interface Receipt { readonly payment: Payment; readonly bill: Bill }

export interface Deps {
  readonly applications: Pick<ApplicationsService, 'submittedWithAnswers' | 'submittedSummary'>;
  readonly workflow: Pick<WorkflowService, 'onTransition'>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;
const RECEIPT_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
const SETTLE_DELAY_MS = 1500;
/** Staff who may see payments of their agency, refund, and read the reconciliation report. */
const FINANCE_ROLES = ['officer', 'supervisor', 'agency_admin'] as const;

const notFound = () => new TongbanError(PaymentsErrors.TB_PAYMENTS_NOT_FOUND);
const invalid = (pointer: string, message: string, detail: string) =>
  new TongbanError(PaymentsErrors.TB_PAYMENTS_INVALID_INPUT, { detail, fields: [{ pointer, message, detail }] });

/** `R-20261203-7K3M9Q`: the day in China, then 6 random characters. */
function receiptNumber(at: Date): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at).replaceAll('-', '');
  const bytes = randomBytes(6);
  return `R-${day}-${[...bytes].map((b) => RECEIPT_ALPHABET[b % RECEIPT_ALPHABET.length]).join('')}`;
}

const staffActor = (viewer: Principal, agency: string): Actor => ({ kind: 'staff', id: viewer.accountId, organisation: agency });

/**
 * Fees, payments, receipts, refunds and reconciliation (docs/adr/0021-payments.md). A bill is
 * made from the service's fee and the application's answers the first time anyone asks (or at
 * approval for fees due after the decision); payments go through the provider port or are
 * recorded at a counter; every call that creates something carries an idempotency key.
 */
export function createPaymentsService(kernel: Kernel, deps: Deps) {
  const store = createPaymentsStore();
  const db: Executor = kernel.db;
  const log = kernel.log.child({ module: 'payments' });
  let secret: Promise<string> | undefined;
  const webhookSecret = (): Promise<string> => {
    secret ??= resolveSecret(kernel.db, kernel.config, 'paymentsWebhookSecret', () => randomBytes(32).toString('base64url')).then((s) => s.value);
    return secret;
  };
  const testProvider = createTestProvider({ db: kernel.db, store, publicUrl: kernel.config.publicUrl, secret: webhookSecret, now: kernel.now, log, settleDelayMs: SETTLE_DELAY_MS });
  const providers = new Map<string, PaymentProvider>([[TEST_PROVIDER, testProvider.port]]);
  const provider = (name: string): PaymentProvider => {
    const found = providers.get(name);
    if (!found) throw notFound();
    return found;
  };

  /**
   * The application's bill, made on first use. A fee due after the decision has a bill only once
   * the application is approved (`atApproval`). Undefined: nothing to pay.
   */
  async function billFor(applicationId: string, executor: Executor = db, atApproval = false): Promise<{ row: BillRow; serviceName: LocalizedText } | undefined> {
    if (!UUID.test(applicationId)) return undefined;
    const id = applicationId.toLowerCase();
    const existing = await store.billForApplication(executor, id);
    const info = await deps.applications.submittedWithAnswers(id, executor);
    if (!info) return undefined;
    const serviceName = info.service.definition.name;
    if (existing) return { row: existing, serviceName };
    const fee = feeFor(info.service.definition.fee, info.answers, kernel.now());
    if (!fee || (fee.when === 'after_decision' && !atApproval)) return undefined;
    const row = await store.ensureBill(executor, {
      id: uuidv7(), application_id: id, reference: info.application.reference ?? id, agency_code: info.application.agencyCode,
      service_id: info.application.serviceId, applicant_account_id: info.application.applicantAccountId, amount: fee.amount, currency: fee.currency,
      due_when: fee.when, created_at: kernel.now(),
    });
    return { row, serviceName };
  }

  const toBill = (row: BillRow, serviceName: LocalizedText): Bill => ({
    id: row.id, applicationId: row.application_id, reference: row.reference, agencyCode: row.agency_code, applicantAccountId: row.applicant_account_id,
    amount: row.amount, currency: 'CNY', when: row.due_when, serviceName,
  });

  async function paymentsOf(billId: string, executor: Executor = db): Promise<Payment[]> {
    const rows = await store.paymentsForBill(executor, billId);
    const refunds = await store.refundsFor(executor, rows.map((r) => r.id));
    return rows.map((r) => toPayment(r, refunds.find((f) => f.payment_id === r.id)?.reason ?? null));
  }

  const toPayment = (r: PaymentRow, refundReason: string | null): Payment => ({
    id: r.id, billId: r.bill_id, applicationId: r.application_id, method: r.method, status: r.status, amount: r.amount, payerName: r.payer_name,
    receiptNumber: r.receipt_number, createdAt: r.created_at, settledAt: r.settled_at, refundReason,
  });

  const paidOf = (payments: readonly Payment[]) => payments.filter((p) => p.status === 'succeeded').reduce((sum, p) => sum + p.amount, 0);

  function stateOf(bill: BillRow | undefined, payments: readonly Payment[]): PaymentState {
    if (!bill) return { due: 0, paid: 0, currency: 'CNY', state: 'none' };
    const paid = paidOf(payments);
    if (paid >= bill.amount) return { due: 0, paid, currency: 'CNY', state: 'paid' };
    if (paid === 0 && payments.some((p) => p.status === 'refunded')) return { due: 0, paid: 0, currency: 'CNY', state: 'refunded' };
    return { due: bill.amount - paid, paid, currency: 'CNY', state: 'due' };
  }

  /**
   * Runs `work` once per (scope, key): a retry with the same key gets the first call's result; the
   * same key with a different request is refused. The key row and the work commit together.
   */
  async function once<R>(scope: string, key: string | undefined, request: unknown, work: (tx: Executor) => Promise<R>): Promise<R> {
    if (!key || !KEY.test(key)) {
      throw new TongbanError(PaymentsErrors.TB_PAYMENTS_IDEMPOTENCY_KEY_REQUIRED, { fields: [{ pointer: '/headers/idempotency-key', message: 'payments.error.keyRequired', detail: 'Send 8 to 128 letters, digits or -_.: as Idempotency-Key' }] });
    }
    const fingerprint = createHash('sha256').update(JSON.stringify(request)).digest('hex');
    return kernel.db.transaction().execute(async (tx) => {
      if (!(await store.claimKey(tx, scope, key, fingerprint, kernel.now()))) {
        const stored = await store.key(tx, scope, key);
        if (!stored || stored.fingerprint !== fingerprint) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_IDEMPOTENCY_CONFLICT);
        return stored.result as R;
      }
      const result = await work(tx);
      await store.keepResult(tx, scope, key, result);
      return result;
    });
  }

  /** Applies a provider's outcome to the payment it names; only from pending, so repeats change nothing. */
  async function applyOutcome(tx: Executor, ref: string, outcome: 'succeeded' | 'declined'): Promise<boolean> {
    const payment = await store.paymentByProviderRef(tx, ref);
    if (!payment) return false;
    const at = kernel.now();
    const changed = outcome === 'succeeded'
      ? await store.settle(tx, payment.id, ['pending'], 'succeeded', { settledAt: at, receiptNumber: receiptNumber(at) })
      : await store.settle(tx, payment.id, ['pending'], 'declined');
    if (changed) {
      await kernel.audit.append(tx, {
        actor: { kind: 'system', id: `provider:${payment.provider ?? ''}` }, action: `payments.payment.${outcome}`,
        ...(payment.payer_account_id ? { subject: payment.payer_account_id } : {}),
        resource: { type: 'payment', id: payment.id }, details: { amount: payment.amount, applicationId: payment.application_id },
      });
    }
    return true;
  }

  // Approval of an application whose fee is due before the decision waits for the payment: the
  // listener throws inside the approval's transaction, which rolls it back (ADR 21). A fee due
  // after the decision gets its bill here, in the same transaction as the approval.
  deps.workflow.onTransition(async (tx, event) => {
    if (event.entry.action !== 'approve') return;
    const found = await billFor(event.case.id, tx, true);
    if (!found || found.row.due_when !== 'before_decision') return;
    const state = stateOf(found.row, await paymentsOf(found.row.id, tx));
    if (state.state === 'due') {
      throw new TongbanError(PaymentsErrors.TB_PAYMENTS_FEE_UNPAID, { detail: `The fee of application ${found.row.reference} is not paid yet` });
    }
  });

  const service = {
    /** The contract: what is due and paid for an application (no bill: state none). */
    async statusFor(applicationId: string): Promise<PaymentState> {
      const found = await billFor(applicationId);
      return stateOf(found?.row, found ? await paymentsOf(found.row.id) : []);
    },

    /** The bill and payments of an application, for its applicant; 404 for anyone else. */
    async forApplicant(applicationId: string, person: Principal): Promise<{ bill: Bill; payments: Payment[]; state: PaymentState } | undefined> {
      const summary = UUID.test(applicationId) ? await deps.applications.submittedSummary(applicationId) : undefined;
      if (!summary || summary.applicantAccountId !== person.accountId) throw notFound();
      const found = await billFor(summary.id);
      if (!found) return undefined;
      const payments = await paymentsOf(found.row.id);
      return { bill: toBill(found.row, found.serviceName), payments, state: stateOf(found.row, payments) };
    },

    /** The bill and payments for staff of the application's agency (or a clerk at any counter); audited. */
    async forStaff(idOrReference: string, viewer: Principal, purpose: string, options: { requestId?: string } = {}): Promise<{ bill: Bill; payments: Payment[]; state: PaymentState } | undefined> {
      const summary = await deps.applications.submittedSummary(idOrReference);
      if (!summary) throw notFound();
      if (!hasRole(viewer, [...FINANCE_ROLES, 'clerk'], summary.agencyCode) && !hasRole(viewer, 'clerk')) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      const found = await billFor(summary.id);
      if (!found) return undefined;
      const payments = await paymentsOf(found.row.id);
      await kernel.audit.append(kernel.db, {
        actor: staffActor(viewer, viewer.roles[0]?.agency ?? summary.agencyCode), action: 'payments.bill.view', purpose,
        ...(summary.applicantAccountId ? { subject: summary.applicantAccountId } : {}), resource: { type: 'application', id: summary.id },
        ...(options.requestId ? { requestId: options.requestId } : {}),
      });
      return { bill: toBill(found.row, found.serviceName), payments, state: stateOf(found.row, payments) };
    },

    /**
     * Starts paying online: one pending payment per idempotency key, then a checkout at the
     * provider (outside the transaction: a real provider is across the network).
     */
    async startOnline(applicationId: string, person: Principal, key: string | undefined): Promise<{ paymentId: string; redirectUrl: string }> {
      const view = await service.forApplicant(applicationId, person);
      if (!view) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NO_FEE);
      const { bill } = view;
      const created = await once(`${person.accountId}:pay`, key, { applicationId: bill.applicationId }, async (tx) => {
        const state = stateOf(await store.billForApplication(tx, bill.applicationId), await paymentsOf(bill.id, tx));
        if (state.state !== 'due') throw new TongbanError(PaymentsErrors.TB_PAYMENTS_ALREADY_PAID);
        const id = uuidv7();
        await store.insertPayment(tx, {
          id, bill_id: bill.id, application_id: bill.applicationId, method: 'online', provider: TEST_PROVIDER, provider_ref: null, status: 'pending',
          amount: state.due, currency: 'CNY', payer_name: person.name, payer_account_id: person.accountId, recorded_by: person.accountId,
          receipt_number: null, created_at: kernel.now(), settled_at: null,
        });
        return { paymentId: id };
      });
      const payment = await store.payment(db, created.paymentId);
      if (!payment) throw notFound();
      const port = provider(payment.provider ?? TEST_PROVIDER);
      if (payment.provider_ref) return { paymentId: payment.id, redirectUrl: `/payments/test-provider/checkout/${payment.provider_ref}` };
      let checkout: { ref: string; redirectUrl: string };
      try {
        checkout = await port.createCheckout({
          paymentId: payment.id, amount: payment.amount, currency: 'CNY', description: `${bill.reference} ${bill.serviceName.en}`,
          returnUrl: `/payments/applications/${bill.applicationId}/return?payment=${payment.id}`,
        });
      } catch (error) {
        throw new TongbanError(PaymentsErrors.TB_PAYMENTS_PROVIDER_FAILED, { cause: error });
      }
      await store.setProviderRef(db, payment.id, checkout.ref);
      return { paymentId: payment.id, redirectUrl: checkout.redirectUrl };
    },

    /**
     * The person is back from the provider. If its webhook has not arrived yet, asks the provider
     * (outside any transaction) and applies a final outcome the same way the webhook would.
     */
    async afterReturn(applicationId: string, paymentId: string, person: Principal): Promise<Payment> {
      const view = await service.forApplicant(applicationId, person);
      const payment = UUID.test(paymentId) ? await store.payment(db, paymentId.toLowerCase()) : undefined;
      if (!view || !payment || payment.bill_id !== view.bill.id) throw notFound();
      if (payment.status === 'pending' && payment.provider && payment.provider_ref) {
        const status = await provider(payment.provider).status(payment.provider_ref);
        if (status === 'succeeded' || status === 'declined') {
          const ref = payment.provider_ref;
          await kernel.db.transaction().execute((tx) => applyOutcome(tx, ref, status));
        }
      }
      const fresh = (await paymentsOf(view.bill.id)).find((p) => p.id === payment.id);
      if (!fresh) throw notFound();
      return fresh;
    },

    /**
     * A provider's webhook: the signature over the raw body and the timestamp are checked first;
     * an event id seen before changes nothing (200, `duplicate`).
     */
    async receiveWebhook(providerName: string, rawBody: string, signature: string | undefined): Promise<{ duplicate: boolean; matched: boolean }> {
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
    },

    /** A clerk records cash or a card payment taken at the counter; the receipt number comes back. */
    async recordAtCounter(clerk: Principal, input: { reference: string; method: string; payerName: string; key: string | undefined; requestId?: string }): Promise<{ receiptNumber: string }> {
      if (!hasRole(clerk, 'clerk')) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      const payerName = input.payerName.trim();
      if (input.method !== 'cash' && input.method !== 'card') throw invalid('/method', 'payments.counter.methodRequired', 'Choose cash or card');
      if (payerName === '' || payerName.length > 100) throw invalid('/payerName', 'payments.counter.payerRequired', 'Enter the name of the person paying');
      const summary = await deps.applications.submittedSummary(input.reference);
      const found = summary ? await billFor(summary.id) : undefined;
      if (!summary || !found) throw invalid('/reference', 'payments.counter.referenceUnknown', 'No application with a fee has this reference');
      const agency = clerk.roles.find((r) => r.role === 'clerk')?.agency ?? summary.agencyCode;
      return once(`${clerk.accountId}:counter`, input.key, { bill: found.row.id, method: input.method, payerName }, async (tx) => {
        const state = stateOf(found.row, await paymentsOf(found.row.id, tx));
        if (state.state !== 'due') throw new TongbanError(PaymentsErrors.TB_PAYMENTS_ALREADY_PAID);
        const at = kernel.now();
        const number = receiptNumber(at);
        const id = uuidv7();
        await store.insertPayment(tx, {
          id, bill_id: found.row.id, application_id: summary.id, method: input.method as PaymentMethod, provider: null, provider_ref: null, status: 'succeeded',
          amount: state.due, currency: 'CNY', payer_name: payerName, payer_account_id: summary.applicantAccountId, recorded_by: clerk.accountId,
          receipt_number: number, created_at: at, settled_at: at,
        });
        await kernel.audit.append(tx, {
          actor: staffActor(clerk, agency), action: 'payments.payment.counter', ...(summary.applicantAccountId ? { subject: summary.applicantAccountId } : {}),
          resource: { type: 'payment', id }, purpose: 'Taking a fee at the counter', ...(input.requestId ? { requestId: input.requestId } : {}),
          details: { amount: state.due, method: input.method, reference: found.row.reference },
        });
        return { receiptNumber: number };
      });
    },

    /** A receipt, for the payer, the applicant, the clerk who took it, or staff of the agency (audited). */
    async receipt(number: string, viewer: Principal, options: { requestId?: string } = {}): Promise<Receipt> {
      const row = await store.paymentByReceipt(db, number.trim().toUpperCase());
      if (!row) throw notFound();
      const found = await billFor(row.application_id);
      if (!found) throw notFound();
      const own = row.payer_account_id === viewer.accountId || found.row.applicant_account_id === viewer.accountId || row.recorded_by === viewer.accountId;
      if (!own) {
        if (!hasRole(viewer, FINANCE_ROLES, found.row.agency_code) && !hasRole(viewer, 'clerk')) throw notFound();
        await kernel.audit.append(kernel.db, {
          actor: staffActor(viewer, found.row.agency_code), action: 'payments.receipt.view', purpose: 'Checking a receipt',
          ...(found.row.applicant_account_id ? { subject: found.row.applicant_account_id } : {}), resource: { type: 'payment', id: row.id },
          ...(options.requestId ? { requestId: options.requestId } : {}),
        });
      }
      const payment = (await paymentsOf(found.row.id)).find((p) => p.id === row.id);
      if (!payment) throw notFound();
      return { payment, bill: toBill(found.row, found.serviceName) };
    },

    /** One payment, for staff who may refund it (officer, supervisor or agency admin of the agency). */
    async paymentForStaff(paymentId: string, viewer: Principal): Promise<{ payment: Payment; bill: Bill }> {
      const row = UUID.test(paymentId) ? await store.payment(db, paymentId.toLowerCase()) : undefined;
      const found = row ? await billFor(row.application_id) : undefined;
      if (!row || !found) throw notFound();
      if (!hasRole(viewer, FINANCE_ROLES, found.row.agency_code)) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      const payment = (await paymentsOf(found.row.id)).find((p) => p.id === row.id);
      if (!payment) throw notFound();
      return { payment, bill: toBill(found.row, found.serviceName) };
    },

    /** Whether the viewer may refund payments of this agency. */
    canRefund: (viewer: Principal, agency: string): boolean => hasRole(viewer, FINANCE_ROLES, agency),

    /** Refunds a completed payment, with a reason, by an officer, supervisor or agency admin of the agency. */
    async refund(staff: Principal, input: { paymentId: string; reason: string; key: string | undefined; requestId?: string }): Promise<{ refunded: true }> {
      const row = UUID.test(input.paymentId) ? await store.payment(db, input.paymentId.toLowerCase()) : undefined;
      const found = row ? await billFor(row.application_id) : undefined;
      if (!row || !found) throw notFound();
      if (!hasRole(staff, FINANCE_ROLES, found.row.agency_code)) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      const reason = input.reason.trim();
      if (reason === '' || reason.length > 500) throw invalid('/reason', 'payments.refund.reasonRequired', 'Give the reason for the refund');
      const result = await once(`${staff.accountId}:refund`, input.key, { paymentId: row.id, reason }, async (tx) => {
        if (!(await store.settle(tx, row.id, ['succeeded'], 'refunded'))) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NOT_REFUNDABLE);
        await store.insertRefund(tx, { id: uuidv7(), payment_id: row.id, amount: row.amount, reason, refunded_by: staff.accountId, created_at: kernel.now() });
        await kernel.audit.append(tx, {
          actor: staffActor(staff, found.row.agency_code), action: 'payments.payment.refund', ...(found.row.applicant_account_id ? { subject: found.row.applicant_account_id } : {}),
          resource: { type: 'payment', id: row.id }, ...(input.requestId ? { requestId: input.requestId } : {}), details: { amount: row.amount, reason },
        });
        return { refunded: true as const };
      });
      // The money goes back through the provider after commit (a network call for a real one).
      if (row.provider && row.provider_ref) await provider(row.provider).refund(row.provider_ref, row.amount);
      return result;
    },

    /** The daily reconciliation of the agencies the viewer handles (every agency for a platform admin). */
    async reconciliation(viewer: Principal, day: string): Promise<Reconciliation> {
      const agencies = hasRole(viewer, 'platform_admin') ? 'all' as const
        : [...new Set(viewer.roles.filter((r) => (FINANCE_ROLES as readonly string[]).includes(r.role)).map((r) => r.agency))];
      if (agencies !== 'all' && agencies.length === 0) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00+08:00`))) throw invalid('/day', 'payments.reconciliation.dayInvalid', 'Give a day as YYYY-MM-DD');
      const from = new Date(`${day}T00:00:00+08:00`);
      const to = new Date(from.getTime() + 86_400_000);
      const [payments, bills, unmatched, settlements] = await Promise.all([
        store.paymentsSettledBetween(db, from, to), store.billsCreatedBefore(db, to, agencies), store.unmatchedEvents(db, from, to), testProvider.port.settlements(from, to),
      ]);
      const billById = new Map(bills.map((b) => [b.id, b]));
      const allPayments = await Promise.all(bills.map((b) => store.paymentsForBill(db, b.id)));
      return buildReconciliation({ day, agencies, payments, bills, billById, paymentsByBill: allPayments, unmatched, settlements, provider: TEST_PROVIDER, hasApplication: async (id) => (await deps.applications.submittedSummary(id)) !== undefined });
    },

    /** The GovStack bill inquiry: a bill by the application's reference (no personal data in it). */
    async billByReference(reference: string): Promise<{ bill: Bill; state: PaymentState } | undefined> {
      const summary = await deps.applications.submittedSummary(reference);
      const found = summary ? await billFor(summary.id) : undefined;
      if (!found) return undefined;
      return { bill: toBill(found.row, found.serviceName), state: stateOf(found.row, await paymentsOf(found.row.id)) };
    },

    /** A payment made at a bank (a GovStack payer FI): recorded once per idempotency key. */
    async recordBankPayment(client: { clientId: string; organisation: string }, input: { reference: string; paymentReference: string; key: string | undefined; requestId?: string }): Promise<{ receiptNumber: string }> {
      const found = await service.billByReference(input.reference);
      if (!found) throw notFound();
      return once(`client:${client.clientId}:bill-payment`, input.key, { bill: found.bill.id, paymentReference: input.paymentReference }, async (tx) => {
        const state = stateOf(await store.billForApplication(tx, found.bill.applicationId), await paymentsOf(found.bill.id, tx));
        if (state.state !== 'due') throw new TongbanError(PaymentsErrors.TB_PAYMENTS_ALREADY_PAID);
        const at = kernel.now();
        const number = receiptNumber(at);
        const id = uuidv7();
        await store.insertPayment(tx, {
          id, bill_id: found.bill.id, application_id: found.bill.applicationId, method: 'bank', provider: `bank:${client.organisation}`,
          provider_ref: `${client.clientId}:${input.paymentReference}`, status: 'succeeded', amount: state.due, currency: 'CNY',
          payer_name: client.organisation, payer_account_id: found.bill.applicantAccountId, recorded_by: `client:${client.clientId}`,
          receipt_number: number, created_at: at, settled_at: at,
        });
        await kernel.audit.append(tx, {
          actor: { kind: 'client', id: client.clientId, organisation: client.organisation }, action: 'payments.payment.bank',
          ...(found.bill.applicantAccountId ? { subject: found.bill.applicantAccountId } : {}), resource: { type: 'payment', id },
          ...(input.requestId ? { requestId: input.requestId } : {}), details: { amount: state.due, reference: found.bill.reference },
        });
        return { receiptNumber: number };
      });
    },

    /** The built-in test provider's pages use these. */
    testProvider,
    /** For the webhook route and tests: the secret webhooks are signed with. */
    webhookSecret,
  };
  return service;
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
