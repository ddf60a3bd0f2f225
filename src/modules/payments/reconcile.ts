import type { LocalizedText } from '../catalog/service.js';
import type { Settlement } from './provider.js';
import type { BillRow, PaymentRow, WebhookEventRow } from './store.js';

/**
 * `overpaid`: a payment that succeeded on a bill already paid (a checkout left open online, paid
 * after a clerk or a bank had recorded the fee): the money was taken, and is to be refunded.
 * `refund_due`: a payment that succeeded after its case had closed without a decision (the person
 * started paying, then withdrew, or the case was rejected, before the provider settled): the money
 * is ours to give back, through a refund.
 */
export type FlagKind = 'no_application' | 'fee_unpaid' | 'settlement_mismatch' | 'refund_due' | 'overpaid';

/**
 * What a flag is about, with its parameters: the page words it in the reader's language
 * (`payments.reconciliation.about.<what>`); money in fen, a case's state by its localized name.
 */
export type FlagAbout =
  | { readonly what: 'payment_without_application'; readonly payment: string }
  | { readonly what: 'event_without_payment'; readonly provider: string; readonly event: string; readonly type: string }
  | { readonly what: 'settlement_without_payment'; readonly provider: string; readonly ref: string }
  | { readonly what: 'settlement_amount'; readonly provider: string; readonly settled: number; readonly paid: number }
  | { readonly what: 'settlement_missing'; readonly provider: string; readonly ref: string }
  | { readonly what: 'paid_after_close'; readonly payment: string; readonly application: string; readonly caseStatus: LocalizedText; readonly closedAt: Date }
  | { readonly what: 'fee_unpaid'; readonly application: string; readonly owed: number }
  | { readonly what: 'overpaid'; readonly payment: string; readonly application: string };

export interface ReconciliationFlag {
  readonly kind: FlagKind;
  /** The application reference, the provider reference or the receipt the flag is about. */
  readonly reference: string;
  readonly amount: number;
  /** English detail for the CSV and the log. */
  readonly detail: string;
  /** The same, for the page to word per language. */
  readonly about: FlagAbout;
}

export interface ReconciliationLine {
  readonly receiptNumber: string | null;
  readonly reference: string;
  readonly agencyCode: string;
  readonly method: string;
  readonly status: string;
  readonly amount: number;
  readonly settledAt: Date;
}

/** A fee due before the decision, unpaid, on a case closed without one (rejected, withdrawn): not owed. */
export interface NotDueLine {
  readonly reference: string;
  readonly agencyCode: string;
  /** What was left unpaid, in fen. */
  readonly amount: number;
  readonly caseStatus: string;
  readonly caseStatusName: LocalizedText;
}

export interface Reconciliation {
  readonly day: string;
  readonly lines: readonly ReconciliationLine[];
  readonly total: number;
  readonly flags: readonly ReconciliationFlag[];
  /** Written off, not owed: shown apart from the flags so finance can close them in the books. */
  readonly notDue: readonly NotDueLine[];
}

/** How a case ended, when it ended without a decision (undefined: still open, or decided). */
export type ClosedCase = { readonly status: string; readonly statusName: LocalizedText; readonly closedAt: Date | null } | undefined;

interface Input {
  readonly day: string;
  readonly agencies: readonly string[] | 'all';
  readonly payments: readonly PaymentRow[];
  readonly bills: readonly BillRow[];
  readonly billById: ReadonlyMap<string, BillRow>;
  readonly paymentsByBill: readonly (readonly PaymentRow[])[];
  readonly unmatched: readonly WebhookEventRow[];
  readonly settlements: readonly Settlement[];
  readonly provider: string;
  /** Which of these applications are submitted ones; asked once per report. */
  readonly submittedApplications: (applicationIds: readonly string[]) => Promise<ReadonlySet<string>>;
  /** Which of these applications' cases closed without a decision; asked once per report. */
  readonly closedWithoutDecision: (applicationIds: readonly string[]) => Promise<ReadonlyMap<string, NonNullable<ClosedCase>>>;
}

/**
 * One day's payments against what should be there: money with no application behind it (a
 * provider settlement or webhook for no payment of ours, a payment whose application is gone),
 * applications whose fee is due with nothing paid, and our online payments the provider's
 * settlements disagree with (missing there, or another amount). A fee due before the decision
 * on a case that closed without one (rejected, withdrawn) is owed by nobody: it is listed as not
 * due, not flagged as unpaid.
 */
