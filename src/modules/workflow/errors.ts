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
  TB_WORKFLOW_CORRUPT_HISTORY: { status: 500, title: 'The case history is not valid for its workflow', message: 'workflow.error.corruptHistory' },
});
