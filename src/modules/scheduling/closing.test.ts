import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import type { AppointmentSummary } from './service.js';
import { accountPrincipal, HALL, PUBLIC_URL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const CITIZEN = demoPersona('citizen');
const PSB = '110000-PSB';

describeEachDatabase('Scheduling: a closed case’s appointment is cancelled', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  let officer: Principal;
  let clerk: Principal;
  const who = () => ({ actor: { kind: 'person' as const, id: citizen.accountId }, locale: 'en' as const });
  const s = () => built.services.scheduling;

  const submitAndBook = async (day: string, time: string): Promise<AppointmentSummary> => {
    const { id } = await submitResidenceApplication(built, citizen);
    return s().book(await s().forPerson(id, citizen, 'en'), { hallId: HALL, day, time }, who(), 'book');
  };
  /** Free places at a time, asked for an open application (a closed one books nothing). */
  const freeAt = async (day: string, time: string): Promise<number> => {
    const { id } = await submitResidenceApplication(built, citizen);
    return (await s().times(await s().requireHall(HALL), await s().forPerson(id, citizen, 'en'), day)).find((t) => t.time === time)?.free ?? 0;
  };
  const stored = async (a: AppointmentSummary) => (await s().listAppointments({ agencies: [PSB], applicationId: a.applicationId }))[0];
  const cancelRecord = async (a: AppointmentSummary) =>
    (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 1000 })).find((r) => r.action === 'scheduling.appointment.cancel' && r.resource?.id === a.id);
  // The police station's clerk who takes the photo and fingerprints (no demo persona has this role).
  const psbClerk: Principal = { accountId: '0190a1b2-0000-7000-8000-0000000000c1', kind: 'staff', name: 'PSB clerk', roles: [{ agency: PSB, role: 'clerk' }] };
  const act = (id: string, action: string, reason?: string) =>
    built.services.workflow.act(undefined, { caseId: id, action, actor: action === 'record_visit' ? psbClerk : officer, ...(reason ? { reason } : {}) });

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
    officer = await accountPrincipal(built, demoPersona('officer').accountId);
    clerk = await accountPrincipal(built, demoPersona('clerk').accountId);
  });
  afterAll(async () => { await built?.app.close(); });

  it('cancels it when the applicant withdraws (over HTTP): the place is free, no panel, no reminder, no check-in', async () => {
    const booked = await submitAndBook('2026-12-08', '10:00');
    const id = booked.applicationId;
    expect(await freeAt('2026-12-08', '10:00')).toBe(3);

    const me = createTestBrowser(built.app, PUBLIC_URL);
    me.setCookie(LANG_COOKIE, 'en');
    await signIn(me, 'citizen');
    const confirm = await me.get(`/applications/${id}/withdraw`);
    const withdrawn = await me.post(`/applications/${id}/withdraw`, { _csrf: csrfToken(confirm.body) });
    expect(withdrawn.statusCode).toBe(303);
    expect((await built.services.workflow.getCase(id)).final).toBe(true);

    expect(await s().appointmentFor(id)).toBeUndefined();
    expect(await stored(booked)).toMatchObject({ reference: booked.reference, status: 'cancelled' });
    expect(await freeAt('2026-12-08', '10:00')).toBe(4);
    expect(await cancelRecord(booked)).toMatchObject({
      actor: { kind: 'person', id: CITIZEN.accountId }, subject: CITIZEN.accountId, purpose: expect.any(String) as string,
      details: { reference: booked.reference, application: id, cause: 'workflow.withdraw' },
    });

    const status = await me.get(`/applications/${id}`);
    expect(status.statusCode).toBe(200);
    expect(status.body).not.toContain(booked.reference);
    expect(status.body).not.toContain(`/applications/${id}/appointment`);

    // The day before, from 09:00: no reminder. At the hall: nothing to check in (an early arrival would be).
    clock.set('2026-12-07T09:05:00+08:00');
    try {
      await s().sendReminders();
      const reminders = (await built.services.messaging.listForAccount(CITIZEN.accountId)).items.filter((m) => m.template === 'appointmentReminder' && m.subject.includes(booked.reference));
      expect(reminders).toEqual([]);
      await expect(s().checkIn(clerk, await s().requireHall(HALL), { reference: booked.reference })).rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND', status: 404 });
    } finally {
      clock.set('2026-12-07T08:00:00+08:00');
    }
  });

  it('cancels it when the case is rejected or approved, audited as the officer who decided', async () => {
    const rejected = await submitAndBook('2026-12-09', '10:00');
    await act(rejected.applicationId, 'claim');
    await act(rejected.applicationId, 'reject', 'Not living in Beijing');
    expect(await stored(rejected)).toMatchObject({ status: 'cancelled' });
    expect(await cancelRecord(rejected)).toMatchObject({ actor: { kind: 'staff', id: officer.accountId, organisation: PSB }, details: { cause: 'workflow.reject' } });

    // Photo and fingerprints taken without the appointment (recorded on the case): approval cancels it.
    const approved = await submitAndBook('2026-12-09', '10:30');
    for (const action of ['claim', 'request_visit', 'record_visit', 'approve']) await act(approved.applicationId, action);
    expect((await built.services.workflow.getCase(approved.applicationId)).status).toBe('approved');
    expect(await stored(approved)).toMatchObject({ status: 'cancelled' });
    expect(await cancelRecord(approved)).toMatchObject({ details: { cause: 'workflow.approve' } });
    expect(await freeAt('2026-12-09', '10:00')).toBe(4);
    expect(await freeAt('2026-12-09', '10:30')).toBe(4);
  });

  it('keeps an attended (checked-in) appointment, and a case that stays open keeps its booking', async () => {
    const attended = await submitAndBook('2026-12-07', '11:00');
    await s().checkIn(clerk, await s().requireHall(HALL), { reference: attended.reference });
    await act(attended.applicationId, 'claim');
    await act(attended.applicationId, 'reject', 'Documents not genuine');
    expect(await s().appointmentFor(attended.applicationId)).toMatchObject({ status: 'checked_in' });
    expect(await cancelRecord(attended)).toBeUndefined();

    const open = await submitAndBook('2026-12-10', '10:00');
    await act(open.applicationId, 'claim');
    await act(open.applicationId, 'request_visit');
    expect(await s().appointmentFor(open.applicationId)).toMatchObject({ status: 'booked' });
  });

  it('refuses to book for a closed case, and the reminder sweep cancels one booked while the case was closing', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const context = await s().forPerson(id, citizen, 'en');
    await built.services.applications.withdraw(id, citizen);
    await expect(s().forPerson(id, citizen, 'en')).rejects.toMatchObject({ code: 'TB_SCHEDULING_NOT_BOOKABLE', status: 409 });

    // The booking read the case while it was open and commits after the withdrawal's transaction.
    const late = await s().book(context, { hallId: HALL, day: '2026-12-08', time: '14:00' }, who(), 'book');
    clock.set('2026-12-07T09:05:00+08:00');
    try {
      await s().sendReminders();
      const reminders = (await built.services.messaging.listForAccount(CITIZEN.accountId)).items.filter((m) => m.template === 'appointmentReminder' && m.subject.includes(late.reference));
      expect(reminders).toEqual([]);
      expect(await stored(late)).toMatchObject({ status: 'cancelled' });
      expect(await cancelRecord(late)).toMatchObject({ actor: { kind: 'system', id: 'scheduling.reminders' }, details: { cause: 'case-closed' } });
    } finally {
      clock.set('2026-12-07T08:00:00+08:00');
    }
  });
});
