import { defineErrors } from '../../kernel/http/index.js';
import './messages.js';

/** Codes raised by the workflow module. Documented in docs/errors.md. */
export const WorkflowErrors = defineErrors('workflow', {
  TB_WORKFLOW_NOT_FOUND: { status: 404, title: 'No such case', message: 'workflow.error.notFound' },
  TB_WORKFLOW_FORBIDDEN: { status: 403, title: 'You may not take this action on this case', message: 'workflow.error.forbidden' },
  TB_WORKFLOW_ACTION_NOT_ALLOWED: { status: 409, title: 'The action is not allowed in the case\'s current state', message: 'workflow.error.actionNotAllowed' },
  TB_WORKFLOW_REASON_REQUIRED: { status: 422, title: 'The action needs a reason', message: 'workflow.error.reasonRequired' },
  TB_WORKFLOW_REASON_TOO_LONG: { status: 422, title: 'The reason is too long', message: 'workflow.error.reasonTooLong' },
  TB_WORKFLOW_OWN_APPLICATION: { status: 403, title: 'Staff may not act on a case of their own application', message: 'workflow.error.ownApplication' },
  TB_WORKFLOW_NOTE_REQUIRED: { status: 422, title: 'The note is empty or too long', message: 'workflow.error.noteRequired' },
  TB_WORKFLOW_ALREADY_STARTED: { status: 409, title: 'A case with this id exists already', message: 'workflow.error.alreadyStarted' },
  TB_WORKFLOW_STATISTICS_RANGE: { status: 400, title: 'The statistics period is not valid', message: 'workflow.error.statisticsRange' },
  // The GovStack Workflow API (docs/adr/0062-govstack-workflow.md).
  TB_WORKFLOW_PROCESS_NOT_FOUND: { status: 404, title: 'No such process', message: 'workflow.error.processNotFound' },
  TB_WORKFLOW_START_NEEDS_APPLICATION: { status: 409, title: 'A case starts only when an application is submitted', message: 'workflow.error.startNeedsApplication' },
  TB_WORKFLOW_STOP_NOT_OFFERED: { status: 409, title: 'A case ends only with a decision or the applicant\'s withdrawal', message: 'workflow.error.stopNotOffered' },
  TB_WORKFLOW_PROCESS_READ_ONLY: { status: 405, title: 'Processes are published through the catalog, not changed here', message: 'workflow.error.processReadOnly' },
  // `tongban calendar import` (docs/operations.md): the file is not one valid year.
  TB_WORKFLOW_CALENDAR_INVALID: { status: 422, title: 'The holiday calendar file is not valid', message: 'workflow.error.calendarInvalid' },
  TB_WORKFLOW_CORRUPT_HISTORY: { status: 500, title: 'The case history is not valid for its workflow', message: 'workflow.error.corruptHistory' },
});
