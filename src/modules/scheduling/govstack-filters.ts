import { ENTITY_CATEGORY, invalidQuery, instant, RESOURCE_CATEGORY, resourceName, statusFromSpec, text } from './govstack.js';
import type { AppointmentStatus, Counter, Hall } from './model.js';

/**
 * The spec's list filters in our terms (docs/adr/0022-scheduling.md, "Filters"). Every field the
 * spec lists is applied. A field whose data we hold for none of ours (an entity's email, a
 * counter's phone) matches nothing when given, as a filter on a value nobody has would; a field
 * the spec does not list is refused (400), so a misspelt one never returns everything.
 */

type Json = Record<string, unknown>;

function only(filter: Json, where: string, known: readonly string[]): void {
  const unknown = Object.keys(filter).filter((k) => !known.includes(k));
  if (unknown.length > 0) throw invalidQuery(`${where} has no field ${unknown.join(', ')}; the spec lists ${known.join(', ')}`);
}

function ids(filter: Json, name: string, where: string): string[] | undefined {
  const value = filter[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' || typeof v === 'number')) throw invalidQuery(`${where}.${name} must be an array of strings`);
  return value.map(String);
}

/** A boolean as JSON writes it, or as the spec's examples do (`"true"`). */
function flag(filter: Json, name: string, where: string): boolean | undefined {
  const value = filter[name];
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidQuery(`${where}.${name} must be true or false`);
}

/** A name filter: case-insensitive, anywhere in the name, in either language. */
const nameMatches = (wanted: string, names: readonly string[]): boolean => names.some((n) => n.toLowerCase().includes(wanted.trim().toLowerCase()));
/** Phone numbers compared without spaces, hyphens, dots and brackets (010-12345678 = 010 1234 5678). */
const phoneDigits = (phone: string): string => phone.replace(/[\s\-.()]/g, '');

const ENTITY_FIELDS = ['entity_id', 'category', 'name', 'phone', 'email', 'website'] as const;

/** Whether a hall passes the spec's entity_filter. */
export function entityFilter(filter: Json): (hall: Hall) => boolean {
  const where = 'entity_filter';
  only(filter, where, ENTITY_FIELDS);
  const wanted = ids(filter, 'entity_id', where);
  const category = text(filter, 'category', where);
  const name = text(filter, 'name', where);
  const phone = text(filter, 'phone', where);
  // Halls have no email or website here: a filter on either matches none.
  const unheld = ['email', 'website'].map((f) => text(filter, f, where)).find((v) => v !== undefined);
  return (hall) => unheld === undefined
    && (!wanted || wanted.includes(hall.id))
    && (category === undefined || category === ENTITY_CATEGORY)
    && (name === undefined || nameMatches(name, [hall.name['zh-CN'], hall.name.en]))
    && (phone === undefined || (hall.phone !== undefined && phoneDigits(hall.phone) === phoneDigits(phone)));
}

const RESOURCE_FIELDS = ['resource_id', 'name', 'category', 'phone', 'email', 'alert_url', 'alert_preference', 'status_poll_url'] as const;

/** Whether a hall's counter passes the spec's resource_filter. */
export function resourceFilter(filter: Json): (hall: Hall, counter: Counter) => boolean {
  const where = 'resource_filter';
  only(filter, where, RESOURCE_FIELDS);
  const wanted = ids(filter, 'resource_id', where);
  const name = text(filter, 'name', where);
  const category = text(filter, 'category', where);
  // Counters have no phone, email or alert settings of their own here: a filter on one matches none.
  const unheld = ['phone', 'email', 'alert_url', 'alert_preference', 'status_poll_url'].map((f) => text(filter, f, where)).find((v) => v !== undefined);
  return (hall, counter) => unheld === undefined
    && (!wanted || wanted.includes(counter.id))
    && (category === undefined || category === RESOURCE_CATEGORY)
    && (name === undefined || nameMatches(name, [resourceName(hall, counter, 'zh-CN'), resourceName(hall, counter, 'en')]));
}

/** The spec's free_resource_filter: every field optional; no hall means every hall. */
export interface FreeQuery { readonly hallId: string | undefined; readonly from: Date | undefined; readonly to: Date | undefined; readonly counter: (counter: Counter) => boolean }

export function freeResourceQuery(filter: Json): FreeQuery {
  const where = 'free_resource_filter';
  // `entity_id` as well as the spec's `Entity_id`: the other filters write it in lower case.
  only(filter, where, ['category', 'Entity_id', 'entity_id', 'from', 'to', 'resource_id']);
  const category = text(filter, 'category', where);
  const resourceId = text(filter, 'resource_id', where);
  return {
    hallId: text(filter, 'Entity_id', where) ?? text(filter, 'entity_id', where),
    from: instant(filter, 'from', where),
    to: instant(filter, 'to', where),
    counter: (c) => (category === undefined || category === RESOURCE_CATEGORY) && (resourceId === undefined || c.id === resourceId),
  };
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
