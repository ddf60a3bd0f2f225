import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { demoApp } from '../applications/test-kit.js';
import { migrationSources } from '../index.js';
import { median, percentile } from './figures.js';
import { playHistory, type HistoryItem } from './history.js';
import { dashboardCsv } from './open-data.js';
import { historyDeps, insightsAt } from './test-kit.js';

/*
 * A known history, played through the real services with back-dated clocks, and every figure of
 * the dashboard checked against numbers worked out by hand (in the comments). Sole-trader licence:
 * 3 working days; driving licence renewal: 1. No public holidays fall in these weeks.
 */
const SOLE = 'sole-trader-business-licence';
const HISTORY: HistoryItem[] = [
  // Mon 2 Mar 10:00, decided after 1 day; due end of Thu 5 Mar: on time. Rated 5.
  { n: 901, service: SOLE, channel: 'online', day: '2026-03-02', hour: 10, outcome: 'approved', hoursToEnd: 24, rating: { score: 5, afterHours: 2 } },
  // Tue 3 Mar, 2 days; due end of Fri 6 Mar: on time. Rated 4.
  { n: 902, service: SOLE, channel: 'online', day: '2026-03-03', hour: 10, outcome: 'approved', hoursToEnd: 48, rating: { score: 4, afterHours: 2 } },
  // Wed 4 Mar at a counter, 6 days; due end of Mon 9 Mar: late. Rated 2 at the counter; answered; solved.
  { n: 903, service: SOLE, channel: 'counter', day: '2026-03-04', hour: 9, outcome: 'approved', hoursToEnd: 144, rating: { score: 2, comment: '等了太久', afterHours: 2 }, followUp: { answer: '抱歉', changes: '增加了窗口', afterHours: 24, resolved: true } },
  // Thu 5 Mar, refused after 3 days; due end of Tue 10 Mar: on time. Rated 1; answered, no response yet.
  { n: 904, service: SOLE, channel: 'online', day: '2026-03-05', hour: 9, outcome: 'rejected', hoursToEnd: 72, rating: { score: 1, afterHours: 2 }, followUp: { answer: '材料不全', changes: '改写了材料清单', afterHours: 24 } },
  // Withdrawn after 12 hours: not a decision. Rated 3.
  { n: 905, service: SOLE, channel: 'online', day: '2026-03-09', hour: 9, outcome: 'withdrawn', hoursToEnd: 12, rating: { score: 3, afterHours: 2 } },
  { n: 906, service: SOLE, channel: 'online', day: '2026-03-10', hour: 9, outcome: 'draft' },
  // Tue 14 Apr at a counter, 4 days; due end of Fri 17 Apr: late.
  { n: 907, service: SOLE, channel: 'counter', day: '2026-04-14', hour: 10, outcome: 'approved', hoursToEnd: 96 },
  // Driving licence, Wed 15 Apr, half a day; due end of Thu 16 Apr: on time. Rated 5.
  { n: 908, service: 'driving-licence-renewal', channel: 'online', day: '2026-04-15', hour: 10, outcome: 'approved', hoursToEnd: 12, rating: { score: 5, afterHours: 1 } },
  { n: 909, service: SOLE, channel: 'online', day: '2026-06-01', hour: 10, outcome: 'open' },
  { n: 910, service: SOLE, channel: 'counter', day: '2026-06-02', hour: 10, outcome: 'draft' },
];
const NOW = new Date('2026-06-15T12:00:00+08:00');

it('takes the median of the middle two and the nearest-rank 90th percentile', () => {
  expect(median([])).toBeNull();
  expect(median([3, 1, 2])).toBe(2);
  expect(median([4, 1, 3, 2])).toBe(2.5);
  expect(percentile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 90)).toBe(9);
  expect(percentile([6, 0.5, 1, 2, 3, 4], 90)).toBe(6);
  expect(percentile([7], 90)).toBe(7);
});

