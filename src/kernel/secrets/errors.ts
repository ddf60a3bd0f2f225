import { defineErrors } from '../http/errors.js';

/** Codes raised by the secret store. Documented in docs/errors.md. */
export const SecretErrors = defineErrors('secrets', {
  TB_SECRETS_REQUIRED: { status: 500, title: 'A required secret is not configured', message: 'kernel.error.internal' },
});
