import { todayIn } from '../../forms/index.js';
import { purposeText } from '../../kernel/audit/index.js';
import { newId } from '../../kernel/ids.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import type { Application, ApplicationsService } from '../applications/service.js';
import type { Books } from './books.js';
import { PaymentsErrors } from './errors.js';
import { AGENCY_STAFF, counterAgency, FINANCE_ROLES, invalid, notFound, staffActor, toBill, UUID, type Bill, type Payment, type PaymentState, type Receipt, type Refund, toRefund } from './model.js';
import type { PaymentProvider, Settlement } from './provider.js';
import { buildReconciliation, type Reconciliation } from './reconcile.js';
import { createProviderRefunds } from './refunds.js';
import type { Executor, PaymentsStore } from './store.js';
import './messages.js';

/**
 * A day that exists, as YYYY-MM-DD: `Date.parse` rolls 2026-02-30 over to 2 March, so the day
 * must come back unchanged from the date it makes.
 */
const isDay = (day: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(day) && !Number.isNaN(Date.parse(`${day}T00:00:00Z`))
  && new Date(`${day}T00:00:00Z`).toISOString().startsWith(day);

type StaffView = { bill: Bill; payments: Payment[]; state: PaymentState };

interface FinanceDeps {
  readonly kernel: Kernel;
  readonly store: PaymentsStore;
  readonly books: Pick<Books, 'billFor' | 'paymentsOf' | 'once' | 'closedCases' | 'stateFor'>;
  readonly applications: Pick<ApplicationsService, 'submittedSummary' | 'submittedAmong' | 'auditSubjectOf'>;
  readonly provider: (name: string) => PaymentProvider;
  /** The provider whose settlements the daily reconciliation compares with, and its settlements. */
  readonly settledBy: { readonly name: string; readonly settlements: (from: Date, to: Date) => Promise<readonly Settlement[]> };
}

/**
 * What agency staff do with payments: look at an application's bill and payments (audited), read
 * receipts, refund, and reconcile a day. Finance roles are officer, supervisor and agency admin.
 */
export function createFinance({ kernel, store, books, applications, provider, settledBy }: FinanceDeps) {
  const db: Executor = kernel.db;
  const providerRefunds = createProviderRefunds({ kernel, store, provider });
  /** The applicant's account, found by ID number for a counter application not yet linked to it (the bill's copy is null then). */
  const subjectOf = async (applicationId: string): Promise<string | undefined> => applications.auditSubjectOf(applicationId);

  /** An application's bill and payments, audited as a view of its applicant's data for `organisation`. */
  async function billView(summary: Application, viewer: Principal, organisation: string, purpose: string, options: { requestId?: string; payments: boolean }): Promise<StaffView | undefined> {
    const found = await books.billFor(summary.id);
    if (!found) return undefined;
    const payments = await books.paymentsOf(found.row.id);
    const subject = summary.applicantAccountId ?? await subjectOf(summary.id);
    await kernel.audit.append(kernel.db, {
      actor: staffActor(viewer, organisation), action: 'payments.bill.view', purpose,
      ...(subject ? { subject } : {}), resource: { type: 'application', id: summary.id },
      ...(options.requestId ? { requestId: options.requestId } : {}),
    });
    return { bill: toBill(found.row, found.serviceName), payments: options.payments ? payments : [], state: await books.stateFor(found.row, payments) };
  }

  return {
    /**
     * The bill and payments for staff of the application's agency (clerk, officer, supervisor,
     * agency admin); audited. Anyone else gets the unknown application's 404, logged as a denial.
     */
    async forStaff(idOrReference: string, viewer: Principal, purpose: string, options: { requestId?: string } = {}): Promise<StaffView | undefined> {
      const summary = await applications.submittedSummary(idOrReference);
      if (!summary) throw notFound();
      if (!hasRole(viewer, AGENCY_STAFF, summary.agencyCode)) throw notFound('other-agency');
      // Access came with a role of the application's agency: the view is recorded as that agency's.
      return billView(summary, viewer, summary.agencyCode, purpose, { ...options, payments: true });
    },

    /**
     * The counter: a clerk of any agency finds a bill by its reference to take the fee (a one-stop
     * hall's clerks serve every agency's services, ADR 21); audited. Its payments are listed only to
     * a clerk of the application's agency: another agency's clerk needs what is due, not who paid.
     */
    async forCounter(reference: string, clerk: Principal, options: { requestId?: string } = {}): Promise<StaffView | undefined> {
      if (!hasRole(clerk, 'clerk')) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      const summary = await applications.submittedSummary(reference);
      if (!summary) throw notFound();
      const ours = hasRole(clerk, AGENCY_STAFF, summary.agencyCode);
      return billView(summary, clerk, counterAgency(clerk, summary.agencyCode), purposeText('payments.purpose.counter'), { ...options, payments: ours });
    },

    /**
     * A receipt, for the payer, the applicant, the clerk who took it (at any agency's counter), or
     * staff of the application's agency (audited). Anyone else gets the unknown receipt's 404.
     */
    async receipt(number: string, viewer: Principal, options: { requestId?: string } = {}): Promise<Receipt> {
      const row = await store.paymentByReceipt(db, number.trim().toUpperCase());
      if (!row) throw notFound();
      const found = await books.billFor(row.application_id);
      if (!found) throw notFound();
      const own = row.payer_account_id === viewer.accountId || found.row.applicant_account_id === viewer.accountId || row.recorded_by === viewer.accountId;
      if (!own) {
        if (!hasRole(viewer, AGENCY_STAFF, found.row.agency_code)) throw notFound(viewer.roles.length > 0 ? 'other-agency' : 'not-owner');
        const subject = found.row.applicant_account_id ?? await subjectOf(found.row.application_id);
        await kernel.audit.append(kernel.db, {
          actor: staffActor(viewer, found.row.agency_code), action: 'payments.receipt.view', purpose: purposeText('payments.purpose.receipt'),
          ...(subject ? { subject } : {}), resource: { type: 'payment', id: row.id },
          ...(options.requestId ? { requestId: options.requestId } : {}),
        });
      }
      const payment = (await books.paymentsOf(found.row.id)).find((p) => p.id === row.id);
      if (!payment) throw notFound();
      return { payment, bill: toBill(found.row, found.serviceName) };
    },

    /**
     * One payment, with the payer's name, for staff who may refund it (officer, supervisor or
     * agency admin of the agency): audited as a view of the applicant's data, as a receipt is.
     */
    async paymentForStaff(paymentId: string, viewer: Principal, options: { requestId?: string } = {}): Promise<{ payment: Payment; bill: Bill }> {
      const row = UUID.test(paymentId) ? await store.payment(db, paymentId.toLowerCase()) : undefined;
      const found = row ? await books.billFor(row.application_id) : undefined;
      if (!row || !found) throw notFound();
      if (!hasRole(viewer, FINANCE_ROLES, found.row.agency_code)) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      const payment = (await books.paymentsOf(found.row.id)).find((p) => p.id === row.id);
      if (!payment) throw notFound();
      const subject = found.row.applicant_account_id ?? await subjectOf(found.row.application_id);
      await kernel.audit.append(kernel.db, {
        actor: staffActor(viewer, found.row.agency_code), action: 'payments.payment.view', purpose: purposeText('payments.purpose.refund'),
        ...(subject ? { subject } : {}), resource: { type: 'payment', id: row.id },
        ...(options.requestId ? { requestId: options.requestId } : {}),
      });
      return { payment, bill: toBill(found.row, found.serviceName) };
    },

    /** The application a payment is for (no personal data, not audited): where to go once it is refunded. */
    async applicationOfPayment(paymentId: string, viewer: Principal): Promise<string> {
      const row = UUID.test(paymentId) ? await store.payment(db, paymentId.toLowerCase()) : undefined;
      const bill = row ? await store.billForApplication(db, row.application_id) : undefined;
      if (!row || !bill) throw notFound();
      if (!hasRole(viewer, FINANCE_ROLES, bill.agency_code)) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      return row.application_id;
    },

    /** Whether the viewer may refund payments of this agency. */
    canRefund: (viewer: Principal, agency: string): boolean => hasRole(viewer, FINANCE_ROLES, agency),

    /** Refunds a completed payment, with a reason, by an officer, supervisor or agency admin of the agency. */
    async refund(staff: Principal, input: { paymentId: string; reason: string; key: string | undefined; requestId?: string }): Promise<Refund> {
      const row = UUID.test(input.paymentId) ? await store.payment(db, input.paymentId.toLowerCase()) : undefined;
      const found = row ? await books.billFor(row.application_id) : undefined;
      if (!row || !found) throw notFound();
      if (!hasRole(staff, FINANCE_ROLES, found.row.agency_code)) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      const reason = input.reason.trim();
      if (reason === '') throw invalid('/reason', 'payments.refund.reasonRequired', 'Enter the reason for the refund');
      if (reason.length > 500) throw invalid('/reason', 'payments.refund.reasonTooLong', 'The reason for the refund must be 500 characters or fewer');
      // Money taken online goes back through its provider: a job enqueued here, run once this
      // commits and retried until the provider accepts it (refunds.ts); a retry of this post
      // with the same key gets the stored result and enqueues nothing. Cash, card and a bank's
      // payment (provider `bank:<org>`, no provider of ours) are given back where they were
      // taken: the refund page says so.
      const throughProvider = row.method === 'online' && row.provider !== null && row.provider_ref !== null;
      // What a key kept before refunds were answered in full holds (payments keep their keys).
      type StoredBefore = { readonly refunded: true };
      const answer = await books.once<Refund | StoredBefore>(`${staff.accountId}:refund`, input.key, { paymentId: row.id, reason }, async (tx) => {
        await store.lockBill(tx, row.bill_id);
        if (!(await store.settle(tx, row.id, ['succeeded'], 'refunded'))) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NOT_REFUNDABLE);
        const refund = {
          id: newId(), payment_id: row.id, amount: row.amount, reason, refunded_by: staff.accountId, created_at: kernel.now(),
          provider_state: throughProvider ? 'pending' as const : null, provider_attempts: 0, provider_error: null, provider_at: null,
        };
        await store.insertRefund(tx, refund);
        if (throughProvider) await providerRefunds.enqueue(tx, refund.id);
        await kernel.audit.append(tx, {
          actor: staffActor(staff, found.row.agency_code), action: 'payments.payment.refund', ...(found.row.applicant_account_id ? { subject: found.row.applicant_account_id } : {}),
          resource: { type: 'payment', id: row.id }, ...(input.requestId ? { requestId: input.requestId } : {}), details: { amount: row.amount, reason },
        });
        return toRefund(refund, row.application_id);
      });
      // Its retry gets the refund as recorded, not a 500 from the response schema.
      if ('id' in answer) return answer;
      // A payment is refunded once (succeeded to refunded), so it has one refund.
      const [recorded] = await store.refundsFor(db, [row.id]);
      if (!recorded) throw new Error(`payment ${row.id} has a refund key but no refund`);
      return toRefund(recorded, row.application_id);
    },

    /** Today in China by the kernel's clock (`YYYY-MM-DD`): the reconciliation's default day. */
    today: (): string => todayIn(kernel.now()),

    /** The daily reconciliation of the agencies the viewer handles (every agency for a platform admin). */
    async reconciliation(viewer: Principal, day: string): Promise<Reconciliation> {
      const agencies = hasRole(viewer, 'platform_admin') ? 'all' as const
        : [...new Set(viewer.roles.filter((r) => (FINANCE_ROLES as readonly string[]).includes(r.role)).map((r) => r.agency))];
      if (agencies !== 'all' && agencies.length === 0) throw new TongbanError('TB_KERNEL_FORBIDDEN');
      if (!isDay(day)) throw invalid('/day', 'payments.reconciliation.dayInvalid', 'Give a day as YYYY-MM-DD');
      const from = new Date(`${day}T00:00:00+08:00`);
      const to = new Date(from.getTime() + 86_400_000);
      const [payments, bills, unmatched, settlements] = await Promise.all([
        store.paymentsSettledBetween(db, from, to), store.billsCreatedBefore(db, to, agencies), store.unmatchedEvents(db, from, to), settledBy.settlements(from, to),
      ]);
      const billById = new Map(bills.map((b) => [b.id, b]));
      const allPayments = await store.paymentsForBills(db, bills.map((b) => b.id));
      return buildReconciliation({
        day, agencies, payments, bills, billById, paymentsByBill: allPayments, unmatched, settlements, provider: settledBy.name, submittedApplications: (ids) => applications.submittedAmong(ids), closedWithoutDecision: (ids) => books.closedCases(ids),
      });
    },
  };
}
