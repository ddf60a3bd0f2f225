import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { addCalendarDays, shanghaiDay, startOfShanghaiDay } from './calendar.js';
import { WorkflowErrors } from './errors.js';
import type { WorkflowStore } from './store.js';

export type Timeframe = 'day' | 'week' | 'month' | 'year';

/** Which actions to count: those of officers and supervisors (the operators) of `agencies`. */
export interface StatisticsQuery {
  readonly agencies: readonly string[];
  /** Asia/Shanghai calendar days `YYYY-MM-DD`, both inclusive. */
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  readonly serviceIds?: readonly string[] | undefined;
  /** The operator's id as the history records it (an account id, or `client:<id>` for a system). */
  readonly actorId?: string | undefined;
  readonly role?: 'officer' | 'supervisor' | undefined;
  /** One bucket per day/week/month/year of the period; without it, one bucket for the whole period. */
  readonly timeframe?: Timeframe | undefined;
}

export interface StatusCount {
  readonly status: string;
  /** Whether the state is final in the case's own workflow. */
  readonly final: boolean;
  /** Actions that led into this state. */
  readonly actions: number;
  readonly cases: number;
}

export interface StatisticsBucket {
  /** The bucket's first and last day within the period; undefined at an open end of the period. */
  readonly from: string | undefined;
  readonly to: string | undefined;
  /** Distinct cases an operator acted on. */
  readonly cases: number;
  readonly byStatus: readonly StatusCount[];
}

const MAX_BUCKETS = 1000;
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** The first day of the day/week (Monday)/month/year that holds `day`, as date_trunc does in SQL. */
export function bucketStart(day: string, unit: Timeframe): string {
  if (unit === 'day') return day;
  if (unit === 'month') return `${day.slice(0, 7)}-01`;
  if (unit === 'year') return `${day.slice(0, 4)}-01-01`;
  const weekday = (new Date(`${day}T00:00:00Z`).getUTCDay() + 6) % 7;
  return addCalendarDays(day, -weekday);
}

export function nextBucket(start: string, unit: Timeframe): string {
  if (unit === 'day') return addCalendarDays(start, 1);
  if (unit === 'week') return addCalendarDays(start, 7);
  const d = new Date(`${start}T00:00:00Z`);
  if (unit === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
  else d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}

const rangeError = (detail: string) => new TongbanError(WorkflowErrors.TB_WORKFLOW_STATISTICS_RANGE, { detail });

/**
 * Counts of operators' work over the action history, aggregated by the database (see
 * store.statistics): per bucket, the cases acted on and the actions by the state they led to.
 * Empty buckets inside the period are present with zero counts, so a chart has no gaps.
 */
export function createStatistics(kernel: Pick<Kernel, 'db' | 'now'>, store: Pick<WorkflowStore, 'statistics'>) {
  return async function statistics(query: StatisticsQuery): Promise<StatisticsBucket[]> {
    for (const day of [query.from, query.to]) {
      if (day !== undefined && (!DAY.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`)))) throw rangeError(`${day} is not a date`);
    }
    if (query.from && query.to && query.from > query.to) throw rangeError('The start date is after the end date');
    const unit = query.timeframe;
    const rows = await store.statistics(kernel.db, {
      agencies: query.agencies, serviceIds: query.serviceIds, actorId: query.actorId, unit,
      roles: query.role ? [query.role] : ['officer', 'supervisor'],
      from: query.from ? startOfShanghaiDay(query.from) : undefined,
      to: query.to ? startOfShanghaiDay(addCalendarDays(query.to, 1)) : undefined,
    });
    const toBucket = (from: string | undefined, to: string | undefined, key: string | null): StatisticsBucket => {
      const mine = rows.filter((r) => r.bucket === key);
      return {
        from, to, cases: mine.find((r) => r.status === null)?.cases ?? 0,
        byStatus: mine.filter((r) => r.status !== null).map((r) => ({ status: r.status!, final: r.final ?? false, actions: r.actions, cases: r.cases })),
      };
    };
    if (!unit) return [toBucket(query.from, query.to, null)];

    // An open start begins at the first bucket with an action; an open end is today.
    const last = query.to ?? shanghaiDay(kernel.now());
    const first = query.from ?? rows[0]?.bucket ?? bucketStart(last, unit);
    const buckets: StatisticsBucket[] = [];
    for (let start = bucketStart(first, unit); start <= last; start = nextBucket(start, unit)) {
      if (buckets.length >= MAX_BUCKETS) throw rangeError(`More than ${MAX_BUCKETS} periods of a ${unit}`);
      const end = addCalendarDays(nextBucket(start, unit), -1);
      buckets.push(toBucket(start < first ? first : start, end > last ? last : end, start));
    }
    return buckets;
  };
}