export async function buildReconciliation(input: Input): Promise<Reconciliation> {
  const mine = input.payments.filter((p) => input.billById.has(p.bill_id));
  const beforeDecision = (billId: string) => input.billById.get(billId)?.due_when === 'before_decision';
  // The cases asked about, all at once: a payment of the day that may have come after its case
  // closed, and a fee due before the decision with something left unpaid.
  const paidLate = mine.filter((p) => p.status === 'succeeded' && p.settled_at !== null && beforeDecision(p.bill_id));
  const unpaid = input.bills.flatMap((bill, i) => {
    const payments = input.paymentsByBill[i] ?? [];
    const paid = payments.filter((p) => p.status === 'succeeded').reduce((sum, p) => sum + p.amount, 0);
    // A refunded payment counts as not paid: the fee is due again, unless its case has closed.
    return paid >= bill.amount ? [] : [{ bill, paid, refunded: paid === 0 && payments.some((p) => p.status === 'refunded') }];
  });
  const asked = [...paidLate.map((p) => p.application_id), ...unpaid.filter((u) => u.bill.due_when === 'before_decision').map((u) => u.bill.application_id)];
  const closedCases = asked.length === 0 ? new Map<string, NonNullable<ClosedCase>>() : await input.closedWithoutDecision([...new Set(asked)]);
  const lines: ReconciliationLine[] = mine.map((p) => ({
    receiptNumber: p.receipt_number, reference: input.billById.get(p.bill_id)?.reference ?? p.application_id, agencyCode: input.billById.get(p.bill_id)?.agency_code ?? '',
    method: p.method, status: p.status, amount: p.amount, settledAt: p.settled_at ?? p.created_at,
  }));
  const flags: ReconciliationFlag[] = [];
  const submitted = mine.length === 0 ? new Set<string>() : await input.submittedApplications([...new Set(mine.map((p) => p.application_id))]);
  for (const p of mine) {
    if (!submitted.has(p.application_id)) {
      flags.push({ kind: 'no_application', reference: p.receipt_number ?? p.id, amount: p.amount, detail: `payment ${p.id} has no submitted application`, about: { what: 'payment_without_application', payment: p.id } });
    }
  }
  // Events and settlements that name no payment of ours belong to no agency: platform admins see them.
  if (input.agencies === 'all') {
    for (const e of input.unmatched) {
      flags.push({
        kind: 'no_application', reference: e.provider_ref, amount: e.amount, detail: `${e.provider} event ${e.event_id} (${e.type}) names no payment`,
        about: { what: 'event_without_payment', provider: e.provider, event: e.event_id, type: e.type },
      });
    }
  }
  // Every agency's payments, so a settlement of another agency's payment is not taken for money
  // with no payment; but only the reader's agencies' payments are flagged (their references and
  // amounts are not another agency's to see).
  const ours = new Map(input.payments.filter((p) => p.provider === input.provider && p.provider_ref).map((p) => [p.provider_ref!, p]));
  const flagged = (p: PaymentRow) => input.agencies === 'all' || input.billById.has(p.bill_id);
  for (const s of input.settlements) {
    const payment = ours.get(s.ref);
    if (!payment) {
      if (input.agencies === 'all') {
        flags.push({
          kind: 'no_application', reference: s.ref, amount: s.amount, detail: `${input.provider} settled ${s.ref} with no payment recorded here`,
          about: { what: 'settlement_without_payment', provider: input.provider, ref: s.ref },
        });
      }
    } else if (flagged(payment) && payment.amount !== s.amount) {
      flags.push({
        kind: 'settlement_mismatch', reference: s.ref, amount: s.amount, detail: `${input.provider} settled ${s.amount} fen, the payment is ${payment.amount} fen`,
        about: { what: 'settlement_amount', provider: input.provider, settled: s.amount, paid: payment.amount },
      });
    }
  }
  const settledRefs = new Set(input.settlements.map((s) => s.ref));
  for (const p of mine) {
    if (p.provider === input.provider && p.status === 'succeeded' && p.provider_ref && !settledRefs.has(p.provider_ref)) {
      flags.push({
        kind: 'settlement_mismatch', reference: p.receipt_number ?? p.provider_ref, amount: p.amount, detail: `${input.provider} reports no settlement of ${p.provider_ref}`,
        about: { what: 'settlement_missing', provider: input.provider, ref: p.provider_ref },
      });
    }
  }
  // Paid after the case closed without a decision: the check when paying started cannot hold the
  // case, so a payment in flight can still succeed. The money is kept and flagged to be refunded.
  for (const p of paidLate) {
    const closed = closedCases.get(p.application_id);
    if (closed?.closedAt && p.settled_at && p.settled_at > closed.closedAt) {
      const application = input.billById.get(p.bill_id)?.reference ?? p.application_id;
      flags.push({
        kind: 'refund_due', reference: p.receipt_number ?? p.id, amount: p.amount,
        detail: `payment ${p.id} of application ${application} succeeded after the case was ${closed.status} (${chinaTime(closed.closedAt)}); refund it`,
        about: { what: 'paid_after_close', payment: p.id, application, caseStatus: closed.statusName, closedAt: closed.closedAt },
      });
    }
  }
  // Paid twice: a checkout left open online was paid after the fee had been taken at a counter or
  // a bank (ADR 61). Whatever succeeded once the bill was covered is to be refunded, until it is.
  const refundDue = new Set(flags.filter((f) => f.kind === 'refund_due').map((f) => f.reference));
  input.bills.forEach((bill, i) => {
    const succeeded = (input.paymentsByBill[i] ?? []).filter((p) => p.status === 'succeeded')
      .sort((a, b) => (a.settled_at ?? a.created_at).getTime() - (b.settled_at ?? b.created_at).getTime());
    let covered = 0;
    for (const p of succeeded) {
      if (covered >= bill.amount && !refundDue.has(p.receipt_number ?? p.id)) {
        flags.push({
          kind: 'overpaid', reference: p.receipt_number ?? p.id, amount: p.amount, detail: `payment ${p.id} of application ${bill.reference} succeeded after the fee was paid; refund it`,
          about: { what: 'overpaid', payment: p.id, application: bill.reference },
        });
      }
      covered += p.amount;
    }
  });
  const notDue: NotDueLine[] = [];
  for (const { bill, paid, refunded } of unpaid) {
    const closed = bill.due_when === 'before_decision' ? closedCases.get(bill.application_id) : undefined;
    if (closed) {
      // Refunded on a closed case: settled both ways, nothing to write off.
      if (!refunded) notDue.push({ reference: bill.reference, agencyCode: bill.agency_code, amount: bill.amount - paid, caseStatus: closed.status, caseStatusName: closed.statusName });
    } else {
      flags.push({
        kind: 'fee_unpaid', reference: bill.reference, amount: bill.amount - paid, detail: `application ${bill.reference} owes ${bill.amount - paid} fen`,
        about: { what: 'fee_unpaid', application: bill.reference, owed: bill.amount - paid },
      });
    }
  }
  return { day: input.day, lines, total: mine.filter((p) => p.status === 'succeeded').reduce((sum, p) => sum + p.amount, 0), flags, notDue };
}

