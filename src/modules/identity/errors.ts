import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the identity module. Documented in docs/errors.md. */
export const IdentityErrors = defineErrors('identity', {
  TB_IDENTITY_ACCOUNT_NOT_FOUND: { status: 404, title: 'No such account', message: 'identity.error.accountNotFound' },
});
