import { defineErrors } from '../http/errors.js';

/** Codes of the kernel's Idempotency-Key handling (ADR 31). Documented in docs/errors.md. */
export const IdempotencyErrors = defineErrors('idempotency', {
  TB_IDEMPOTENCY_KEY_REUSED: { status: 422, title: 'The Idempotency-Key was used for a different request', message: 'idempotency.error.reused' },
  TB_IDEMPOTENCY_IN_FLIGHT: { status: 409, title: 'A request with this Idempotency-Key is still being processed', message: 'idempotency.error.inFlight' },
});
