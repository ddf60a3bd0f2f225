import type { FieldProblem } from '../../kernel/http/index.js';

/** Which uses of a person's data to show: every field optional, all of them combined. */
export interface AccessFilters {
  /** First day, `YYYY-MM-DD`, in China's time zone. */
  readonly from?: string | undefined;
  /** Last day, included. */
  readonly to?: string | undefined;
  /** Agency code of the organisation that used the data. */
  readonly organisation?: string | undefined;
  readonly kind?: ActorKindFilter | undefined;
}

export const ACTOR_KIND_FILTERS = ['staff', 'client', 'system'] as const;
export type ActorKindFilter = (typeof ACTOR_KIND_FILTERS)[number];

/** The time window and the rest, as the audit trail's query takes them. */
export interface ParsedFilters {
  readonly from?: Date;
  readonly to?: Date;
  readonly organisation?: string;
  readonly kind?: ActorKindFilter;
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;
const ORGANISATION = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
const DAY_MS = 86_400_000;

/** Midnight at the start of the day in China (UTC+8 all year), or undefined for a date that does not exist. */
function startOfDay(text: string): Date | undefined {
  const match = DAY.exec(text);
  if (!match) return undefined;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const utc = new Date(Date.UTC(year, month - 1, day));
  if (utc.getUTCFullYear() !== year || utc.getUTCMonth() !== month - 1 || utc.getUTCDate() !== day) return undefined;
  return new Date(utc.getTime() - 8 * 3_600_000);
}

const blank = (value: string | undefined): value is undefined => value === undefined || value.trim() === '';

/** Checks what the person asked for; every problem is reported against its field at once. */
export function parseFilters(raw: AccessFilters): { filters: ParsedFilters; errors: FieldProblem[] } {
  const errors: FieldProblem[] = [];
  const from = blank(raw.from) ? undefined : startOfDay(raw.from.trim());
  if (!blank(raw.from) && !from) errors.push({ pointer: '/from', message: 'privacy.filter.dateInvalid', detail: 'Enter a real date like 2026-03-07' });
  const lastDay = blank(raw.to) ? undefined : startOfDay(raw.to.trim());
  if (!blank(raw.to) && !lastDay) errors.push({ pointer: '/to', message: 'privacy.filter.dateInvalid', detail: 'Enter a real date like 2026-03-07' });
  const to = lastDay ? new Date(lastDay.getTime() + DAY_MS) : undefined;
  if (from && to && from >= to) errors.push({ pointer: '/to', message: 'privacy.filter.toBeforeFrom', detail: 'The last day must be the same as or after the first day' });
  const organisation = blank(raw.organisation) ? undefined : raw.organisation.trim();
  if (organisation !== undefined && !ORGANISATION.test(organisation)) errors.push({ pointer: '/organisation', message: 'privacy.filter.organisationInvalid', detail: 'Choose an organisation from the list' });
  const kind = blank(raw.kind) ? undefined : raw.kind;
  if (kind !== undefined && !ACTOR_KIND_FILTERS.includes(kind)) errors.push({ pointer: '/kind', message: 'privacy.filter.kindInvalid', detail: 'Choose who used it from the list' });
  return {
    filters: { ...(from ? { from } : {}), ...(to ? { to } : {}), ...(organisation !== undefined ? { organisation } : {}), ...(kind !== undefined ? { kind } : {}) },
    errors,
  };
}
