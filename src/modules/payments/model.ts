import { randomBytes } from 'node:crypto';
import type { Actor } from '../../kernel/audit/types.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import { readerActor } from '../../kernel/auth/machine/index.js';
import { TongbanError, type DenialReason } from '../../kernel/http/errors.js';
import type { LocalizedText } from '../catalog/service.js';
import { PaymentsErrors } from './errors.js';
import type { BillRow, PaymentMethod, PaymentRow, PaymentStatus, RefundAtProvider, RefundRow } from './store.js';

/**
 * The contract other modules code against (docs/brief contracts: payments.statusFor). `not_due`:
 * the fee is not paid (or not in full) and its case closed without a decision (rejected,
 * withdrawn), so nothing is owed and nothing can be paid any more; `due` is then 0.
 */
export interface PaymentState { readonly due: number; readonly paid: number; readonly currency: 'CNY'; readonly state: 'none' | 'due' | 'paid' | 'refunded' | 'not_due' }

export interface Bill {
  readonly id: string; readonly applicationId: string; readonly reference: string; readonly agencyCode: string;
  readonly applicantAccountId: string | null; readonly amount: number; readonly currency: 'CNY'; readonly when: 'before_decision' | 'after_decision';
  readonly serviceName: LocalizedText;
}

export interface Payment {
  readonly id: string; readonly billId: string; readonly applicationId: string; readonly method: PaymentMethod; readonly status: PaymentStatus;
  readonly amount: number; readonly payerName: string; readonly receiptNumber: string | null; readonly createdAt: Date; readonly settledAt: Date | null;
  readonly refundReason: string | null;
  /**
   * A refund of money taken online, as its provider answered the refund job: `pending` until the
   * provider accepts it (retried meanwhile), `confirmed`, or `failed` once the job gave up. Null
   * when not refunded, or given back at a counter or a bank.
   */
  readonly refundAtProvider: { readonly state: RefundAtProvider; readonly attempts: number; readonly error: string | null; readonly at: Date | null } | null;
}

export interface Receipt { readonly payment: Payment; readonly bill: Bill }

/**
 * A refund as it was recorded: the whole payment's amount (fen). Money taken online goes back
 * through its provider (`returnedThrough: 'provider'`, a job retried until the provider accepts
 * it: `pending` when made, `confirmed` or `failed` later); cash, card and a bank's payment are
 * given back where they were paid.
 * Its time is an ISO string: a retry with the same Idempotency-Key gets the stored answer as JSON.
 */
export interface Refund {
  readonly id: string; readonly paymentId: string; readonly applicationId: string; readonly amount: number; readonly currency: 'CNY';
  readonly reason: string; readonly refundedBy: string; readonly createdAt: string;
  readonly returnedThrough: 'provider' | 'where_paid'; readonly providerState: RefundAtProvider | null;
}

/** A refund row as the API answers it (`returnedThrough` from whether a provider of ours gives it back). */
export function toRefund(row: RefundRow, applicationId: string): Refund {
  return {
    id: row.id, paymentId: row.payment_id, applicationId, amount: row.amount, currency: 'CNY', reason: row.reason, refundedBy: row.refunded_by,
    createdAt: row.created_at.toISOString(), returnedThrough: row.provider_state === null ? 'where_paid' : 'provider', providerState: row.provider_state,
  };
}

export { UUID } from '../../kernel/ids.js';
/** Staff who may see payments of their agency, refund, and read the reconciliation report. */
export const FINANCE_ROLES = ['officer', 'supervisor', 'agency_admin'] as const;
/** Staff of an application's agency: they see its bill and payments and read its receipts. */
export const AGENCY_STAFF = [...FINANCE_ROLES, 'clerk'] as const;

/**
 * The agency a clerk at a counter acts for on an application of `agency`: that agency when they
 * are its staff, else their own counter's (a one-stop hall's clerk taking another agency's fee).
 */
export const counterAgency = (clerk: Principal, agency: string): string =>
  hasRole(clerk, AGENCY_STAFF, agency) ? agency : clerk.roles.find((r) => r.role === 'clerk')?.agency ?? agency;
const RECEIPT_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';

/** 404; with `denied`, the bill or receipt exists but is someone else's, which is logged as security.denied (issue 9). */
export const notFound = (denied?: DenialReason) => new TongbanError(PaymentsErrors.TB_PAYMENTS_NOT_FOUND, denied ? { denied } : {});
export const invalid = (pointer: string, message: string, detail: string) =>
  new TongbanError(PaymentsErrors.TB_PAYMENTS_INVALID_INPUT, { detail, fields: [{ pointer, message, detail }] });

/** `R-20261203-7K3M9Q`: the day in China, then 6 random characters. */
export function receiptNumber(at: Date): string {
  const day = new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Shanghai', year: 'numeric', month: '2-digit', day: '2-digit' }).format(at).replaceAll('-', '');
  const bytes = randomBytes(6);
  return `R-${day}-${[...bytes].map((b) => RECEIPT_ALPHABET[b % RECEIPT_ALPHABET.length]).join('')}`;
}

/** Staff, or a system acting as its agency's case system (`client:<id>`), recorded as a client. */
export const staffActor = (viewer: Principal, agency: string): Actor => readerActor(viewer, agency);

export const toBill = (row: BillRow, serviceName: LocalizedText): Bill => ({
  id: row.id, applicationId: row.application_id, reference: row.reference, agencyCode: row.agency_code, applicantAccountId: row.applicant_account_id,
  amount: row.amount, currency: 'CNY', when: row.due_when, serviceName,
});

export const toPayment = (r: PaymentRow, refund: RefundRow | undefined): Payment => ({
  id: r.id, billId: r.bill_id, applicationId: r.application_id, method: r.method, status: r.status, amount: r.amount, payerName: r.payer_name,
  receiptNumber: r.receipt_number, createdAt: r.created_at, settledAt: r.settled_at, refundReason: refund?.reason ?? null,
  refundAtProvider: refund?.provider_state ? { state: refund.provider_state, attempts: refund.provider_attempts, error: refund.provider_error, at: refund.provider_at } : null,
});

const paidOf = (payments: readonly Payment[]) => payments.filter((p) => p.status === 'succeeded').reduce((sum, p) => sum + p.amount, 0);

/**
 * What is due and paid on a bill. `closed`: its case closed without a decision, so what is not
 * paid is not due (ask only when the state would otherwise be `due`: see `Books.stateFor`). A
 * refunded payment counts as not paid (ADR 21): a fully refunded fee is due again (it blocks the
 * approval and can be paid again), and is `refunded` only once its case closed without a decision.
 */
export function stateOf(bill: BillRow | undefined, payments: readonly Payment[], closed = false): PaymentState {
  if (!bill) return { due: 0, paid: 0, currency: 'CNY', state: 'none' };
  const paid = paidOf(payments);
  if (paid >= bill.amount) return { due: 0, paid, currency: 'CNY', state: 'paid' };
  if (closed && paid === 0 && payments.some((p) => p.status === 'refunded')) return { due: 0, paid: 0, currency: 'CNY', state: 'refunded' };
  if (closed) return { due: 0, paid, currency: 'CNY', state: 'not_due' };
  return { due: bill.amount - paid, paid, currency: 'CNY', state: 'due' };
}

/** Refuses a payment on a bill whose case closed without a decision (409, problem+json). */
export const caseClosed = (reference: string, status: string) =>
  new TongbanError(PaymentsErrors.TB_PAYMENTS_CASE_CLOSED, { detail: `Application ${reference} is ${status}: its fee is not due and cannot be paid` });
