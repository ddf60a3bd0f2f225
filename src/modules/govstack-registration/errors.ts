import { defineErrors } from '../../kernel/http/index.js';
import './messages.js';

/** Codes raised by the GovStack Registration API (/govstack/registration). Documented in docs/errors.md. */
export const GovstackRegistrationErrors = defineErrors('govstack-registration', {
  TB_GOVSTACK_EFORM_NOT_FOUND: { status: 404, title: 'No such e-form', message: 'govstack.registration.error.eFormNotFound' },
  TB_GOVSTACK_CLIENT_HEADER_MISSING: { status: 400, title: 'The Information-Mediator-Client header is missing or malformed', message: 'govstack.registration.error.clientHeader' },
  TB_GOVSTACK_CLIENT_HEADER_MISMATCH: { status: 403, title: 'The Information-Mediator-Client header names another system than the access token', message: 'govstack.registration.error.clientMismatch' },
});
