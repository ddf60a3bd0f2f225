import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the identity module. Documented in docs/errors.md. */
export const IdentityErrors = defineErrors('identity', {
  TB_IDENTITY_ACCOUNT_NOT_FOUND: { status: 404, title: 'No such account', message: 'identity.error.accountNotFound' },
  TB_IDENTITY_CLOSE_BLOCKED: { status: 409, title: 'The account cannot be closed while applications are in progress', message: 'identity.error.closeBlocked' },
});
