import { newId } from '../../kernel/ids.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import type { ApplicationsService } from '../applications/service.js';
import type { LocalizedText } from '../catalog/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { PaymentsErrors } from './errors.js';
import { feeFor } from './fee.js';
import { notFound, stateOf, toBill, toPayment, UUID, type Bill, type Payment, type PaymentState } from './model.js';
import type { ClosedCase } from './reconcile.js';
import type { BillRow, Executor, PaymentsStore } from './store.js';
import { sha256 } from '../../kernel/digest.js';

const KEY = /^[A-Za-z0-9_.:-]{8,128}$/;

interface BooksDeps {
  readonly kernel: Kernel;
  readonly store: PaymentsStore;
  readonly applications: Pick<ApplicationsService, 'submittedWithAnswers' | 'submittedSummary'>;
  readonly workflow: Pick<WorkflowService, 'onTransition' | 'endedWithoutDecision'>;
}

/**
 * The books every payment path shares: an application's bill (made on first use), its payments,
 * the idempotency of every call that creates something, and the approval that waits for a fee
 * due before the decision (docs/adr/0021-payments.md).
 */
export function createBooks({ kernel, store, applications, workflow }: BooksDeps) {
  const db: Executor = kernel.db;

  /**
   * The application's bill, made on first use. A fee due after the decision has a bill only once
   * the application is approved (`atApproval`). Undefined: nothing to pay.
   */
  async function billFor(applicationId: string, executor: Executor = db, atApproval = false): Promise<{ row: BillRow; serviceName: LocalizedText } | undefined> {
    if (!UUID.test(applicationId)) return undefined;
    const id = applicationId.toLowerCase();
    const existing = await store.billForApplication(executor, id);
    const info = await applications.submittedWithAnswers(id, executor);
    if (!info) return undefined;
    const serviceName = info.service.definition.name;
    if (existing) return { row: existing, serviceName };
    const fee = feeFor(info.service.definition.fee, info.answers, kernel.now());
    if (!fee || (fee.when === 'after_decision' && !atApproval)) return undefined;
    const row = await store.ensureBill(executor, {
      id: newId(), application_id: id, reference: info.application.reference ?? id, agency_code: info.application.agencyCode,
      service_id: info.application.serviceId, applicant_account_id: info.application.applicantAccountId, amount: fee.amount, currency: fee.currency,
      due_when: fee.when, created_at: kernel.now(),
    });
    return { row, serviceName };
  }

  async function paymentsOf(billId: string, executor: Executor = db): Promise<Payment[]> {
    const rows = await store.paymentsForBill(executor, billId);
    const refunds = await store.refundsFor(executor, rows.map((r) => r.id));
    return rows.map((r) => toPayment(r, refunds.find((f) => f.payment_id === r.id)));
  }

  /**
   * How the application's case ended, if it ended without a decision (rejected, withdrawn): then
   * its fee is not due. Approval cannot happen unpaid (the approval listener), so a final case
   * never approved is one. Asked of the workflow service, the case's owner; a bill whose case is
   * gone is not closed here (the reconciliation flags it as money with no application).
   */
  async function closedCase(applicationId: string, executor: Executor = db): Promise<ClosedCase> {
    return (await workflow.endedWithoutDecision([applicationId], executor)).get(applicationId.toLowerCase());
  }

  /** `closedCase` of many applications at once (the reconciliation): only those closed without a decision are in the map. */
  function closedCases(applicationIds: readonly string[]): Promise<ReadonlyMap<string, NonNullable<ClosedCase>>> {
    return workflow.endedWithoutDecision(applicationIds);
  }

  /** The bill's state, with its case asked only when something would be due. */
  async function stateFor(row: BillRow, payments: readonly Payment[], executor: Executor = db): Promise<PaymentState> {
    const state = stateOf(row, payments);
    return state.state === 'due' && (await closedCase(row.application_id, executor)) ? stateOf(row, payments, true) : state;
  }

  /**
   * Runs `work` once per (scope, key): a retry with the same key gets the first call's result; the
   * same key with a different request is refused. The key row and the work commit together.
   */
  async function once<R>(scope: string, key: string | undefined, request: unknown, work: (tx: Executor) => Promise<R>): Promise<R> {
    if (!key || !KEY.test(key)) {
      throw new TongbanError(PaymentsErrors.TB_PAYMENTS_IDEMPOTENCY_KEY_REQUIRED, { fields: [{ pointer: '/headers/idempotency-key', message: 'payments.error.keyRequired', detail: 'Send 8 to 128 letters, digits or -_.: as Idempotency-Key' }] });
    }
    const fingerprint = sha256(JSON.stringify(request), 'hex');
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

  // Approval of an application whose fee is due before the decision waits for the payment: the
  // listener throws inside the approval's transaction, which rolls it back (ADR 21). A fee due
  // after the decision gets its bill here, in the same transaction as the approval.
  workflow.onTransition(async (tx, event) => {
    if (event.entry.action !== 'approve') return;
    const found = await billFor(event.case.id, tx, true);
    if (!found || found.row.due_when !== 'before_decision') return;
    // Locked as when paying, so a refund committing meanwhile cannot slip past this check.
    const state = stateOf(await store.lockBill(tx, found.row.id), await paymentsOf(found.row.id, tx));
    if (state.state === 'due') {
      throw new TongbanError(PaymentsErrors.TB_PAYMENTS_FEE_UNPAID, { detail: `The fee of application ${found.row.reference} is not paid yet` });
    }
  });

  /** The bill and payments of an application, for its applicant; 404 for anyone else. */
  async function forApplicant(applicationId: string, person: Principal): Promise<{ bill: Bill; payments: Payment[]; state: PaymentState } | undefined> {
    const summary = UUID.test(applicationId) ? await applications.submittedSummary(applicationId) : undefined;
    if (!summary) throw notFound();
    if (summary.applicantAccountId !== person.accountId) throw notFound('not-owner');
    const found = await billFor(summary.id);
    if (!found) return undefined;
    const payments = await paymentsOf(found.row.id);
    return { bill: toBill(found.row, found.serviceName), payments, state: await stateFor(found.row, payments) };
  }

  /** The contract: what is due and paid for an application (no bill: state none; case closed unpaid: not_due). */
  async function statusFor(applicationId: string): Promise<PaymentState> {
    const found = await billFor(applicationId);
    return found ? stateFor(found.row, await paymentsOf(found.row.id)) : stateOf(undefined, []);
  }

  return { billFor, paymentsOf, once, forApplicant, statusFor, closedCase, closedCases, stateFor };
}

export type Books = ReturnType<typeof createBooks>;
