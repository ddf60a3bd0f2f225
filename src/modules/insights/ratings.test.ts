import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { TongbanError } from '../../kernel/http/index.js';
import { demoApp } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { slaDueAt } from '../workflow/service.js';
import { historyPerson, playHistory, syntheticIdNumber, type HistoryItem } from './history.js';
import { translate, type Locale } from '../../kernel/i18n/index.js';
import { ratingPanel } from './panel.js';
import { renderFollowUpPage, renderQueuePage } from './pages-follow-ups.js';
import { renderRatingPage } from './pages-rating.js';
import { FOLLOW_UP_WORKING_DAYS, InsightsErrors, type InsightsService } from './service.js';
import { historyDeps, insightsAt, personaPrincipal } from './test-kit.js';

const SOLE = 'sole-trader-business-licence';
const finished = (n: number, extra: Partial<HistoryItem> = {}): HistoryItem => ({ n, service: SOLE, channel: 'online', day: '2026-03-02', hour: 10, outcome: 'approved', hoursToEnd: 24, ...extra });
const ITEMS: HistoryItem[] = [
  finished(801), finished(802), finished(803), finished(804, { outcome: 'rejected' }), finished(805, { outcome: 'withdrawn' }),
  finished(806, { outcome: 'open' }), finished(807, { channel: 'counter' }), finished(808, { channel: 'counter', outcome: 'open' }),
  finished(809, { channel: 'counter' }),
];
const NOW = new Date('2026-03-16T10:00:00+08:00');

