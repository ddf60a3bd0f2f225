import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the scheduling module. */
export const SchedulingErrors = defineErrors('scheduling', {
  TB_SCHEDULING_HALL_NOT_FOUND: { status: 404, title: 'There is no such service hall', message: 'scheduling.error.hallNotFound' },
  TB_SCHEDULING_COUNTER_NOT_FOUND: { status: 404, title: 'There is no such counter at this hall', message: 'scheduling.error.counterNotFound' },
  TB_SCHEDULING_NOT_BOOKABLE: { status: 409, title: 'This application has no in-person step to book', message: 'scheduling.error.notBookable' },
  TB_SCHEDULING_CHOICE_REQUIRED: { status: 400, title: 'A hall, a day and a time must be chosen', message: 'scheduling.error.choiceRequired' },
  TB_SCHEDULING_SLOT_INVALID: { status: 400, title: 'The hall does not offer this time for this service', message: 'scheduling.error.slotInvalid' },
  // Two people raced for the last place: the loser is told plainly and chooses again.
  TB_SCHEDULING_SLOT_FULL: { status: 409, title: 'This time is fully booked', message: 'scheduling.error.slotFull' },
  TB_SCHEDULING_ALREADY_BOOKED: { status: 409, title: 'This application already has an appointment', message: 'scheduling.error.alreadyBooked' },
  TB_SCHEDULING_NO_APPOINTMENT: { status: 404, title: 'There is no appointment to change', message: 'scheduling.error.noAppointment' },
  TB_SCHEDULING_CHECK_IN_REQUIRED: { status: 400, title: 'An appointment reference or an ID number is needed', message: 'scheduling.error.checkInRequired' },
  TB_SCHEDULING_CHECK_IN_NOT_FOUND: { status: 404, title: 'No appointment to check in was found at this hall', message: 'scheduling.error.checkInNotFound' },
  TB_SCHEDULING_QUERY_INVALID: { status: 400, title: 'The qry parameter is not valid JSON of the expected shape', message: 'scheduling.error.queryInvalid' },
  // The spec's list has no paging: an answer cut at the limit would look complete, so it is refused.
  TB_SCHEDULING_LIST_TOO_LONG: { status: 400, title: 'More appointments match than one answer holds; narrow the filter', message: 'scheduling.error.listTooLong' },
});
