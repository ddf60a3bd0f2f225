import { TongbanError } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import { SchedulingErrors } from './errors.js';
import type { AppointmentSummary, Counter, Hall } from './model.js';
import { shanghaiDay, shanghaiTime } from './slots.js';

/**
 * The GovStack Scheduler vocabulary over ours: an entity is a service hall, a resource is one of
 * its counters, an event is a bookable time at a hall (`<hall>/<ISO start>`), an appointment is
 * ours (its id is our reference) and its participant is an application.
 */

type Json = Record<string, unknown>;

const invalid = (detail: string, pointer = '/query/qry') =>
  new TongbanError(SchedulingErrors.TB_SCHEDULING_QUERY_INVALID, { detail, fields: [{ pointer, message: 'scheduling.error.queryInvalid', detail }] });

/**
 * The spec's `qry` parameter: an object in the query string. Sent as JSON in `qry`, or (form
 * style, exploded) as its top-level members each JSON-encoded, e.g. `appointment_filter={…}`.
 */
export function readQry(query: Readonly<Record<string, unknown>>, members: readonly string[]): Json {
  const parse = (text: unknown, name: string): unknown => {
    if (typeof text !== 'string') throw invalid(`${name} must be JSON text`, `/query/${name}`);
    try {
      return JSON.parse(text) as unknown;
    } catch {
      throw invalid(`${name} is not valid JSON`, `/query/${name}`);
    }
  };
  const object = (value: unknown, name: string): Json => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`${name} must be a JSON object`, `/query/${name}`);
    return value as Json;
  };
  if (query.qry !== undefined) return object(parse(query.qry, 'qry'), 'qry');
  const out: Json = {};
  for (const name of members) if (query[name] !== undefined) out[name] = object(parse(query[name], name), name);
  return out;
}

export const member = (qry: Json, name: string): Json => {
  const value = qry[name];
  if (value === undefined) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid(`qry.${name} must be an object`);
  return value as Json;
};

export function text(object: Json, name: string, where: string): string | undefined {
  const value = object[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalid(`${where}.${name} must be a string`);
  return value;
}

// An ISO 8601 date-time; seconds, a fraction and the zone may be left out.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * A date-time as the spec's examples write it. One without a zone is Shanghai wall-clock time
 * (+08:00), never the server's zone; an impossible one (30 February, 25:00) is undefined.
 */
export function shanghaiDateTime(value: string): Date | undefined {
  const m = DATE_TIME.exec(value);
  if (!m) return undefined;
  const [year, month, day, hour, minute, second] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? '00'].map(Number) as [number, number, number, number, number, number];
  const zone = (m[8] ?? '+08:00').toUpperCase();
  const offset = zone === 'Z' ? 0 : (zone.startsWith('-') ? -1 : 1) * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(-2)));
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  const back = new Date(wall);
  // Date.UTC rolls 30 February over into March: a round trip shows it.
  if (back.getUTCFullYear() !== year || back.getUTCMonth() !== month - 1 || back.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59 || Math.abs(offset) > 14 * 60) return undefined;
  return new Date(wall - offset * 60_000 + Math.floor(Number(m[7] ?? 0) * 1000));
}

export function instant(object: Json, name: string, where: string): Date | undefined {
  const value = text(object, name, where);
  if (value === undefined) return undefined;
  const at = shanghaiDateTime(value);
  if (!at) throw invalid(`${where}.${name} must be a date-time, e.g. 2026-12-08T09:00:00+08:00`);
  return at;
}

/** `<hall>/<ISO start>` ⇄ hall, day and time; `pointer` names the field the id came in. */
export const eventId = (hallId: string, startsAt: Date): string => `${hallId}/${startsAt.toISOString()}`;
export function parseEventId(id: string, pointer = '/query/qry'): { hallId: string; day: string; time: string } {
  const slash = id.lastIndexOf('/');
  const at = slash > 0 ? shanghaiDateTime(id.slice(slash + 1)) : undefined;
  if (!at) throw invalid(`event id ${id} is not <hall>/<start date-time>, e.g. dongcheng-zwfw/2026-12-08T09:00:00+08:00`, pointer);
  return { hallId: id.slice(0, slash), day: shanghaiDay(at), time: shanghaiTime(at) };
}

/** The categories our answers give (and filters match): a hall is a `service_hall`, a counter a `counter`. */
export const ENTITY_CATEGORY = 'service_hall';
export const RESOURCE_CATEGORY = 'counter';

export function entityList(halls: readonly Hall[], locale: Locale): Json[] {
  return halls.map((h) => ({ entity_id: h.id, details: { category: ENTITY_CATEGORY, name: h.name[locale], ...(h.phone ? { phone: h.phone } : {}) } }));
}

/** A counter's name in our answers: the hall's name and the counter's. */
export const resourceName = (hall: Hall, counter: Counter, locale: Locale): string => `${hall.name[locale]} ${counter.name[locale]}`;

/** The counters of the halls that pass `keep`, as the spec's resource list. */
export function resourceList(halls: readonly Hall[], locale: Locale, keep: (hall: Hall, counter: Counter) => boolean = () => true): Json[] {
  return halls.flatMap((h) => h.counters.filter((c) => keep(h, c)).map((c) => ({ resource_id: c.id, details: { name: resourceName(h, c, locale), category: RESOURCE_CATEGORY } })));
}

const STATUS: Record<AppointmentSummary['status'], string> = { booked: 'confirmed', checked_in: 'checked_in', cancelled: 'cancelled' };
export const statusFromSpec = (value: string | undefined): AppointmentSummary['status'] | undefined => {
  if (value === undefined) return undefined;
  const found = (Object.keys(STATUS) as AppointmentSummary['status'][]).find((k) => STATUS[k] === value || k === value);
  if (!found) throw invalid(`status must be one of ${Object.values(STATUS).join(', ')}`);
  return found;
};

export function appointmentList(items: readonly AppointmentSummary[]): Json[] {
  return items.map((a) => ({
    appointment_id: a.reference,
    details: { exclusive: true, event_id: eventId(a.hallId, a.startsAt), participant_type: 'application', participant_id: a.applicationId, status_id: STATUS[a.status], participant_entity_id: a.hallId },
  }));
}

export const freeSlot = (slot: { startsAt: Date; endsAt: Date }): string => `[${slot.startsAt.toISOString()}to${slot.endsAt.toISOString()}]`;

export { invalid as invalidQuery };
