import { sql, type Kysely, type Selectable } from 'kysely';
import { inChunks } from '../../kernel/db/index.js';

export type PaymentMethod = 'online' | 'cash' | 'card' | 'bank';
export type PaymentStatus = 'pending' | 'succeeded' | 'declined' | 'refunded';
export type FeeDue = 'before_decision' | 'after_decision';
export type CheckoutStatus = 'open' | 'pending' | 'succeeded' | 'declined' | 'refunded';
export type RefundAtProvider = 'pending' | 'confirmed' | 'failed';

export type PaymentsTables = {
  payments_bills: {
    id: string; application_id: string; reference: string; agency_code: string; service_id: string;
    applicant_account_id: string | null; amount: number; currency: string; due_when: FeeDue; created_at: Date;
  };
  payments_payments: {
    id: string; bill_id: string; application_id: string; method: PaymentMethod; provider: string | null; provider_ref: string | null;
    status: PaymentStatus; amount: number; currency: string; payer_name: string; payer_account_id: string | null;
    recorded_by: string; receipt_number: string | null; created_at: Date; settled_at: Date | null;
  };
  payments_refunds: {
    id: string; payment_id: string; amount: number; reason: string; refunded_by: string; created_at: Date;
    /** Money taken online: what its provider said of the refund (the job sends it); null when no provider of ours gives it back. */
    provider_state: RefundAtProvider | null; provider_attempts: number; provider_error: string | null;
    /** When the provider confirmed it, or the last attempt failed. */
    provider_at: Date | null;
  };
  payments_idempotency: { scope: string; key: string; fingerprint: string; result: unknown; created_at: Date };
  payments_webhook_events: { provider: string; event_id: string; type: string; provider_ref: string; amount: number; matched: boolean; received_at: Date };
  payments_test_checkouts: {
    ref: string; merchant_reference: string; amount: number; currency: string; description: string; return_url: string;
    status: CheckoutStatus; created_at: Date; settled_at: Date | null;
  };
};

export type BillRow = Selectable<PaymentsTables['payments_bills']>;
export type PaymentRow = Selectable<PaymentsTables['payments_payments']>;
export type RefundRow = Selectable<PaymentsTables['payments_refunds']>;
export type CheckoutRow = Selectable<PaymentsTables['payments_test_checkouts']>;
export type WebhookEventRow = Selectable<PaymentsTables['payments_webhook_events']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<PaymentsTables> => executor.withTables<PaymentsTables>();
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

