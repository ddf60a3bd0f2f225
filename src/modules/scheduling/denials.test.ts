import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { logLines } from '../../../test/helpers/log-lines.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { createTestBrowser, csrfToken, signIn } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import type { AppointmentSummary } from './service.js';
import { accountPrincipal, HALL, PUBLIC_URL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

/**
 * Another agency's appointment answers as an unknown one would (404), and is logged as
 * `security.denied` with `reason: other-agency` (issue 9, docs/security.md log inventory): the
 * GovStack Scheduler's change and cancel by another agency's system, and the desk's check-in of an
 * appointment at a hall another agency runs. A reference that does not exist stays a plain 404.
 */
const BASE = '/govstack/scheduler';
const STATION = 'chaoyang-jianguomen-pcs'; // run by the public security bureau; the desk's hall (HALL) by civil affairs
const UNKNOWN = 'AP99999999';

describeEachDatabase('Scheduling: another agency\'s appointment is a hidden 404, logged as security.denied', migrationSources, (use) => {
  const clock = testClock();
  const log = logLines();
  let built: Built;
  let citizen: Principal;
  let amrToken = '';

  const book = async (hallId: string): Promise<AppointmentSummary> => {
    const { id } = await submitResidenceApplication(built, citizen);
    const ctx = await built.services.scheduling.forPerson(id, citizen, 'en');
    return built.services.scheduling.book(ctx, { hallId, day: '2026-12-07', time: '10:00' }, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }, 'book');
  };
  const scheduler = (method: 'PUT' | 'DELETE', path: string, query: Record<string, string>) => built.app.inject({
    method, url: `${BASE}${path}?${new URLSearchParams({ requestor_id: 'amr-case-system', request_token: 'Organizer', ...query }).toString()}`,
    headers: { accept: 'application/json', authorization: `Bearer ${amrToken}` },
  });

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now, log.logger);
    citizen = await accountPrincipal(built, demoPersona('citizen').accountId);
    const clientId = 'amr-scheduler';
    const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation: 'CN/GOV/110000-AMR/case-system', scopes: ['scheduler:book'] });
    const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl, now: clock.now() });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['scheduler:book']) });
    amrToken = res.json<{ access_token: string }>().access_token;
  });
  afterAll(async () => { await built?.app.close(); });

  it('refuses another agency\'s system a change or cancellation of a residence appointment (public security\'s) as not found, logged with other-agency', async () => {
    const appointment = await book(HALL);
    const tries = [
      await scheduler('PUT', '/appointment/modifications', { appointment_id: appointment.reference, qry: JSON.stringify({ details: { status_id: 'Cancelled' } }) }),
      await scheduler('DELETE', '/appointment', { appointment_id: appointment.reference }),
    ];
    for (const res of tries) {
      expect(res.statusCode, res.body).toBe(404);
      expect(res.json()).toMatchObject({ code: 'TB_SCHEDULING_NO_APPOINTMENT' });
      expect(log.denials(res.headers['x-request-id'])).toEqual([expect.objectContaining({ level: 40, code: 'TB_SCHEDULING_NO_APPOINTMENT', reason: 'other-agency' })]);
    }
    expect(await built.services.scheduling.appointmentFor(appointment.applicationId)).toMatchObject({ status: 'booked' });

    const unknown = await scheduler('DELETE', '/appointment', { appointment_id: UNKNOWN });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'TB_SCHEDULING_NO_APPOINTMENT' });
    expect(log.denials(unknown.headers['x-request-id'])).toEqual([]);
  });

  it('answers a check-in at the desk of an appointment at another agency\'s hall as not found, logged with other-agency', async () => {
    const elsewhere = await book(STATION);
    const clerk = await accountPrincipal(built, demoPersona('clerk').accountId);
    const hall = await built.services.scheduling.requireHall(HALL);
    await expect(built.services.scheduling.checkIn(clerk, hall, { reference: elsewhere.reference }))
      .rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND', status: 404, denied: 'other-agency' });
    await expect(built.services.scheduling.checkIn(clerk, hall, { reference: UNKNOWN })).rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND', denied: undefined });

    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, 'clerk');
    const desk = `/halls/${HALL}/desk`;
    const page = (await browser.get(desk)).body;
    const hidden = await browser.post(`${desk}/check-in`, { _csrf: csrfToken(page), reference: elsewhere.reference, idNumber: '' });
    expect(hidden.statusCode).toBe(404);
    expect(log.denials(hidden.headers['x-request-id'])).toEqual([expect.objectContaining({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND', reason: 'other-agency', route: '/halls/:id/desk/check-in' })]);
    const unknown = await browser.post(`${desk}/check-in`, { _csrf: csrfToken(page), reference: UNKNOWN, idNumber: '' });
    expect(unknown.statusCode).toBe(404);
    expect(log.denials(unknown.headers['x-request-id'])).toEqual([]);
    expect(await built.services.scheduling.appointmentFor(elsewhere.applicationId)).toMatchObject({ status: 'booked' });
  });
});
