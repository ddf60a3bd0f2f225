import { purposeText } from '../../kernel/audit/index.js';
import { clientActor } from '../../kernel/auth/machine/index.js';
import { newId } from '../../kernel/ids.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/errors.js';
import type { ApplicationsService } from '../applications/service.js';
import type { Books } from './books.js';
import { PaymentsErrors } from './errors.js';
import { caseClosed, counterAgency, invalid, notFound, receiptNumber, staffActor, stateOf, toBill, type Bill, type PaymentState } from './model.js';
import type { PaymentMethod, PaymentsStore } from './store.js';
import './messages.js';

interface RecordedDeps {
  readonly kernel: Kernel;
  readonly store: PaymentsStore;
  readonly books: Pick<Books, 'billFor' | 'paymentsOf' | 'once' | 'closedCase' | 'stateFor'>;
  readonly applications: Pick<ApplicationsService, 'submittedSummary'>;
}

/**
 * Money taken elsewhere and recorded here: cash or card at a counter (a clerk), and a payment at
 * a bank (a GovStack payer FI, after its bill inquiry). Each is recorded once per idempotency key.
 */
export function createRecordedPayments({ kernel, store, books, applications }: RecordedDeps) {
  /** A clerk records cash or a card payment taken at the counter; the receipt number comes back. */
  async function recordAtCounter(clerk: Principal, input: { reference: string; method: string; payerName: string; key: string | undefined; requestId?: string }): Promise<{ receiptNumber: string }> {
    if (!hasRole(clerk, 'clerk')) throw new TongbanError('TB_KERNEL_FORBIDDEN');
    const payerName = input.payerName.trim();
    if (input.method !== 'cash' && input.method !== 'card') throw invalid('/method', 'payments.counter.methodRequired', 'Choose cash or card');
    if (payerName === '') throw invalid('/payerName', 'payments.counter.payerRequired', 'Enter the name of the person paying');
    if (payerName.length > 100) throw invalid('/payerName', 'payments.counter.payerTooLong', 'The name of the person paying must be 100 characters or fewer');
    const summary = await applications.submittedSummary(input.reference);
    const found = summary ? await books.billFor(summary.id) : undefined;
    if (!summary || !found) throw invalid('/reference', 'payments.counter.referenceUnknown', 'No application with a fee has this reference');
    const agency = counterAgency(clerk, summary.agencyCode);
    return books.once(`${clerk.accountId}:counter`, input.key, { bill: found.row.id, method: input.method, payerName }, async (tx) => {
      // The bill locked: a second recording (another clerk, a bank) waits, then finds it paid. A
      // checkout left open online does not stop the clerk; if it is paid later, it is flagged.
      const state = stateOf(await store.lockBill(tx, found.row.id), await books.paymentsOf(found.row.id, tx));
      if (state.state !== 'due') throw new TongbanError(PaymentsErrors.TB_PAYMENTS_ALREADY_PAID);
      // A rejected or withdrawn case owes nothing: no money is taken for it.
      const closed = await books.closedCase(summary.id, tx);
      if (closed) throw caseClosed(found.row.reference, closed.status);
      const at = kernel.now();
      const number = receiptNumber(at);
      const id = newId();
      await store.insertPayment(tx, {
        id, bill_id: found.row.id, application_id: summary.id, method: input.method as PaymentMethod, provider: null, provider_ref: null, status: 'succeeded',
        amount: state.due, currency: 'CNY', payer_name: payerName, payer_account_id: summary.applicantAccountId, recorded_by: clerk.accountId,
        receipt_number: number, created_at: at, settled_at: at,
      });
      await kernel.audit.append(tx, {
        actor: staffActor(clerk, agency), action: 'payments.payment.counter', ...(summary.applicantAccountId ? { subject: summary.applicantAccountId } : {}),
        resource: { type: 'payment', id }, purpose: purposeText('payments.purpose.counter'), ...(input.requestId ? { requestId: input.requestId } : {}),
        details: { amount: state.due, method: input.method, reference: found.row.reference },
      });
      return { receiptNumber: number };
    });
  }

  /** The GovStack bill inquiry: a bill by the application's reference (no personal data in it). */
  async function billByReference(reference: string): Promise<{ bill: Bill; state: PaymentState } | undefined> {
    const summary = await applications.submittedSummary(reference);
    const found = summary ? await books.billFor(summary.id) : undefined;
    if (!found) return undefined;
    return { bill: toBill(found.row, found.serviceName), state: await books.stateFor(found.row, await books.paymentsOf(found.row.id)) };
  }

  /** A payment made at a bank (a GovStack payer FI): recorded once per idempotency key. */
  async function recordBankPayment(client: { clientId: string; organisation: string }, input: { reference: string; paymentReference: string; key: string | undefined; requestId?: string }): Promise<{ receiptNumber: string }> {
    const found = await billByReference(input.reference);
    if (!found) throw notFound();
    return books.once(`client:${client.clientId}:bill-payment`, input.key, { bill: found.bill.id, paymentReference: input.paymentReference }, async (tx) => {
      const state = stateOf(await store.lockBill(tx, found.bill.id), await books.paymentsOf(found.bill.id, tx));
      if (state.state !== 'due') throw new TongbanError(PaymentsErrors.TB_PAYMENTS_ALREADY_PAID);
      const closed = await books.closedCase(found.bill.applicationId, tx);
      if (closed) throw caseClosed(found.bill.reference, closed.status);
      const at = kernel.now();
      const number = receiptNumber(at);
      const id = newId();
      await store.insertPayment(tx, {
        id, bill_id: found.bill.id, application_id: found.bill.applicationId, method: 'bank', provider: `bank:${client.organisation}`,
        provider_ref: `${client.clientId}:${input.paymentReference}`, status: 'succeeded', amount: state.due, currency: 'CNY',
        payer_name: client.organisation, payer_account_id: found.bill.applicantAccountId, recorded_by: `client:${client.clientId}`,
        receipt_number: number, created_at: at, settled_at: at,
      });
      await kernel.audit.append(tx, {
        actor: clientActor(client), action: 'payments.payment.bank',
        ...(found.bill.applicantAccountId ? { subject: found.bill.applicantAccountId } : {}), resource: { type: 'payment', id },
        ...(input.requestId ? { requestId: input.requestId } : {}), details: { amount: state.due, reference: found.bill.reference },
      });
      return { receiptNumber: number };
    });
  }

  return { recordAtCounter, billByReference, recordBankPayment };
}
