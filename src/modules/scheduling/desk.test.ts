import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import type { AppointmentSummary } from './service.js';
import { accountPrincipal, HALL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const CITIZEN = demoPersona('citizen');

describeEachDatabase('Scheduling: check-in, queue tickets and calling numbers', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  let clerk: Principal;
  const hall = () => built.services.scheduling.requireHall(HALL);

  const bookToday = async (time: string): Promise<AppointmentSummary> => {
    const { id } = await submitResidenceApplication(built, citizen);
    const ctx = await built.services.scheduling.forPerson(id, citizen, 'en');
    return built.services.scheduling.book(ctx, { hallId: HALL, day: '2026-12-07', time }, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }, 'book');
  };

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
    clerk = await accountPrincipal(built, demoPersona('clerk').accountId);
  });
  afterAll(async () => { await built?.app.close(); });

  it('checks a person in by reference and gives the day’s first number, audited', async () => {
    const appointment = await bookToday('10:00');
    const done = await built.services.scheduling.checkIn(clerk, await hall(), { reference: appointment.reference.toLowerCase() });
    expect(done.ticket).toMatchObject({ label: 'A001', number: 1, status: 'waiting', day: '2026-12-07', serviceSlug: 'residence-certificate' });
    expect(done.early).toBe(false);
    expect(await built.services.scheduling.appointmentFor(appointment.applicationId)).toMatchObject({ status: 'checked_in', ticket: { label: 'A001' } });
    const record = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).find((r) => r.action === 'scheduling.appointment.check_in');
    expect(record).toMatchObject({ actor: { kind: 'staff', id: clerk.accountId, organisation: '110000-CAB' }, purpose: expect.any(String) as string, details: { ticket: 'A001' } });
    // Checked in already: not again, the number it was given (desk-repeats.test.ts).
    expect((await built.services.scheduling.checkIn(clerk, await hall(), { reference: appointment.reference })).ticket).toMatchObject({ label: 'A001', number: 1 });
  });

  it('checks in by ID number, and refuses unknown references, empty forms and other agencies’ staff', async () => {
    const appointment = await bookToday('10:30');
    await expect(built.services.scheduling.checkIn(clerk, await hall(), {})).rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_REQUIRED', status: 400 });
    await expect(built.services.scheduling.checkIn(clerk, await hall(), { reference: 'AP22222222' })).rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND' });
    await expect(built.services.scheduling.checkIn(clerk, await hall(), { idNumber: '11010119900307235X' })).rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND' });
    const psbAdmin = await accountPrincipal(built, demoPersona('agency-admin').accountId);
    await expect(built.services.scheduling.checkIn(psbAdmin, await hall(), { reference: appointment.reference })).rejects.toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    await expect(built.services.scheduling.checkIn(citizen, await hall(), { reference: appointment.reference })).rejects.toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
    // At another hall the appointment does not exist.
    const officer = await accountPrincipal(built, demoPersona('officer').accountId);
    await expect(built.services.scheduling.checkIn(officer, await built.services.scheduling.requireHall('chaoyang-jianguomen-pcs'), { reference: appointment.reference }))
      .rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND' });
    const done = await built.services.scheduling.checkIn(clerk, await hall(), { idNumber: CITIZEN.idNumber ?? '' });
    expect(done.ticket.label).toBe('A002');
    expect(done.appointment.reference).toBe(appointment.reference);
  });

  it('numbers concurrent check-ins one after another without gaps or repeats', async () => {
    const appointments: AppointmentSummary[] = [];
    for (const time of ['11:00', '11:00', '11:30', '11:30', '13:30', '13:30']) appointments.push(await bookToday(time));
    const where = await hall();
    const results = await Promise.all(appointments.map((a) => built.services.scheduling.checkIn(clerk, where, { reference: a.reference })));
    expect(results.map((r) => r.ticket.number).sort((a, b) => a - b)).toEqual([3, 4, 5, 6, 7, 8]);
    expect((await built.services.scheduling.ticketsToday(where)).map((t) => t.label)).toEqual(['A001', 'A002', 'A003', 'A004', 'A005', 'A006', 'A007', 'A008']);
  });

  it('calls the lowest waiting number a counter handles, never the same one at two counters', async () => {
    const where = await hall();
    const s = built.services.scheduling;
    const first = await s.callNext(clerk, where, 'dongcheng-zwfw-1', '');
    expect(first).toMatchObject({ ticket: { label: 'A001', status: 'called', counterId: 'dongcheng-zwfw-1' }, counterNumber: 1, already: false });
    const [a, b] = await Promise.all([s.callNext(clerk, where, 'dongcheng-zwfw-1', 'A001'), s.callNext(clerk, where, 'dongcheng-zwfw-2', '')]);
    expect(new Set([a.ticket?.label, b.ticket?.label])).toEqual(new Set(['A002', 'A003']));
    // Counter 3 handles business registration only: nobody waiting for it.
    expect(await s.callNext(clerk, where, 'dongcheng-zwfw-3', '')).toEqual({ ticket: undefined, counterNumber: 3, already: false });
    await expect(s.callNext(clerk, where, 'nowhere', '')).rejects.toMatchObject({ code: 'TB_SCHEDULING_COUNTER_NOT_FOUND' });
    const tickets = await s.ticketsToday(where);
    // Counter 1's first call is served (done) once it calls the next.
    expect(tickets.find((t) => t.label === 'A001')?.status).toBe('done');
    expect(tickets.filter((t) => t.status === 'waiting').map((t) => t.label)).toEqual(['A004', 'A005', 'A006', 'A007', 'A008']);
  });

  it('serves an early arrival today and starts a new sequence the next day', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const ctx = await built.services.scheduling.forPerson(id, citizen, 'en');
    const later = await built.services.scheduling.book(ctx, { hallId: HALL, day: '2026-12-09', time: '09:00' }, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }, 'book');
    const early = await built.services.scheduling.checkIn(clerk, await hall(), { reference: later.reference });
    expect(early).toMatchObject({ early: true, ticket: { label: 'A009' } });
    clock.set('2026-12-08T08:00:00+08:00');
    // Checked in yesterday: no number today, neither the old one nor a new one.
    await expect(built.services.scheduling.checkIn(clerk, await hall(), { reference: later.reference })).rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND' });
    await expect(built.services.scheduling.checkIn(clerk, await hall(), { idNumber: CITIZEN.idNumber ?? '' })).rejects.toMatchObject({ code: 'TB_SCHEDULING_CHECK_IN_NOT_FOUND' });
    const next = await bookToday('10:00').catch(() => undefined);
    expect(next).toBeUndefined(); // 2026-12-07 is now in the past
    const { id: other } = await submitResidenceApplication(built, citizen);
    const tomorrow = await built.services.scheduling.book(await built.services.scheduling.forPerson(other, citizen, 'en'), { hallId: HALL, day: '2026-12-08', time: '10:00' }, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }, 'book');
    expect((await built.services.scheduling.checkIn(clerk, await hall(), { reference: tomorrow.reference })).ticket.label).toBe('A001');
  });

  it('reads an ID number or reference as the forms do: typed full-width, in groups as printed, or with dashes', async () => {
    clock.set('2026-12-08T08:00:00+08:00');
    const bookOn8th = async (time: string): Promise<AppointmentSummary> => {
      const { id } = await submitResidenceApplication(built, citizen);
      return built.services.scheduling.book(await built.services.scheduling.forPerson(id, citizen, 'en'), { hallId: HALL, day: '2026-12-08', time }, { actor: { kind: 'person', id: citizen.accountId }, locale: 'en' }, 'book');
    };
    expect(CITIZEN.idNumber).toBe('110101199003072359');
    // A clerk's input method in full-width mode: it was "not found", and the person missed their slot.
    const first = await bookOn8th('11:00');
    const wide = await built.services.scheduling.checkIn(clerk, await hall(), { idNumber: '１１０１０１１９９００３０７２３５９' });
    expect(wide.appointment.reference).toBe(first.reference);
    const second = await bookOn8th('11:30');
    const grouped = await built.services.scheduling.checkIn(clerk, await hall(), { idNumber: ' 110101 19900307 2359 ' });
    expect(grouped.appointment.reference).toBe(second.reference);
    const third = await bookOn8th('14:00');
    const spoken = `${third.reference.slice(0, 2)} ${third.reference.slice(2, 6)}-${third.reference.slice(6).toLowerCase()}`;
    const byReference = await built.services.scheduling.checkIn(clerk, await hall(), { reference: spoken });
    expect(byReference.appointment.reference).toBe(third.reference);
  });
});
