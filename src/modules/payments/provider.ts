/**
 * The payment provider port: the few calls Tongban makes to whoever takes the money. The
 * built-in test provider (test-provider.ts) implements it; a real provider would be one more
 * implementation of these four functions, and its webhooks would arrive at
 * `/payments/webhooks/<name>` signed the same way.
 */
export type ProviderStatus = 'open' | 'pending' | 'succeeded' | 'declined' | 'refunded' | 'unknown';

export interface CheckoutRequest {
  /** Our payment id: the provider's merchant reference. */
  readonly paymentId: string;
  readonly amount: number;
  readonly currency: 'CNY';
  readonly description: string;
  /** Where the provider sends the person back when they finish. */
  readonly returnUrl: string;
}

export interface Settlement { readonly ref: string; readonly amount: number; readonly settledAt: Date }

export interface PaymentProvider {
  readonly name: string;
  createCheckout(request: CheckoutRequest): Promise<{ ref: string; redirectUrl: string }>;
  /** The provider's own view of a checkout, when the person comes back before its webhook. */
  status(ref: string): Promise<ProviderStatus>;
  /**
   * Gives a settled payment back. Called by the refund job, which runs at least once (ADR 4):
   * `idempotencyKey` (our refund id) is the provider's idempotency key, so a repeated call refunds
   * once. Resolves once the provider has accepted the refund; throws to be tried again.
   */
  refund(ref: string, amount: number, options: { readonly idempotencyKey: string }): Promise<void>;
  /** What the provider says it settled in the window: the other side of reconciliation. */
  settlements(from: Date, to: Date): Promise<Settlement[]>;
}

/** The body of a provider webhook (JSON, signed over its raw bytes). */
export interface WebhookEvent {
  readonly id: string;
  readonly type: 'payment.pending' | 'payment.succeeded' | 'payment.declined';
  /** Unix seconds. */
  readonly created: number;
  readonly data: { readonly ref: string; readonly amount: number; readonly currency: string };
}
