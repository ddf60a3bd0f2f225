import type { Dashboard } from './dashboard.js';

/** The figures as open data: JSON as computed, and CSV with one row for the period and one per month. */
export function dashboardJson(d: Dashboard): object {
  return {
    scope: { kind: d.scope.kind, key: d.scope.key || null, name: d.scope.name ?? null, agency: d.scope.agency ?? null },
    computedAt: d.computedAt.toISOString(),
    definitions: 'docs/adr/0023-insights.md',
    ...d.figures,
  };
}

const COLUMNS = ['period', 'received', 'decided', 'median_days', 'p90_days', 'within_deadline_share', 'online', 'counter', 'api', 'started', 'completed', 'completion_rate',
  'ratings', 'average_rating', 'rating_1', 'rating_2', 'rating_3', 'rating_4', 'rating_5'] as const;

const cell = (value: number | string | null | undefined): string => {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : value.toFixed(4);
  return /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
};

export function dashboardCsv(d: Dashboard): string {
  const f = d.figures;
  const total: Record<(typeof COLUMNS)[number], number | string | null> = {
    period: `${f.from}/${f.to}`, received: f.received, decided: f.decided, median_days: f.medianDays, p90_days: f.p90Days, within_deadline_share: f.withinDeadlineShare,
    online: f.channels.online, counter: f.channels.counter, api: f.channels.api, started: f.started, completed: f.completed, completion_rate: f.completionRate,
    ratings: f.ratings, average_rating: f.averageRating,
    rating_1: f.distribution[0], rating_2: f.distribution[1], rating_3: f.distribution[2], rating_4: f.distribution[3], rating_5: f.distribution[4],
  };
  const lines = [COLUMNS.join(','), COLUMNS.map((c) => cell(total[c])).join(',')];
  for (const m of f.months) {
    const row: Partial<Record<(typeof COLUMNS)[number], number | string | null>> = {
      period: m.month, received: m.received, decided: m.decided, median_days: m.medianDays, within_deadline_share: m.withinDeadlineShare, ratings: m.ratings, average_rating: m.averageRating,
    };
    lines.push(COLUMNS.map((c) => cell(row[c])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
