import { randomBytes } from 'node:crypto';
import type { Kernel } from '../../kernel/context.js';
import { resolveSecret } from '../../kernel/secrets/index.js';
import type { ApplicationsService } from '../applications/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { createBooks } from './books.js';
import { createFinance } from './finance.js';
import { notFound } from './model.js';
import { createOnlinePayments } from './online.js';
import type { PaymentProvider } from './provider.js';
import { createRecordedPayments } from './recorded.js';
import { createPaymentsStore } from './store.js';
import { createTestProvider, TEST_PROVIDER } from './test-provider.js';

export { PaymentsErrors } from './errors.js';
export { formatMoney, parseYuan, feeFor } from './fee.js';
export { TEST_PROVIDER, TEST_PROVIDER_PATH, type TestOutcome } from './test-provider.js';
export { signWebhook, verifyWebhook, SIGNATURE_HEADER } from './signature.js';
export type { WebhookEvent, PaymentProvider } from './provider.js';
export type { NotDueLine, Reconciliation, ReconciliationFlag } from './reconcile.js';
export type { PaymentMethod, PaymentStatus } from './store.js';
export type { Bill, Payment, PaymentState, Receipt, Refund } from './model.js';

export interface Deps {
  readonly applications: Pick<ApplicationsService, 'submittedWithAnswers' | 'submittedSummary' | 'submittedAmong' | 'auditSubjectOf'>;
  readonly workflow: Pick<WorkflowService, 'onTransition' | 'endedWithoutDecision'>;
}

const SETTLE_DELAY_MS = 1500;

/**
 * Fees, payments, receipts, refunds and reconciliation (docs/adr/0021-payments.md). A bill is
 * made from the service's fee and the application's answers the first time anyone asks (or at
 * approval for fees due after the decision); payments go through the provider port (online.ts)
 * or are recorded at a counter or by a bank (recorded.ts); staff see, refund and reconcile
 * (finance.ts); every call that creates something carries an idempotency key (books.ts). This
 * file composes them and is the module's only public face.
 */
export function createPaymentsService(kernel: Kernel, deps: Deps) {
  const store = createPaymentsStore();
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

  const books = createBooks({ kernel, store, applications: deps.applications, workflow: deps.workflow });
  const online = createOnlinePayments({ kernel, store, books, provider, webhookSecret, log });
  const recorded = createRecordedPayments({ kernel, store, books, applications: deps.applications });
  const finance = createFinance({
    kernel, store, books, applications: deps.applications, provider,
    settledBy: { name: TEST_PROVIDER, settlements: (from, to) => testProvider.port.settlements(from, to) },
  });

  return {
    /** The contract: what is due and paid for an application (no bill: state none; case closed unpaid: not_due). */
    statusFor: books.statusFor,
    /** The bill and payments of an application, for its applicant; 404 for anyone else. */
    forApplicant: books.forApplicant,
    ...online,
    ...recorded,
    ...finance,
    /** The built-in test provider's pages use these. */
    testProvider,
    /** For the webhook route and tests: the secret webhooks are signed with. */
    webhookSecret,
  };
}

export type PaymentsService = ReturnType<typeof createPaymentsService>;
