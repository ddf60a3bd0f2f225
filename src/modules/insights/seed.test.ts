import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { DRAFT_EXPIRY_QUEUE } from '../applications/retention.js';
import { demoApp } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { playHistory } from './history.js';
import { demoHistory, seedInsights } from './seed.js';
import { historyDeps, insightsAt, personaPrincipal } from './test-kit.js';

const NOW = new Date('2026-06-20T12:00:00+08:00');

describeEachDatabase('insights: the demo history', migrationSources, (use) => {
  let built: Built;
  let played = 0;
  beforeAll(async () => {
    built = await demoApp(use());
    played = await playHistory(await historyDeps(built), demoHistory(NOW), NOW);
  }, 300_000);
  afterAll(async () => { await built.app.close(); });

  it('is left out of test servers, where each test plays what it needs', async () => {
    expect(built.kernel.config.env).toBe('test');
    expect(await seedInsights(built.kernel, built.services)).toBe(0);
  });

  it('plays six months of applications, and nothing more the second time', async () => {
    const due = demoHistory(NOW).filter((item) => `${item.day}` < '2026-06-20');
    expect(played).toBeGreaterThanOrEqual(due.length - 2);
    expect(played).toBeGreaterThan(35);
    expect(await playHistory(await historyDeps(built), demoHistory(NOW), NOW)).toBe(0);
  });

  it('gives the dashboard real figures of every kind', async () => {
    const f = (await insightsAt(built, NOW).dashboard({ kind: 'national' }))!.figures;
    const active = f.months.filter((m) => m.received > 0).map((m) => m.month);
    expect(active).toEqual(['2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06']);
    expect(f.decided).toBeGreaterThan(20);
    // Some on time and some late; online and at the counter; drafts never sent; low and high ratings.
    expect(f.withinDeadline).toBeGreaterThan(0);
    expect(f.withinDeadline).toBeLessThan(f.decided);
    expect(f.channels.online).toBeGreaterThan(0);
    expect(f.channels.counter).toBeGreaterThan(0);
    expect(f.completed).toBeLessThan(f.started);
    expect(f.distribution[0] + f.distribution[1]).toBeGreaterThan(0);
    expect(f.distribution[3] + f.distribution[4]).toBeGreaterThan(0);
    const officer = personaPrincipal(demoPersona('officer'));
    const insights = insightsAt(built, NOW);
    const [open, answered] = await Promise.all([insights.followUps(officer, 'open'), insights.followUps(officer, 'answered')]);
    expect(open.length).toBeGreaterThan(0);
    expect(answered.some((a) => a.resolved === true)).toBe(true);
    expect(answered.some((a) => a.resolved === null)).toBe(true);
  });

  it('does not open again a draft that the applications\' retention job deleted', async () => {
    // The history's drafts are months old by the test server's clock: the daily job deletes them.
    await built.kernel.jobs.enqueue(built.kernel.db, DRAFT_EXPIRY_QUEUE, {});
    await built.kernel.jobs.drain();
    const drafts = demoHistory(NOW).filter((item) => item.outcome === 'draft' && item.day < '2026-06-20');
    expect(drafts.length).toBeGreaterThan(3);
    const deleted = await sql<{ n: number }>`select count(*)::int as n from tb_audit_record where action = 'application.draft.delete'`.execute(built.kernel.db);
    expect(deleted.rows[0]?.n).toBeGreaterThanOrEqual(drafts.length);
    expect(await playHistory(await historyDeps(built), demoHistory(NOW), NOW)).toBe(0);
  });
});