/**
 * A time in China with its offset, to the second (`2026-12-06T07:00:00+08:00`): the report's day is
 * China's, so its times are too. China keeps UTC+8 all year (no summer time).
 */
export const chinaTime = (at: Date): string => `${new Date(at.getTime() + 8 * 3_600_000).toISOString().slice(0, 19)}+08:00`;

const cell = (value: string | number): string => {
  const text = String(value);
  // Quoted when needed, and a leading formula character defused for spreadsheet programs.
  const safe = /^[=+\-@]/.test(text) ? `'${text}` : text;
  return /[",\n]/.test(safe) ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The report as CSV: the day's payments, the flags, then the fees not due; amounts in fen and in yuan. */
export function reconciliationCsv(report: Reconciliation): string {
  const rows: (string | number)[][] = [['section', 'receipt', 'reference', 'agency', 'method', 'status', 'amount_fen', 'amount_yuan', 'settled_at', 'detail']];
  for (const l of report.lines) rows.push(['payment', l.receiptNumber ?? '', l.reference, l.agencyCode, l.method, l.status, l.amount, (l.amount / 100).toFixed(2), chinaTime(l.settledAt), '']);
  for (const f of report.flags) rows.push([`flag:${f.kind}`, '', f.reference, '', '', '', f.amount, (f.amount / 100).toFixed(2), '', f.detail]);
  for (const n of report.notDue) {
    rows.push(['not_due:case_closed', '', n.reference, n.agencyCode, '', n.caseStatus, n.amount, (n.amount / 100).toFixed(2), '', `case ${n.caseStatus} before a decision; fee not due`]);
  }
  return `${rows.map((r) => r.map(cell).join(',')).join('\r\n')}\r\n`;
}
