import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the insights module (ratings, follow-ups, the performance dashboard). */
export const InsightsErrors = defineErrors('insights', {
  // Also for a case that is not the reader's own: nobody learns that someone else's case exists.
  TB_INSIGHTS_NOT_FOUND: { status: 404, title: 'There is no such case or follow-up for you', message: 'insights.error.notFound' },
  TB_INSIGHTS_NOT_FINISHED: { status: 409, title: 'The case has not ended yet, so it cannot be rated', message: 'insights.error.notFinished' },
  TB_INSIGHTS_ALREADY_RATED: { status: 409, title: 'This case has already been rated', message: 'insights.error.alreadyRated' },
  TB_INSIGHTS_SCORE_REQUIRED: { status: 400, title: 'Choose a rating from 1 to 5', message: 'insights.error.scoreRequired' },
  TB_INSIGHTS_COMMENT_TOO_LONG: { status: 400, title: 'The comment is too long', message: 'insights.error.commentTooLong' },
  TB_INSIGHTS_NOT_AT_COUNTER: { status: 409, title: 'The application was not made at a counter, so only the applicant can rate it', message: 'insights.error.notAtCounter' },
  TB_INSIGHTS_OTHER_AGENCY: { status: 403, title: 'Only a clerk of the application\'s agency, or the clerk who took it, records its rating', message: 'insights.error.otherAgency' },
  TB_INSIGHTS_REFERENCE_UNKNOWN: { status: 400, title: 'No finished application has this reference number', message: 'insights.error.referenceUnknown' },
  TB_INSIGHTS_ANSWER_REQUIRED: { status: 400, title: 'Write the answer and what was changed', message: 'insights.error.answerRequired' },
  TB_INSIGHTS_RESPONSE_REQUIRED: { status: 400, title: 'Say whether the answer solved the problem', message: 'insights.error.responseRequired' },
  TB_INSIGHTS_FOLLOW_UP_CLOSED: { status: 409, title: 'The follow-up has already been answered or responded to', message: 'insights.error.followUpClosed' },
  TB_INSIGHTS_FORBIDDEN: { status: 403, title: 'You do not have a role that allows this', message: 'insights.error.forbidden' },
});