describeEachDatabase('insights: dashboard figures from a known history', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => {
    built = await demoApp(use());
    expect(await playHistory(await historyDeps(built), HISTORY, NOW)).toBe(HISTORY.length);
  }, 120_000);
  afterAll(async () => { await built.app.close(); });

  it('changes nothing when played a second time', async () => {
    const { applications, workflow } = built.services;
    const before = { applications: await applications.facts(), cases: await workflow.caseFacts(), figures: (await insightsAt(built, NOW).dashboard({ kind: 'national' }))!.figures };
    await playHistory(await historyDeps(built), HISTORY, NOW);
    const after = { applications: await applications.facts(), cases: await workflow.caseFacts(), figures: (await insightsAt(built, NOW).dashboard({ kind: 'national' }))!.figures };
    const byId = <T extends { id: string }>(rows: T[]) => [...rows].sort((a, b) => a.id.localeCompare(b.id));
    expect(byId(after.applications)).toEqual(byId(before.applications));
    expect(byId(after.cases)).toEqual(byId(before.cases));
    expect(after.figures).toEqual(before.figures);
  });

  it('computes every national figure exactly', async () => {
    const d = await insightsAt(built, NOW).dashboard({ kind: 'national' });
    const f = d!.figures;
    expect({ from: f.from, to: f.to }).toEqual({ from: '2025-07', to: '2026-06' });
    expect(f.received).toBe(8);
    expect(f.decided).toBe(6);
    // Days to decision: 1, 2, 6, 3, 4, 0.5 → sorted 0.5 1 2 3 4 6.
    expect(f.medianDays).toBe(2.5);
    expect(f.p90Days).toBe(6);
    expect(f.withinDeadline).toBe(4);
    expect(f.withinDeadlineShare).toBeCloseTo(4 / 6, 10);
    expect(f.channels).toEqual({ online: 6, counter: 2, api: 0 });
    expect(f.onlineShare).toBe(0.75);
    expect(f.counterShare).toBe(0.25);
    expect({ started: f.started, completed: f.completed, completionRate: f.completionRate }).toEqual({ started: 10, completed: 8, completionRate: 0.8 });
    expect(f.ratings).toBe(6);
    expect(f.averageRating).toBeCloseTo(20 / 6, 10);
    expect(f.distribution).toEqual([1, 1, 1, 1, 2]);
    const months = Object.fromEntries(f.months.map((m) => [m.month, m]));
    expect(f.months).toHaveLength(12);
    expect(months['2026-03']).toEqual({ month: '2026-03', received: 5, decided: 4, medianDays: 2.5, withinDeadlineShare: 0.75, ratings: 5, averageRating: 3 });
    expect(months['2026-04']).toEqual({ month: '2026-04', received: 2, decided: 2, medianDays: 2.25, withinDeadlineShare: 0.5, ratings: 1, averageRating: 5 });
    expect(months['2026-05']).toEqual({ month: '2026-05', received: 0, decided: 0, medianDays: null, withinDeadlineShare: null, ratings: 0, averageRating: null });
    expect(months['2026-06']).toEqual({ month: '2026-06', received: 1, decided: 0, medianDays: null, withinDeadlineShare: null, ratings: 0, averageRating: null });
  });

  it('narrows to a service and to an agency, and knows neither a made-up service nor agency', async () => {
    const insights = insightsAt(built, NOW);
    const driving = (await insights.dashboard({ kind: 'service', slug: 'driving-licence-renewal' }))!.figures;
    expect({ received: driving.received, decided: driving.decided, medianDays: driving.medianDays, p90Days: driving.p90Days, withinDeadlineShare: driving.withinDeadlineShare, averageRating: driving.averageRating })
      .toEqual({ received: 1, decided: 1, medianDays: 0.5, p90Days: 0.5, withinDeadlineShare: 1, averageRating: 5 });
    const amr = (await insights.dashboard({ kind: 'agency', code: '110000-AMR' }))!.figures;
    // Market regulation runs the sole-trader licence: everything but the driving licence.
    expect({ received: amr.received, decided: amr.decided, medianDays: amr.medianDays, p90Days: amr.p90Days, started: amr.started, ratings: amr.ratings, distribution: amr.distribution })
      .toEqual({ received: 7, decided: 5, medianDays: 3, p90Days: 6, started: 9, ratings: 5, distribution: [1, 1, 1, 1, 1] });
    expect(await insights.dashboard({ kind: 'service', slug: 'no-such-service' })).toBeUndefined();
    expect(await insights.dashboard({ kind: 'agency', code: '999999-XXX' })).toBeUndefined();
  });

  it('writes the same figures as CSV: a row for the period, then one per month', async () => {
    const csv = dashboardCsv((await insightsAt(built, NOW).dashboard({ kind: 'national' }))!).split('\r\n');
    expect(csv[0]).toBe('period,received,decided,median_days,p90_days,within_deadline_share,online,counter,api,started,completed,completion_rate,ratings,average_rating,rating_1,rating_2,rating_3,rating_4,rating_5');
    expect(csv[1]).toBe('2025-07/2026-06,8,6,2.5000,6,0.6667,6,2,0,10,8,0.8000,6,3.3333,1,1,1,1,2');
    expect(csv).toContain('2026-04,2,2,2.2500,,0.5000,,,,,,,1,5,,,,,');
    expect(csv).toHaveLength(2 + 12 + 1);
  });
});
