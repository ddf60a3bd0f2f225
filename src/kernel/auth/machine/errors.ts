import { defineErrors } from '../../http/index.js';

/**
 * Codes for API clients (other agencies' systems). The token endpoint itself answers in
 * RFC 6749 §5.2 form (see docs/adr/0008-machine-clients.md); these codes are for the registry
 * and for Bearer checks on the API, which answer problem+json like every other route.
 */
export const MachineErrors = defineErrors('auth-machine', {
  TB_AUTH_CLIENT_TOKEN_MISSING: { status: 401, title: 'An access token is required', message: 'auth.machine.error.tokenMissing' },
  TB_AUTH_CLIENT_TOKEN_INVALID: { status: 401, title: 'The access token is not valid', message: 'auth.machine.error.tokenInvalid' },
  TB_AUTH_CLIENT_SCOPE_MISSING: { status: 403, title: 'The access token lacks a required scope', message: 'auth.machine.error.scopeMissing' },
  TB_AUTH_CLIENT_NOT_FOUND: { status: 404, title: 'No such API client', message: 'auth.machine.error.notFound' },
  TB_AUTH_CLIENT_EXISTS: { status: 409, title: 'An API client with this id already exists', message: 'auth.machine.error.exists' },
  TB_AUTH_CLIENT_INVALID: { status: 400, title: 'The API client registration is not valid', message: 'auth.machine.error.invalid' },
  TB_AUTH_CLIENT_KEY_INVALID: { status: 400, title: 'The public key is not acceptable', message: 'auth.machine.error.keyInvalid' },
  TB_AUTH_CLIENT_LAST_KEY: { status: 409, title: 'The last key of an API client cannot be removed', message: 'auth.machine.error.lastKey' },
});
