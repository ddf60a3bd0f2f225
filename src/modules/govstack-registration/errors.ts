import { defineErrors } from '../../kernel/http/index.js';
import './messages.js';

/** Codes raised by the GovStack Registration API (/govstack/registration). Documented in docs/errors.md. */
export const GovstackRegistrationErrors = defineErrors('govstack-registration', {
  TB_GOVSTACK_EFORM_NOT_FOUND: { status: 404, title: 'No such e-form', message: 'govstack.registration.error.eFormNotFound' },
  TB_GOVSTACK_EFORM_MISMATCH: { status: 422, title: 'The answers were made for another e-form than the service\'s current one', message: 'govstack.registration.error.eFormMismatch' },
  TB_GOVSTACK_PERSON_REQUIRED: { status: 403, title: 'Only a signed-in person may do this', message: 'govstack.registration.error.personRequired' },
  TB_GOVSTACK_CLIENT_HEADER_MISMATCH: { status: 403, title: 'The Information-Mediator-Client header names another system than the access token', message: 'govstack.registration.error.clientMismatch' },
});
