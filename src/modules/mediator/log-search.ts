import { UUID } from '../../kernel/ids.js';
import { isPart, parseSubsystemId } from './ids.js';

/**
 * The message log searched by calling system, service, days and outcome (the traffic page's
 * search and `GET /api/mediator/exchanges`). Pure: parses what was typed into a filter or the
 * problems with it, by field. Days are whole days in China Standard Time (UTC+8, no summer time).
 */

export const OUTCOMES = ['all', 'ok', 'refused', 'failed'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface LogFilter {
  readonly client?: string;
  /** A service id, or a subsystem or member id: every service under it. */
  readonly service?: string;
  readonly from?: Date;
  /** Exclusive: the start of the day after the last day asked for. */
  readonly to?: Date;
  readonly outcome: Outcome;
  /** Only exchanges older than this one (the next page: keyset, newest first). */
  readonly olderThan?: LogCursor;
}

/** Where a page of results ended: its last exchange's time and record id. */
export interface LogCursor { readonly at: Date; readonly id: string }

/** A page of the search's results, newest first, and the cursor of the next (older) page if there is one. */
export interface LogPage<Row = unknown> { readonly rows: readonly Row[]; readonly older: string | undefined }

/** A cursor as it travels in a link: `{ISO time}_{record id}`. */
export const cursorText = (cursor: LogCursor): string => `${cursor.at.toISOString()}_${cursor.id}`;

function parseCursor(text: string): LogCursor | undefined {
  const [iso, id, ...rest] = text.split('_');
  const at = iso === undefined ? undefined : new Date(iso);
  if (rest.length > 0 || at === undefined || Number.isNaN(at.getTime()) || id === undefined || !UUID.test(id)) return undefined;
  return { at, id: id.toLowerCase() };
}

export interface LogSearchInput {
  readonly client?: string | undefined;
  readonly service?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly outcome?: string | undefined;
  /** The link to the next page's cursor. */
  readonly older?: string | undefined;
}

export type LogSearchField = 'client' | 'service' | 'from' | 'to' | 'outcome' | 'older';
/** Message keys of the problems (mediator.search.error.*). */
export type LogSearchProblem = 'client' | 'service' | 'date' | 'order' | 'outcome' | 'older';

export type ParsedSearch =
  | { readonly ok: true; readonly filter: LogFilter }
  | { readonly ok: false; readonly problems: readonly { readonly field: LogSearchField; readonly problem: LogSearchProblem }[] };

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DAY_MS = 86_400_000;

/** The start of a day in China Standard Time, or undefined for a day that does not exist. */
export function startOfDay(text: string): Date | undefined {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const [, y, m, d] = match.map(Number) as [number, number, number, number];
  const utc = Date.UTC(y, m - 1, d);
  const back = new Date(utc);
  if (back.getUTCFullYear() !== y || back.getUTCMonth() !== m - 1 || back.getUTCDate() !== d) return undefined;
  return new Date(utc - 8 * 3_600_000);
}

const blankToUndefined = (value: string | undefined) => (value === undefined || value.trim() === '' ? undefined : value.trim());

export function parseLogSearch(input: LogSearchInput): ParsedSearch {
  const problems: { field: LogSearchField; problem: LogSearchProblem }[] = [];
  const client = blankToUndefined(input.client);
  if (client !== undefined && !parseSubsystemId(client)) problems.push({ field: 'client', problem: 'client' });
  const service = blankToUndefined(input.service);
  if (service !== undefined) {
    const parts = service.split('/');
    if (parts.length < 3 || parts.length > 5 || !parts.every(isPart)) problems.push({ field: 'service', problem: 'service' });
  }
  const fromText = blankToUndefined(input.from);
  const toText = blankToUndefined(input.to);
  const from = fromText === undefined ? undefined : startOfDay(fromText);
  const toStart = toText === undefined ? undefined : startOfDay(toText);
  if (fromText !== undefined && from === undefined) problems.push({ field: 'from', problem: 'date' });
  if (toText !== undefined && toStart === undefined) problems.push({ field: 'to', problem: 'date' });
  if (from !== undefined && toStart !== undefined && toStart.getTime() < from.getTime()) problems.push({ field: 'to', problem: 'order' });
  const outcome = blankToUndefined(input.outcome) ?? 'all';
  if (!(OUTCOMES as readonly string[]).includes(outcome)) problems.push({ field: 'outcome', problem: 'outcome' });
  const olderText = blankToUndefined(input.older);
  const olderThan = olderText === undefined ? undefined : parseCursor(olderText);
  if (olderText !== undefined && olderThan === undefined) problems.push({ field: 'older', problem: 'older' });
  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    filter: {
      outcome: outcome as Outcome,
      ...(client === undefined ? {} : { client }),
      ...(service === undefined ? {} : { service }),
      ...(from === undefined ? {} : { from }),
      ...(toStart === undefined ? {} : { to: new Date(toStart.getTime() + DAY_MS) }),
      ...(olderThan === undefined ? {} : { olderThan }),
    },
  };
}