async function refusal(work: Promise<unknown>): Promise<string> {
  try {
    await work;
  } catch (error) {
    if (error instanceof TongbanError) return error.code;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('synthetic resident ID numbers', () => {
  it('are 18 characters with the GB 11643 check digit and differ by n', () => {
    const ids = [1, 2, 903, 999].map(syntheticIdNumber);
    expect(new Set(ids).size).toBe(4);
    for (const id of ids) expect(id).toMatch(/^\d{17}[\dX]$/);
  });
});

describeEachDatabase('insights: ratings and follow-ups', migrationSources, (use) => {
  let built: Built;
  let insights: InsightsService;
  const caseOf = async (n: number) => (await built.services.applications.listForPerson(historyPerson(n)))[0]!.application;

  beforeAll(async () => {
    built = await demoApp(use());
    await playHistory(await historyDeps(built), ITEMS, NOW);
    insights = insightsAt(built, NOW);
  }, 120_000);
  afterAll(async () => { await built.app.close(); });

  it('lets the applicant rate a decided case once, audited with them as the subject', async () => {
    const person = historyPerson(801);
    const app = await caseOf(801);
    const rating = await insights.rateOnline(app.id, person, { score: '4', comment: '  办得很快  ' });
    expect(rating).toMatchObject({ caseId: app.id, score: 4, comment: '办得很快', channel: 'online', agency: '110000-AMR' });
    const view = await insights.view(app.id, person);
    expect(view.rating?.score).toBe(4);
    expect(view.followUp).toBeUndefined();
    expect(await refusal(insights.rateOnline(app.id, person, { score: '5' }))).toBe(InsightsErrors.TB_INSIGHTS_ALREADY_RATED);
    const audit = await built.kernel.audit.listBySubject(person.accountId);
    expect(audit.filter((r) => r.action === 'insights.rating.create')).toEqual([expect.objectContaining({ resource: { type: 'case', id: app.id }, details: { score: 4, channel: 'online' } })]);
  });

  it('keeps exactly one of many ratings sent at once for one case', async () => {
    const person = historyPerson(802);
    const app = await caseOf(802);
    const results = await Promise.allSettled([1, 2, 3, 4, 5].map((score) => insights.rateOnline(app.id, person, { score })));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect((r.reason as TongbanError).code).toBe(InsightsErrors.TB_INSIGHTS_ALREADY_RATED);
    }
    const kept = (await insights.view(app.id, person)).rating;
    expect(kept?.score).toBe((results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{ score: number }>).value.score);
  });

  it('refuses anyone who was not the applicant, as if the case did not exist', async () => {
    const app = await caseOf(803);
    for (const stranger of [personaPrincipal(demoPersona('citizen')), historyPerson(804), personaPrincipal(demoPersona('officer'))]) {
      expect(await refusal(insights.rateOnline(app.id, stranger, { score: 5 }))).toBe(InsightsErrors.TB_INSIGHTS_NOT_FOUND);
      expect(await refusal(insights.view(app.id, stranger))).toBe(InsightsErrors.TB_INSIGHTS_NOT_FOUND);
    }
    expect(await refusal(insights.rateOnline('not-a-uuid', historyPerson(803), { score: 5 }))).toBe(InsightsErrors.TB_INSIGHTS_NOT_FOUND);
  });

  it('refuses a case that has not ended, and scores and comments out of bounds', async () => {
    expect(await refusal(insights.rateOnline((await caseOf(806)).id, historyPerson(806), { score: 5 }))).toBe(InsightsErrors.TB_INSIGHTS_NOT_FINISHED);
    const app = await caseOf(803);
    for (const score of ['0', '6', '', 'five', '4.5', 0, 3.5, undefined]) {
      expect(await refusal(insights.rateOnline(app.id, historyPerson(803), { score }))).toBe(InsightsErrors.TB_INSIGHTS_SCORE_REQUIRED);
    }
    expect(await refusal(insights.rateOnline(app.id, historyPerson(803), { score: 3, comment: 'x'.repeat(1001) }))).toBe(InsightsErrors.TB_INSIGHTS_COMMENT_TOO_LONG);
    expect((await insights.view(app.id, historyPerson(803))).rating).toBeUndefined();
  });

  it('lets the person rate a withdrawn case too', async () => {
    expect((await insights.rateOnline((await caseOf(805)).id, historyPerson(805), { score: 3 })).score).toBe(3);
  });

  it('lets a clerk record a rating at the counter by reference, and nobody else', async () => {
    const reference = await referenceOf(807);
    const clerk = personaPrincipal(demoPersona('clerk'));
    expect(await refusal(insights.rateAtCounter(reference, personaPrincipal(demoPersona('officer')), { score: 5 }))).toBe(InsightsErrors.TB_INSIGHTS_FORBIDDEN);
    expect(await refusal(insights.rateAtCounter('TB-2026-NOSUCH', clerk, { score: 5 }))).toBe(InsightsErrors.TB_INSIGHTS_REFERENCE_UNKNOWN);
    expect(await refusal(insights.rateAtCounter(await referenceOf(808), clerk, { score: 5 }))).toBe(InsightsErrors.TB_INSIGHTS_REFERENCE_UNKNOWN);
    const rating = await insights.rateAtCounter(` ${reference.toLowerCase()} `, clerk, { score: 5, comment: '窗口服务好' });
    expect(rating).toMatchObject({ channel: 'counter', score: 5, reference });
    expect(await refusal(insights.rateAtCounter(reference, clerk, { score: 4 }))).toBe(InsightsErrors.TB_INSIGHTS_ALREADY_RATED);
    // The clerk (of 110000-CAB) took the application for 110000-AMR, acting for it: so the rating is recorded.
    const created = (await built.kernel.audit.listBySubject(historyPerson(807).accountId)).find((r) => r.action === 'insights.rating.create');
    expect(created).toMatchObject({ actor: { kind: 'staff', id: clerk.accountId, organisation: '110000-AMR' }, details: { channel: 'counter' } });
  });

  it('lets only a clerk of the application\'s agency, or the clerk who took it, rate at the counter, and only what was made at a counter', async () => {
    const clerkOf = (agency: string, n: number) => personaPrincipal({ accountId: `0190a1b2-0000-7000-8002-${String(n).padStart(12, '0')}`, kind: 'staff', name: `窗口${n}`, roles: [{ agency, role: 'clerk' }] });
    const otherCab = clerkOf('110000-CAB', 1);
    const psb = clerkOf('110000-PSB', 2);
    const amr = clerkOf('110000-AMR', 3);
    const counter = await referenceOf(809);
    const online = await referenceOf(803);
    // Another clerk at the hall, or one of another agency, would take the applicant's one rating.
    for (const stranger of [otherCab, psb]) {
      expect(await refusal(insights.rateAtCounter(counter, stranger, { score: 1 }))).toBe(InsightsErrors.TB_INSIGHTS_OTHER_AGENCY);
      expect(await refusal(insights.rateAtCounter(online, stranger, { score: 1 }))).toBe(InsightsErrors.TB_INSIGHTS_OTHER_AGENCY);
    }
    // An application made online is the applicant's to rate, even for a clerk of its agency.
    expect(await refusal(insights.rateAtCounter(online, amr, { score: 1 }))).toBe(InsightsErrors.TB_INSIGHTS_NOT_AT_COUNTER);
    expect(await refusal(insights.rateAtCounter(online, personaPrincipal(demoPersona('clerk')), { score: 1 }))).toBe(InsightsErrors.TB_INSIGHTS_OTHER_AGENCY);
    expect((await insights.view((await caseOf(803)).id, historyPerson(803))).rating).toBeUndefined();

    const rating = await insights.rateAtCounter(counter, amr, { score: 4 });
    expect(rating).toMatchObject({ channel: 'counter', score: 4, agency: '110000-AMR' });
    const created = (await built.kernel.audit.listBySubject(historyPerson(809).accountId)).find((r) => r.action === 'insights.rating.create');
    expect(created).toMatchObject({ actor: { kind: 'staff', id: amr.accountId, organisation: '110000-AMR' } });
  });

  async function referenceOf(n: number): Promise<string> {
    // Counter applications are the person's once they sign in: listing them links them.
    return (await built.services.applications.listForPerson(historyPerson(n)))[0]!.application.reference!;
  }

  it('opens a follow-up for a rating of 1 or 2, which the agency answers and the person judges', async () => {
    const person = historyPerson(804);
    const app = await caseOf(804);
    const officer = personaPrincipal(demoPersona('officer'));
    await insights.rateOnline(app.id, person, { score: 2, comment: '材料清单不清楚' });
    const open = (await insights.followUps(officer, 'open')).find((f) => f.caseId === app.id)!;
    expect(open).toMatchObject({ score: 2, comment: '材料清单不清楚', agency: '110000-AMR', answeredAt: null, overdue: false });
    expect(open.dueAt).toEqual(slaDueAt(NOW, FOLLOW_UP_WORKING_DAYS));
    expect(open.dueAt.toISOString()).toBe('2026-03-23T16:00:00.000Z');

    // Rated on Monday 16 March: five working days give Monday 23 March as the last day (dueAt is the midnight after it).
    const context = (locale: Locale) => ({ locale, t: (key: string, params?: Record<string, string | number>) => translate(locale, key, params), currentPath: '/' });
    const before = await insights.view(app.id, person);
    expect(ratingPanel({ applicationId: app.id, locale: 'en', rating: before.rating, followUp: before.followUp }).lines).toContain('The agency will answer you by 23 March 2026.');
    for (const [locale, shown, late] of [['en', '23 March 2026', '24 March 2026'], ['zh-CN', '2026年3月23日', '2026年3月24日']] as const) {
      const pages = [renderRatingPage(context(locale), before), renderQueuePage(context(locale), [open], 'open'), renderFollowUpPage(context(locale), open)];
      for (const page of pages) {
        expect(page).toContain(shown);
        expect(page).not.toContain(late);
      }
      expect(pages[1]).toContain('datetime="2026-03-23"');
    }

    // Staff of another agency see none of it; a citizen has no queue at all.
    const psbAdmin = personaPrincipal(demoPersona('agency-admin'));
    expect((await insights.followUps(psbAdmin, 'open')).map((f) => f.id)).not.toContain(open.id);
    expect(await refusal(insights.followUp(open.id, psbAdmin))).toBe(InsightsErrors.TB_INSIGHTS_FORBIDDEN);
    expect(await refusal(insights.followUps(person, 'open'))).toBe(InsightsErrors.TB_INSIGHTS_FORBIDDEN);

    // Reading the comment is audited with the person as the subject and the purpose.
    await insights.followUp(open.id, officer);
    const read = (await built.kernel.audit.listBySubject(person.accountId)).find((r) => r.action === 'insights.follow_up.read');
    expect(read).toMatchObject({ actor: { kind: 'staff', id: officer.accountId, organisation: '110000-AMR' } });
    expect(read?.purpose).toContain('low rating');

    const empty = await insights.answer(open.id, officer, { answer: ' ', changes: '' }).catch((e: unknown) => e as TongbanError);
    expect(empty).toMatchObject({ code: InsightsErrors.TB_INSIGHTS_ANSWER_REQUIRED, fields: [{ pointer: '/answer' }, { pointer: '/changes' }] });
    expect(await refusal(insights.respond(app.id, person, { resolved: 'yes' }))).toBe(InsightsErrors.TB_INSIGHTS_NOT_FOUND);
    await insights.answer(open.id, officer, { answer: '我们已补充说明。', changes: '材料清单增加了示例。' });
    expect(await refusal(insights.answer(open.id, officer, { answer: 'again', changes: 'again' }))).toBe(InsightsErrors.TB_INSIGHTS_FOLLOW_UP_CLOSED);
    expect((await insights.followUps(officer, 'answered')).map((f) => f.id)).toContain(open.id);

    // The person sees the answer on their panel and says whether it helped; once.
    const view = await insights.view(app.id, person);
    const panel = ratingPanel({ applicationId: app.id, locale: 'en', rating: view.rating, followUp: view.followUp });
    expect(panel).toMatchObject({ tone: 'warning', lines: ['You rated this service 2 out of 5.', 'The agency answered: 我们已补充说明。'] });
    expect(await refusal(insights.respond(app.id, person, { resolved: 'maybe' }))).toBe(InsightsErrors.TB_INSIGHTS_RESPONSE_REQUIRED);
    expect(await refusal(insights.respond(app.id, historyPerson(801), { resolved: 'yes' }))).toBe(InsightsErrors.TB_INSIGHTS_NOT_FOUND);
    expect((await insights.respond(app.id, person, { resolved: 'no' })).resolved).toBe(false);
    expect(await refusal(insights.respond(app.id, person, { resolved: 'yes' }))).toBe(InsightsErrors.TB_INSIGHTS_FOLLOW_UP_CLOSED);
    const actions = (await built.kernel.audit.listBySubject(person.accountId)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['insights.rating.create', 'insights.follow_up.read', 'insights.follow_up.answer', 'insights.follow_up.respond']));
  });

  it('invites a rating on a finished case\'s panel, in both languages', () => {
    expect(ratingPanel({ applicationId: 'abc', locale: 'zh-CN', rating: undefined, followUp: undefined }))
      .toEqual({ id: 'rating', heading: '评价本次服务', lines: [expect.any(String)], links: [{ href: '/applications/abc/rating', text: '评价本次服务' }] });
  });
});
