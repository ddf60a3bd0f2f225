import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, inputValue, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { accountPrincipal, HALL, PUBLIC_URL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const STATION = 'chaoyang-jianguomen-pcs';

describeEachDatabase('Scheduling pages: booking, changing, cancelling, the desk and the screen', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  const pages: [string, string][] = [];

  const browserFor = async (persona: string | undefined, lang: 'en' | 'zh-CN'): Promise<TestBrowser> => {
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    browser.setCookie(LANG_COOKIE, lang);
    if (persona) await signIn(browser, persona);
    return browser;
  };
  const page = async (browser: TestBrowser, url: string, label: string, status = 200) => {
    const res = await browser.get(url);
    expect(res.statusCode, `${label}: ${res.body.slice(0, 300)}`).toBe(status);
    pages.push([label, res.body]);
    return res.body;
  };
  const post = async (browser: TestBrowser, url: string, from: string, fields: Record<string, string>) => browser.post(url, { _csrf: csrfToken(from), ...fields });

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
  });
  afterAll(async () => { await built?.app.close(); });

  it.each(['en', 'zh-CN'] as const)('books, changes and cancels an appointment without JavaScript (%s)', async (lang) => {
    const { id } = await submitResidenceApplication(built, citizen);
    const me = await browserFor('citizen', lang);
    const base = `/applications/${id}/appointment`;
    const status = await page(me, `/applications/${id}`, `status page with the booking panel ${lang}`);
    expect(status).toContain(`href="${base}/hall"`);

    const hallPage = await page(me, `${base}/hall`, `choose hall ${lang}`);
    expect(hallPage).toContain(lang === 'en' ? 'Dongcheng District Government Service Centre' : '东城区政务服务中心');
    const noHall = await page(me, `${base}/day`, `choose hall with error ${lang}`, 400);
    expect(noHall).toContain('tb-error-summary');
    const dayPage = await page(me, `${base}/day?hall=${HALL}`, `choose day ${lang}`);
    expect(dayPage).toContain(lang === 'en' ? 'Tuesday, 8 December 2026' : '2026年12月8日星期二');
    expect(dayPage).not.toContain('value="2026-12-12"'); // Saturday: closed
    await page(me, `${base}/time?hall=${HALL}`, `choose day with error ${lang}`, 400);
    const timePage = await page(me, `${base}/time?hall=${HALL}&day=2026-12-08`, `choose time ${lang}`);
    expect(timePage).toContain('value="10:00"');
    expect(timePage).toContain(lang === 'en' ? '10:00 am' : '10:00');
    const noTime = await page(me, `${base}/confirm?hall=${HALL}&day=2026-12-08`, `choose time with error ${lang}`, 400);
    expect(noTime).toContain(lang === 'en' ? 'Choose a time' : '请选择时间');
    await page(me, `${base}/confirm?hall=${HALL}&day=2026-12-08&time=12:30`, `time not offered ${lang}`, 400);
    const confirm = await page(me, `${base}/confirm?hall=${HALL}&day=2026-12-08&time=10:00`, `confirm ${lang}`);

    const booked = await post(me, base, confirm, { hall: HALL, day: '2026-12-08', time: '10:00' });
    expect(booked.statusCode).toBe(303);
    const done = await page(me, String(booked.headers.location), `booked ${lang}`);
    const appointment = await built.services.scheduling.appointmentFor(id);
    expect(appointment?.startsAt.toISOString()).toBe('2026-12-08T02:00:00.000Z');
    expect(done).toContain(appointment?.reference);
    const withAppointment = await page(me, `/applications/${id}`, `status page with the appointment ${lang}`);
    expect(withAppointment).toContain(appointment?.reference);
    expect(withAppointment).toContain(`${base}/cancel`);

    // Change: the same steps, then "Change appointment".
    const change = await page(me, `${base}/confirm?hall=${STATION}&day=2026-12-09&time=14:10`, `confirm change ${lang}`);
    const moved = await post(me, base, change, { hall: STATION, day: '2026-12-09', time: '14:10' });
    expect(moved.headers.location).toBe(`${base}/done?changed=1`);
    await page(me, String(moved.headers.location), `changed ${lang}`);
    expect(await built.services.scheduling.appointmentFor(id)).toMatchObject({ reference: appointment?.reference, hallId: STATION });

    const cancel = await page(me, `${base}/cancel`, `cancel ${lang}`);
    const cancelled = await post(me, `${base}/cancel`, cancel, {});
    expect(cancelled.statusCode).toBe(303);
    await page(me, String(cancelled.headers.location), `cancelled ${lang}`);
    expect(await built.services.scheduling.appointmentFor(id)).toBeUndefined();
  });

  it('tells the person plainly when someone else took the last place (409) and keeps the steps', async () => {
    const first = await submitResidenceApplication(built, citizen);
    const second = await submitResidenceApplication(built, citizen);
    const me = await browserFor('citizen', 'en');
    const confirmOf = (id: string) => page(me, `/applications/${id}/appointment/confirm?hall=${STATION}&day=2026-12-10&time=09:00`, 'confirm at the station');
    const [a, b] = [await confirmOf(first.id), await confirmOf(second.id)];
    expect((await post(me, `/applications/${first.id}/appointment`, a, { hall: STATION, day: '2026-12-10', time: '09:00' })).statusCode).toBe(303);
    const full = await post(me, `/applications/${second.id}/appointment`, b, { hall: STATION, day: '2026-12-10', time: '09:00' });
    expect(full.statusCode).toBe(409);
    expect(full.body).toContain('Someone has just booked the last place at that time');
    expect(full.body).not.toContain('value="09:00"');
    pages.push(['slot taken meanwhile', full.body]);
    // Someone else's application: not found.
    const other = await browserFor('business', 'en');
    expect((await other.get(`/applications/${first.id}/appointment/hall`)).statusCode).toBe(404);
  });

  it('reads a repeated hall, day or time in the booking steps as not given, never as a 500 (found by the GET form fuzzing, issue 9)', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const me = await browserFor('citizen', 'en');
    const base = `/applications/${id}/appointment`;
    for (const [url, status] of [
      [`${base}/hall?hall=${HALL}&hall=`, 200], [`${base}/day?hall=${HALL}&hall=`, 400], [`${base}/day?hall=${HALL}&day=a&day=b`, 200],
      [`${base}/time?hall=${HALL}&hall=`, 400], [`${base}/time?hall=${HALL}&day=2026-12-08&day=2026-12-09`, 400],
      [`${base}/confirm?hall=${HALL}&hall=`, 400], [`${base}/confirm?hall=${HALL}&day=2026-12-08&time=10:00&time=10:30`, 400],
    ] as const) {
      const res = await me.get(url);
      expect(res.statusCode, `${url}: ${res.body.slice(0, 200)}`).toBe(status);
      expect(res.body, url).toContain(status === 200 ? '<form method="get"' : 'tb-error-summary');
    }
  });

  it('reads a repeated parameter of the desk and the screen as not given', async () => {
    const clerk = await browserFor('clerk', 'en');
    const repeated = await clerk.get(`/halls/${HALL}/desk?issued=A001&issued=A002&early=1&early=1&counter=dongcheng-zwfw-1&counter=x&called=A003&called=`);
    expect(repeated.statusCode).toBe(200);
    // The page's main part (the language link in the header repeats the address).
    const main = (body: string) => body.slice(body.indexOf('<main'), body.indexOf('</main>'));
    for (const label of ['A001', 'A002', 'A003']) expect(main(repeated.body)).not.toContain(label);
    expect(main((await clerk.get(`/halls/${HALL}/desk?issued=A001`)).body)).toContain('A001');
    const screen = await (await browserFor(undefined, 'en')).get(`/halls/${HALL}/screen?refresh=off&refresh=off`);
    expect(screen.statusCode).toBe(200);
    expect(screen.headers.refresh).toBe('10');
  });

  it.each(['en', 'zh-CN'] as const)('lets a clerk check people in and call numbers, and shows them on the public screen (%s)', async (lang) => {
    const { id } = await submitResidenceApplication(built, citizen);
    const ctx = await built.services.scheduling.forPerson(id, citizen, 'en');
    const appointment = await built.services.scheduling.book(ctx, { hallId: HALL, day: '2026-12-07', time: lang === 'en' ? '15:00' : '15:30' }, { actor: { kind: 'person', id: citizen.accountId }, locale: lang }, 'book');
    const clerk = await browserFor('clerk', lang);
    const desk = `/halls/${HALL}/desk`;
    await page(clerk, '/halls', `halls ${lang}`);
    const deskPage = await page(clerk, desk, `desk ${lang}`);
    const empty = await post(clerk, `${desk}/check-in`, deskPage, { reference: '', idNumber: '' });
    expect(empty.statusCode).toBe(400);
    pages.push([`desk with error ${lang}`, empty.body]);
    const unknown = await post(clerk, `${desk}/check-in`, deskPage, { reference: 'AP22222222', idNumber: '' });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.body).toContain('value="AP22222222"');
    const checked = await post(clerk, `${desk}/check-in`, deskPage, { reference: appointment.reference, idNumber: '' });
    expect(checked.statusCode).toBe(303);
    const label = (await built.services.scheduling.appointmentFor(id))?.ticket?.label ?? '';
    expect(label).toMatch(/^A\d{3}$/);
    expect(await page(clerk, String(checked.headers.location), `desk after check-in ${lang}`)).toContain(label);
    // The form says what counter 1 is calling (nobody: an empty value, or the other language's run's number).
    expect(deskPage).toContain('name="after-dongcheng-zwfw-1"');
    const callForm = { counter: 'dongcheng-zwfw-1', 'after-dongcheng-zwfw-1': inputValue(deskPage, 'after-dongcheng-zwfw-1') ?? '' };
    const called = await post(clerk, `${desk}/call`, deskPage, callForm);
    expect(called.statusCode).toBe(303);
    expect(await page(clerk, String(called.headers.location), `desk after a call ${lang}`)).toContain(`value="${label}"`);
    // The same form again (a double click): nobody finished or called, the current call shown.
    const again = await post(clerk, `${desk}/call`, deskPage, callForm);
    expect(again.headers.location).toContain('&again=1');
    expect(await page(clerk, String(again.headers.location), `desk after a repeated call ${lang}`)).toContain(lang === 'en' ? `The next number was already called: ${label}` : `下一个号已经叫过了：请 ${label} 号`);
    expect((await post(clerk, `${desk}/call`, deskPage, {})).statusCode).toBe(400);

    const officer = await browserFor('officer', lang);
    expect(await page(officer, `/backoffice/cases/${id}`, `case page with the appointment ${lang}`)).toContain(appointment.reference);

    const screen = await browserFor(undefined, lang);
    const res = await screen.get(`/halls/${HALL}/screen`);
    expect(res.statusCode).toBe(200);
    expect(res.headers.refresh).toBe('10');
    expect(res.body).toContain(label);
    expect(res.body).toContain(lang === 'en' ? 'Please go to counter 1' : '请到 1 号窗口办理');
    pages.push([`screen ${lang}`, res.body]);
    const paused = await screen.get(`/halls/${HALL}/screen?refresh=off`);
    expect(paused.headers.refresh).toBeUndefined();
    pages.push([`screen paused ${lang}`, paused.body]);

    const citizenBrowser = await browserFor('citizen', lang);
    expect((await citizenBrowser.get(desk)).statusCode).toBe(403);
    expect((await screen.get('/halls/nowhere/screen')).statusCode).toBe(404);
  });

  it('passes axe in Chromium on every page above', async () => {
    expect(pages.length).toBeGreaterThan(40);
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  }, 600_000);
});
