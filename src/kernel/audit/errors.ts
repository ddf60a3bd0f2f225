import { defineErrors } from '../http/errors.js';

/** Codes raised by the audit trail. Documented in docs/errors.md. */
export const AuditErrors = defineErrors('audit', {
  TB_AUDIT_INVALID_EVENT: { status: 500, title: 'An audit record could not be written', message: 'kernel.error.internal' },
  TB_AUDIT_SIGNING_KEY_INVALID: { status: 500, title: 'The audit signing key is not a valid Ed25519 key', message: 'kernel.error.internal' },
  TB_AUDIT_SIGNING_KEY_RETIRED: { status: 500, title: 'A newer audit signing key signs this log: this instance\'s key is retired', message: 'kernel.error.internal' },
});
