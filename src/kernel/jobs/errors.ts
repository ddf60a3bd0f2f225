import { defineErrors } from '../http/errors.js';

/**
 * Codes raised by the job queue. They are programming or wiring mistakes, never something a
 * person caused, so they all show the generic "problem with the service" text.
 */
export const JobErrors = defineErrors('jobs', {
  TB_JOBS_HANDLER_TAKEN: { status: 500, title: 'A handler is already registered for this job queue', message: 'kernel.error.internal' },
  TB_JOBS_INVALID_OPTIONS: { status: 500, title: 'The job options are not valid', message: 'kernel.error.internal' },
  TB_JOBS_PAYLOAD_NOT_JSON: { status: 500, title: 'The job payload cannot be stored as JSON', message: 'kernel.error.internal' },
  TB_JOBS_KEY_UNSEEN: { status: 500, title: 'A job with this key exists but is not visible to this transaction', message: 'kernel.error.internal' },
});
