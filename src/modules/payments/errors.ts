import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the payments module. */
export const PaymentsErrors = defineErrors('payments', {
  TB_PAYMENTS_NOT_FOUND: { status: 404, title: 'There is no such payment or bill', message: 'payments.error.notFound' },
  TB_PAYMENTS_NO_FEE: { status: 409, title: 'There is nothing to pay for this application', message: 'payments.error.noFee' },
  TB_PAYMENTS_ALREADY_PAID: { status: 409, title: 'The fee has already been paid', message: 'payments.error.alreadyPaid' },
  // A rejected or withdrawn case owes nothing: no payment is started or recorded on it.
  TB_PAYMENTS_CASE_CLOSED: { status: 409, title: 'The application is closed: its fee is not due and cannot be paid', message: 'payments.error.caseClosed' },
  // Raised inside the approval's transaction: the approval rolls back (docs/adr/0021-payments.md).
  TB_PAYMENTS_FEE_UNPAID: { status: 409, title: 'The fee must be paid before the application is approved', message: 'payments.error.feeUnpaid' },
  TB_PAYMENTS_IDEMPOTENCY_KEY_REQUIRED: { status: 400, title: 'An Idempotency-Key is required', message: 'payments.error.keyRequired' },
  TB_PAYMENTS_IDEMPOTENCY_CONFLICT: { status: 422, title: 'The Idempotency-Key was used for a different request', message: 'payments.error.keyConflict' },
  TB_PAYMENTS_SIGNATURE_INVALID: { status: 401, title: 'The webhook signature is missing or wrong', message: 'payments.error.signature' },
  TB_PAYMENTS_WEBHOOK_STALE: { status: 400, title: 'The webhook is too old or from the future', message: 'payments.error.stale' },
  TB_PAYMENTS_INVALID_INPUT: { status: 400, title: 'The payment details are not valid', message: 'payments.error.invalid' },
  TB_PAYMENTS_NOT_REFUNDABLE: { status: 409, title: 'Only a completed payment can be refunded, once', message: 'payments.error.notRefundable' },
  TB_PAYMENTS_PROVIDER_FAILED: { status: 502, title: 'The payment provider could not be reached', message: 'payments.error.provider' },
});
