import { shanghaiDay } from '../workflow/service.js';

/** One case as the figures need it (workflow.caseFacts). */
export interface CaseFact {
  readonly serviceId: string;
  readonly agency: string;
  readonly status: string;
  readonly final: boolean;
  readonly submittedAt: Date;
  readonly dueAt: Date;
  readonly closedAt: Date | null;
}

/** One application, draft or submitted (applications.facts). */
export interface ApplicationFact {
  readonly serviceId: string;
  readonly agencyCode: string;
  readonly channel: 'online' | 'counter' | 'api';
  readonly status: 'draft' | 'submitted';
  readonly createdAt: Date;
  readonly submittedAt: Date | null;
}

export interface RatingFact {
  readonly serviceId: string;
  readonly agency: string;
  readonly score: number;
  readonly ratedAt: Date;
}

export interface MonthFigures {
  /** `YYYY-MM`, the month in Asia/Shanghai. */
  readonly month: string;
  readonly received: number;
  readonly decided: number;
  readonly medianDays: number | null;
  readonly withinDeadlineShare: number | null;
  readonly ratings: number;
  readonly averageRating: number | null;
}

export interface Figures {
  /** The first and last month counted (the trend's range). */
  readonly from: string;
  readonly to: string;
  readonly received: number;
  readonly decided: number;
  /** Calendar days from submission to decision, approved or rejected (withdrawn cases are not decisions). */
  readonly medianDays: number | null;
  readonly p90Days: number | null;
  readonly withinDeadline: number;
  readonly withinDeadlineShare: number | null;
  /** Submitted applications by where they were started. */
  readonly channels: { readonly online: number; readonly counter: number; readonly api: number };
  readonly onlineShare: number | null;
  readonly counterShare: number | null;
  /** Applications started (drafts opened) in the period, and how many of those were submitted. */
  readonly started: number;
  readonly completed: number;
  readonly completionRate: number | null;
  readonly ratings: number;
  readonly averageRating: number | null;
  /** Ratings of 1, 2, 3, 4 and 5. */
  readonly distribution: readonly [number, number, number, number, number];
  readonly months: readonly MonthFigures[];
}

/** How many months the figures and the trend cover, ending with the current month. */
export const MONTHS = 12;
const DAY_MS = 86_400_000;

const monthOf = (at: Date) => shanghaiDay(at).slice(0, 7);

function previousMonths(now: Date, count: number): string[] {
  const [year, month] = monthOf(now).split('-').map(Number) as [number, number];
  const months: string[] = [];
  for (let i = count - 1; i >= 0; i -= 1) {
    const d = new Date(Date.UTC(year, month - 1 - i, 1));
    months.push(d.toISOString().slice(0, 7));
  }
  return months;
}

/** The middle value; the mean of the two middle values when there is an even number. */
export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The nearest-rank percentile: the smallest value with at least p % of the values at or below it. */
export function percentile(values: readonly number[], p: number): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const share = (part: number, whole: number): number | null => (whole === 0 ? null : part / whole);
const mean = (values: readonly number[]): number | null => (values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length);

/** Approved or rejected: a decision. A withdrawn case ended without one. */
export const isDecided = (c: CaseFact): c is CaseFact & { closedAt: Date } => c.final && c.closedAt !== null && c.status !== 'withdrawn';
const daysToDecision = (c: CaseFact & { closedAt: Date }) => (c.closedAt.getTime() - c.submittedAt.getTime()) / DAY_MS;
const onTime = (c: CaseFact & { closedAt: Date }) => c.closedAt.getTime() < c.dueAt.getTime();

/**
 * The dashboard's figures over the last MONTHS months (Asia/Shanghai), from the facts only:
 * received by submission month, decided by decision month, applications started by the month their
 * draft was opened, ratings by the month they were given.
 */
export function computeFigures(input: { cases: readonly CaseFact[]; applications: readonly ApplicationFact[]; ratings: readonly RatingFact[]; now: Date }): Figures {
  const months = previousMonths(input.now, MONTHS);
  const inRange = new Set(months);
  const within = (at: Date) => inRange.has(monthOf(at));
  const received = input.cases.filter((c) => within(c.submittedAt));
  const decided = input.cases.filter(isDecided).filter((c) => within(c.closedAt));
  const submitted = input.applications.filter((a) => a.status === 'submitted' && a.submittedAt !== null && within(a.submittedAt));
  const started = input.applications.filter((a) => within(a.createdAt));
  const ratings = input.ratings.filter((r) => within(r.ratedAt));
  const days = decided.map(daysToDecision);
  const onTimeCount = decided.filter(onTime).length;
  const channels = { online: 0, counter: 0, api: 0 };
  for (const a of submitted) channels[a.channel] += 1;
  const distribution: [number, number, number, number, number] = [0, 0, 0, 0, 0];
  for (const r of ratings) distribution[r.score - 1] = (distribution[r.score - 1] ?? 0) + 1;
  const completed = started.filter((a) => a.status === 'submitted').length;

  return {
    from: months[0]!, to: months[months.length - 1]!,
    received: received.length, decided: decided.length,
    medianDays: median(days), p90Days: percentile(days, 90),
    withinDeadline: onTimeCount, withinDeadlineShare: share(onTimeCount, decided.length),
    channels, onlineShare: share(channels.online, submitted.length), counterShare: share(channels.counter, submitted.length),
    started: started.length, completed, completionRate: share(completed, started.length),
    ratings: ratings.length, averageRating: mean(ratings.map((r) => r.score)), distribution,
    months: months.map((month) => {
      const monthDecided = decided.filter((c) => monthOf(c.closedAt) === month);
      const monthRatings = ratings.filter((r) => monthOf(r.ratedAt) === month);
      return {
        month,
        received: received.filter((c) => monthOf(c.submittedAt) === month).length,
        decided: monthDecided.length,
        medianDays: median(monthDecided.map(daysToDecision)),
        withinDeadlineShare: share(monthDecided.filter(onTime).length, monthDecided.length),
        ratings: monthRatings.length,
        averageRating: mean(monthRatings.map((r) => r.score)),
      };
    }),
  };
}
