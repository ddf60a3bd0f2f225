import { defineErrors } from '../http/errors.js';
import './messages.js';

/** Codes raised while people sign in and out. Documented in docs/errors.md. */
export const AuthErrors = defineErrors('auth', {
  TB_AUTH_SIGNIN_EXPIRED: { status: 400, title: 'The sign-in was not started here or took too long', message: 'auth.error.signinExpired' },
  TB_AUTH_SIGNIN_FAILED: { status: 400, title: 'The identity provider did not confirm who you are', message: 'auth.error.signinFailed' },
  TB_AUTH_PROVIDER_UNAVAILABLE: { status: 503, title: 'The identity provider cannot be reached', message: 'auth.error.providerUnavailable' },
  TB_AUTH_ACCOUNT_UNAVAILABLE: { status: 403, title: 'This account cannot sign in', message: 'auth.error.accountUnavailable' },
  TB_AUTH_REAUTHENTICATION_REQUIRED: { status: 403, title: 'Sign in again to confirm it is you', message: 'auth.error.reauthenticationRequired' },
  TB_AUTH_HELD_FORM_NOT_FOUND: { status: 404, title: 'No answers are kept under this link for you: they were sent, have expired or are someone else\'s', message: 'auth.error.heldFormNotFound' },
  TB_AUTH_SESSION_NOT_FOUND: { status: 404, title: 'You have no such session', message: 'auth.error.sessionNotFound' },
});
