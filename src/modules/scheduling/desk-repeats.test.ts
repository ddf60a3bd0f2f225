import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import type { AppointmentSummary } from './service.js';
import { accountPrincipal, HALL, PUBLIC_URL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const DESK = `/halls/${HALL}/desk`;
const COUNTER = 'dongcheng-zwfw-1';

/** The fields a browser sends with a form of the page: its hidden inputs (CSRF token included). */
function hiddenFields(html: string, action: string): Record<string, string> {
  const form = new RegExp(`<form[^>]*action="${action}"[^>]*>([\\s\\S]*?)</form>`).exec(html)?.[1] ?? '';
  const fields: Record<string, string> = {};
  for (const [input] of form.matchAll(/<input[^>]*type="hidden"[^>]*>/g)) {
    const name = /name="([^"]*)"/.exec(input)?.[1];
    if (name) fields[name] = (/value="([^"]*)"/.exec(input)?.[1] ?? '').replaceAll('&amp;', '&');
  }
  return fields;
}

// A double click or a resent form at the desk: the second post must not skip a waiting person
// (call next) nor hide the number just given (check in).
describeEachDatabase('Scheduling desk: a repeated post', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  let clerk: Principal;
  const s = () => built.services.scheduling;
  const hall = () => s().requireHall(HALL);

  const bookToday = async (time: string): Promise<AppointmentSummary> => {
    const { id } = await submitResidenceApplication(built, citizen);
    return s().book(await s().forPerson(id, citizen, 'en'), { hallId: HALL, day: '2026-12-07', time }, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }, 'book');
  };
  const clerkBrowser = async (lang: 'en' | 'zh-CN'): Promise<TestBrowser> => {
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    browser.setCookie(LANG_COOKIE, lang);
    await signIn(browser, 'clerk');
    return browser;
  };
  const statuses = async () => Object.fromEntries((await s().ticketsToday(await hall())).map((t) => [t.label, t.status]));

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
    clerk = await accountPrincipal(built, demoPersona('clerk').accountId);
  });
  afterAll(async () => { await built?.app.close(); });

  it('answers a repeated check-in with the number already given', async () => {
    const browser = await clerkBrowser('en');
    const first = await bookToday('10:00');
    const page = (await browser.get(DESK)).body;
    const form = { _csrf: csrfToken(page), reference: first.reference, idNumber: '' };
    const once = await browser.post(`${DESK}/check-in`, form);
    const twice = await browser.post(`${DESK}/check-in`, form);
    expect(once.statusCode).toBe(303);
    expect(twice.statusCode, twice.body.slice(0, 300)).toBe(303);
    expect(twice.headers.location).toBe(once.headers.location);
    expect(once.headers.location).toBe(`${DESK}?issued=A001`);
    // By ID number too, and through the service: the same ticket, no second one.
    const second = await bookToday('10:30');
    clock.advance(60_000);
    const byId = await s().checkIn(clerk, await hall(), { idNumber: CITIZEN.idNumber ?? '' });
    expect(byId).toMatchObject({ ticket: { label: 'A002' }, appointment: { reference: second.reference } });
    expect((await s().checkIn(clerk, await hall(), { idNumber: CITIZEN.idNumber ?? '' })).ticket.label).toBe('A002');
    expect((await s().checkIn(clerk, await hall(), { reference: second.reference })).ticket.label).toBe('A002');
    // Two at once (PostgreSQL runs them side by side): one number, given to both.
    const third = await bookToday('11:00');
    const both = await Promise.all([s().checkIn(clerk, await hall(), { reference: third.reference }), s().checkIn(clerk, await hall(), { reference: third.reference })]);
    expect(both.map((r) => r.ticket.label)).toEqual(['A003', 'A003']);
    expect(Object.keys(await statuses())).toEqual(['A001', 'A002', 'A003']);
    // One check-in each, audited once: a repeat gives back the number and records nothing new.
    const audits = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'scheduling.appointment.check_in');
    expect(audits).toHaveLength(3);
  });

  it('calls nobody and finishes nobody on a repeated "Call next", and says the next person was already called', async () => {
    const browser = await clerkBrowser('en');
    const page = (await browser.get(DESK)).body;
    const form = { ...hiddenFields(page, `${DESK}/call`), counter: COUNTER };
    const once = await browser.post(`${DESK}/call`, form);
    expect(once.headers.location).toBe(`${DESK}?counter=${COUNTER}&called=A001`);
    const twice = await browser.post(`${DESK}/call`, form);
    expect(twice.statusCode).toBe(303);
    expect(await statuses()).toEqual({ A001: 'called', A002: 'waiting', A003: 'waiting' });
    const shown = (await browser.follow(twice)).body;
    expect(shown).toContain('The next number was already called: A001 at counter 1. Nobody was skipped.');
    const zh = await clerkBrowser('zh-CN');
    expect((await zh.get(String(twice.headers.location))).body).toContain('下一个号已经叫过了：请 A001 号到 1 号窗口。没有人被跳过。');
    // The page shown after the call calls the next one.
    const next = await browser.post(`${DESK}/call`, { ...hiddenFields(shown, `${DESK}/call`), counter: COUNTER });
    expect(next.headers.location).toBe(`${DESK}?counter=${COUNTER}&called=A002`);
    expect(await statuses()).toEqual({ A001: 'done', A002: 'called', A003: 'waiting' });
  });

  it('lets one of two simultaneous calls at a counter call, the other none', async () => {
    const where = await hall();
    await s().checkIn(clerk, where, { reference: (await bookToday('11:30')).reference });
    await s().checkIn(clerk, where, { reference: (await bookToday('11:30')).reference });
    const [a, b] = await Promise.all([s().callNext(clerk, where, COUNTER, 'A002'), s().callNext(clerk, where, COUNTER, 'A002')]);
    expect([a, b].map((r) => r.already).sort()).toEqual([false, true]);
    expect([a, b].map((r) => r.ticket?.label)).toEqual(['A003', 'A003']);
    expect(await statuses()).toEqual({ A001: 'done', A002: 'done', A003: 'called', A004: 'waiting', A005: 'waiting' });
    // A form from before any call at this counter ('') neither finishes A003 nor calls A004.
    expect(await s().callNext(clerk, where, COUNTER, '')).toMatchObject({ already: true, ticket: { label: 'A003' } });
    expect(await statuses()).toEqual({ A001: 'done', A002: 'done', A003: 'called', A004: 'waiting', A005: 'waiting' });
  });
});
