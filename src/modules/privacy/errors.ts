import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the privacy module ("who used my data" and questions about a use). */
export const PrivacyErrors = defineErrors('privacy', {
  TB_PRIVACY_FILTER_INVALID: { status: 400, title: 'The filter is not valid', message: 'privacy.error.filterInvalid' },
  // Also for a record about someone else: a person learns nothing about other people's records.
  TB_PRIVACY_ACCESS_NOT_FOUND: { status: 404, title: 'There is no such use of your data', message: 'privacy.error.accessNotFound' },
  TB_PRIVACY_QUESTION_REQUIRED: { status: 400, title: 'Write your question', message: 'privacy.error.questionRequired' },
  TB_PRIVACY_QUESTION_NOT_FOUND: { status: 404, title: 'There is no such question', message: 'privacy.error.questionNotFound' },
  TB_PRIVACY_ANSWER_REQUIRED: { status: 400, title: 'Write an answer', message: 'privacy.error.answerRequired' },
  TB_PRIVACY_ALREADY_ANSWERED: { status: 409, title: 'The question has been answered already', message: 'privacy.error.alreadyAnswered' },
});