/** Every query on the payments tables. */
export function createPaymentsStore() {
  return {
    /** Inserts the bill unless the application has one already; returns the one that is there. */
    async ensureBill(executor: Executor, row: BillRow): Promise<BillRow> {
      await q(executor).insertInto('payments_bills').values(row).onConflict((oc) => oc.column('application_id').doNothing()).execute();
      return q(executor).selectFrom('payments_bills').selectAll().where('application_id', '=', row.application_id).executeTakeFirstOrThrow();
    },
    /**
     * The bill, its row locked until the caller's transaction ends: every transaction that pays,
     * settles or refunds takes it first, so two of them on one bill run one after the other.
     */
    lockBill: (executor: Executor, billId: string) =>
      q(executor).selectFrom('payments_bills').selectAll().where('id', '=', billId).forUpdate().executeTakeFirstOrThrow(),
    billForApplication: (executor: Executor, applicationId: string) =>
      q(executor).selectFrom('payments_bills').selectAll().where('application_id', '=', applicationId).executeTakeFirst(),
    billByReference: (executor: Executor, reference: string) =>
      q(executor).selectFrom('payments_bills').selectAll().where('reference', '=', reference).executeTakeFirst(),
    billsCreatedBefore: (executor: Executor, before: Date, agencies: readonly string[] | 'all') => {
      let query = q(executor).selectFrom('payments_bills').selectAll().where('created_at', '<', before);
      if (agencies !== 'all') query = query.where('agency_code', 'in', agencies.length > 0 ? [...agencies] : ['-']);
      return query.orderBy('created_at').execute();
    },

    async insertPayment(executor: Executor, row: PaymentRow): Promise<void> {
      await q(executor).insertInto('payments_payments').values(row).execute();
    },
    payment: (executor: Executor, id: string) => q(executor).selectFrom('payments_payments').selectAll().where('id', '=', id).executeTakeFirst(),
    // Not locked: its bill is (lockBill), always before its payments, so no two transactions wait for each other.
    paymentByProviderRef: (executor: Executor, ref: string) =>
      q(executor).selectFrom('payments_payments').selectAll().where('provider_ref', '=', ref).executeTakeFirst(),
    paymentByReceipt: (executor: Executor, receipt: string) =>
      q(executor).selectFrom('payments_payments').selectAll().where('receipt_number', '=', receipt).executeTakeFirst(),
    paymentsForBill: (executor: Executor, billId: string) =>
      q(executor).selectFrom('payments_payments').selectAll().where('bill_id', '=', billId).orderBy('created_at').orderBy('id').execute(),
    /** The payments of each of these bills (in their order), a statement per thousand bills rather than one per bill. */
    async paymentsForBills(executor: Executor, billIds: readonly string[]): Promise<PaymentRow[][]> {
      const byBill = new Map<string, PaymentRow[]>(billIds.map((id) => [id, []]));
      for (const chunk of inChunks(billIds)) {
        const rows = await q(executor).selectFrom('payments_payments').selectAll().where('bill_id', 'in', chunk)
          .orderBy('created_at').orderBy('id').execute();
        for (const row of rows) byBill.get(row.bill_id)?.push(row);
      }
      return billIds.map((id) => byBill.get(id) ?? []);
    },
    paymentsSettledBetween: (executor: Executor, from: Date, to: Date) =>
      q(executor).selectFrom('payments_payments').selectAll().where('settled_at', '>=', from).where('settled_at', '<', to).orderBy('settled_at').execute(),
    /** Sets the checkout's reference unless the payment has one already: false when another call set it first. */
    async setProviderRef(executor: Executor, id: string, ref: string): Promise<boolean> {
      const result = await q(executor).updateTable('payments_payments').set({ provider_ref: ref }).where('id', '=', id).where('provider_ref', 'is', null).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    /** Moves a payment on from `from` only, so a late or repeated outcome changes nothing. */
    async settle(executor: Executor, id: string, from: readonly PaymentStatus[], to: PaymentStatus, extra: { settledAt?: Date; receiptNumber?: string } = {}): Promise<boolean> {
      const result = await q(executor).updateTable('payments_payments')
        .set({ status: to, ...(extra.settledAt ? { settled_at: extra.settledAt } : {}), ...(extra.receiptNumber ? { receipt_number: extra.receiptNumber } : {}) })
        .where('id', '=', id).where('status', 'in', [...from]).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },

    async insertRefund(executor: Executor, row: RefundRow): Promise<void> {
      await q(executor).insertInto('payments_refunds').values(row).execute();
    },
    refund: (executor: Executor, id: string) => q(executor).selectFrom('payments_refunds').selectAll().where('id', '=', id).executeTakeFirst(),
    /** What the provider said of a refund; a confirmed one is never changed again (the job may run twice). */
    async recordRefundAtProvider(executor: Executor, id: string, outcome: { state: RefundAtProvider; attempts: number; error: string | null; at: Date }): Promise<boolean> {
      const result = await q(executor).updateTable('payments_refunds')
        .set({ provider_state: outcome.state, provider_attempts: outcome.attempts, provider_error: outcome.error, provider_at: outcome.at })
        .where('id', '=', id).where('provider_state', 'in', ['pending', 'failed']).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    refundsFor: (executor: Executor, paymentIds: readonly string[]) =>
      paymentIds.length === 0 ? Promise.resolve([]) : q(executor).selectFrom('payments_refunds').selectAll().where('payment_id', 'in', [...paymentIds]).execute(),

    /** Claims an idempotency key: true when this call is the first with it. */
    async claimKey(executor: Executor, scope: string, key: string, fingerprint: string, at: Date): Promise<boolean> {
      const rows = await q(executor).insertInto('payments_idempotency').values({ scope, key, fingerprint, result: null, created_at: at })
        .onConflict((oc) => oc.columns(['scope', 'key']).doNothing()).returning('key').execute();
      return rows.length > 0;
    },
    key: (executor: Executor, scope: string, key: string) =>
      q(executor).selectFrom('payments_idempotency').selectAll().where('scope', '=', scope).where('key', '=', key).executeTakeFirst(),
    async keepResult(executor: Executor, scope: string, key: string, result: unknown): Promise<void> {
      await q(executor).updateTable('payments_idempotency').set({ result: jsonb(result) }).where('scope', '=', scope).where('key', '=', key).execute();
    },

    /** Records a webhook event; false when this event was received before (a replay or a retry). */
    async recordEvent(executor: Executor, row: WebhookEventRow): Promise<boolean> {
      const rows = await q(executor).insertInto('payments_webhook_events').values(row)
        .onConflict((oc) => oc.columns(['provider', 'event_id']).doNothing()).returning('event_id').execute();
      return rows.length > 0;
    },
    unmatchedEvents: (executor: Executor, from: Date, to: Date) =>
      q(executor).selectFrom('payments_webhook_events').selectAll().where('matched', '=', false).where('received_at', '>=', from).where('received_at', '<', to).execute(),

    async insertCheckout(executor: Executor, row: CheckoutRow): Promise<void> {
      await q(executor).insertInto('payments_test_checkouts').values(row).execute();
    },
    checkout: (executor: Executor, ref: string) => q(executor).selectFrom('payments_test_checkouts').selectAll().where('ref', '=', ref).executeTakeFirst(),
    async setCheckout(executor: Executor, ref: string, from: readonly CheckoutStatus[], to: CheckoutStatus, settledAt: Date | null): Promise<boolean> {
      const result = await q(executor).updateTable('payments_test_checkouts').set({ status: to, ...(settledAt ? { settled_at: settledAt } : {}) })
        .where('ref', '=', ref).where('status', 'in', [...from]).executeTakeFirst();
      return result.numUpdatedRows > 0n;
    },
    checkoutsSettledBetween: (executor: Executor, from: Date, to: Date) =>
      q(executor).selectFrom('payments_test_checkouts').selectAll().where('settled_at', '>=', from).where('settled_at', '<', to).execute(),
  };
}

export type PaymentsStore = ReturnType<typeof createPaymentsStore>;
