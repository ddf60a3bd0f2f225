import { invalidQuery, instant, statusFromSpec, text } from './govstack.js';
import type { AppointmentStatus } from './model.js';

/**
 * The spec's list filters in our terms (docs/adr/0022-scheduling.md, "Filters"). Every field the
 * spec lists is applied; a value none of ours can have matches nothing; a field the spec does not
 * list is refused (400), so a misspelt one never returns everything.
 */

type Json = Record<string, unknown>;

function only(filter: Json, where: string, known: readonly string[]): void {
  const unknown = Object.keys(filter).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw invalidQuery(`${where} has no field ${unknown.join(', ')}; the spec lists ${known.join(', ')}`);
}

/** A boolean as JSON writes it, or as the spec's examples do (`"true"`). */
function flag(filter: Json, name: string, where: string): boolean | undefined {
  const value = filter[name];
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidQuery(`${where}.${name} must be true or false`);
}

/** Our appointments' filter: the caller's agency is added by the route. */
export interface AppointmentQuery {
  reference?: string; applicationId?: string; hallId?: string; status?: AppointmentStatus; from?: Date; to?: Date;
}

/**
 * The spec's appointment_filter as a query on our appointments, or undefined when it can match
 * none: every appointment of ours is exclusive (one person's place) and its participant an application.
 */
export function appointmentQuery(filter: Json): AppointmentQuery | undefined {
  const where = 'appointment_filter';
  only(filter, where, ['exclusive', 'appointment_id', 'participant_type', 'participant_id', 'participant_entity_id', 'status', 'from', 'to']);
  const query: AppointmentQuery = {};
  const reference = text(filter, 'appointment_id', where);
  const applicationId = text(filter, 'participant_id', where);
  const hallId = text(filter, 'participant_entity_id', where);
  const status = statusFromSpec(text(filter, 'status', where));
  const from = instant(filter, 'from', where);
  const to = instant(filter, 'to', where);
  const participantType = text(filter, 'participant_type', where);
  const exclusive = flag(filter, 'exclusive', where);
  if (reference !== undefined) query.reference = reference;
  if (applicationId !== undefined) query.applicationId = applicationId;
  if (hallId !== undefined) query.hallId = hallId;
  if (status !== undefined) query.status = status;
  if (from !== undefined) query.from = from;
  if (to !== undefined) query.to = to;
  return (participantType === undefined || participantType === 'application') && exclusive !== false ? query : undefined;
}
