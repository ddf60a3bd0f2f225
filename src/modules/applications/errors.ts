import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the applications module. Documented in docs/errors.md. */
export const ApplicationsErrors = defineErrors('applications', {
  TB_APPLICATIONS_NOT_FOUND: { status: 404, title: 'No such application', message: 'applications.error.notFound' },
  TB_APPLICATIONS_SERVICE_UNAVAILABLE: { status: 404, title: 'The service does not take applications', message: 'applications.error.serviceUnavailable' },
  TB_APPLICATIONS_NOT_A_DRAFT: { status: 409, title: 'The application has already been submitted', message: 'applications.error.notADraft' },
  TB_APPLICATIONS_INCOMPLETE: { status: 400, title: 'The application has missing or wrong answers', message: 'applications.error.incomplete' },
  TB_APPLICATIONS_DECLARATION_REQUIRED: { status: 400, title: 'The declaration must be accepted', message: 'applications.declaration.required' },
  TB_APPLICATIONS_TASK_NOT_OPEN: { status: 409, title: 'The request for more information is not open', message: 'applications.error.taskNotOpen' },
  TB_APPLICATIONS_ANSWER_REQUIRED: { status: 400, title: 'An answer is required', message: 'applications.answer.required' },
  TB_APPLICATIONS_ANSWER_TOO_LONG: { status: 400, title: 'The answer is too long', message: 'applications.answer.tooLong' },
  TB_APPLICATIONS_REPORT_INVALID: { status: 400, title: 'The report of wrong registry data is incomplete', message: 'applications.error.reportInvalid' },
  TB_APPLICATIONS_COUNTER_INVALID: { status: 400, title: 'The counter application could not be started', message: 'applications.error.counterInvalid' },
});
