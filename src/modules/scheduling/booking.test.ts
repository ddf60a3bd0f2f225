import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import type { BookingContext } from './service.js';
import { accountPrincipal, HALL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const CITIZEN = demoPersona('citizen');

describeEachDatabase('Scheduling: booking, changing and cancelling', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  const who = () => ({ actor: { kind: 'person' as const, id: citizen.accountId }, locale: 'en' as const });
  const context = async (id: string): Promise<BookingContext> => built.services.scheduling.forPerson(id, citizen, 'en');
  const hall = async () => built.services.scheduling.requireHall(HALL);

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
  });
  afterAll(async () => { await built?.app.close(); });

  it('offers the halls that handle the service, and free days and times from their hours', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const ctx = await context(id);
    expect(ctx.subject).toMatchObject({ serviceSlug: 'residence-certificate', agencyCode: '110000-PSB', accountId: CITIZEN.accountId });
    expect((await built.services.scheduling.hallsFor('residence-certificate')).map((h) => h.id)).toEqual(['chaoyang-jianguomen-pcs', 'dongcheng-zwfw']);
    const days = await built.services.scheduling.days(await hall(), ctx);
    // Monday 08:00: today still has places; the weekend and the hall's closed days have none.
    expect(days[0]).toEqual({ day: '2026-12-07', free: 13 * 4 });
    expect(days.map((d) => d.day)).not.toContain('2026-12-12');
    const times = await built.services.scheduling.times(await hall(), ctx, '2026-12-07');
    expect(times[0]).toMatchObject({ time: '09:00', free: 4 });
  });

  it('books, refuses a second booking, moves the booking and gives the old place back, then cancels', async () => {
    const { id, reference } = await submitResidenceApplication(built, citizen);
    const s = built.services.scheduling;
    const booked = await s.book(await context(id), { hallId: HALL, day: '2026-12-08', time: '10:00' }, who(), 'book');
    expect(booked).toMatchObject({ status: 'booked', hallId: HALL, counterNumber: 1, applicationReference: reference, startsAt: new Date('2026-12-08T02:00:00Z') });
    expect(booked.reference).toMatch(/^AP[2-9A-HJ-NP-Z]{8}$/);
    expect(await s.appointmentFor(id)).toMatchObject({ reference: booked.reference });
    expect((await s.times(await hall(), await context(id), '2026-12-08')).find((t) => t.time === '10:00')?.free).toBe(3);

    await expect(s.book(await context(id), { hallId: HALL, day: '2026-12-08', time: '11:00' }, who(), 'book')).rejects.toMatchObject({ code: 'TB_SCHEDULING_ALREADY_BOOKED', status: 409 });

    const moved = await s.book(await context(id), { hallId: HALL, day: '2026-12-09', time: '09:30' }, who(), 'move');
    expect(moved).toMatchObject({ reference: booked.reference, startsAt: new Date('2026-12-09T01:30:00Z') });
    expect((await s.times(await hall(), await context(id), '2026-12-08')).find((t) => t.time === '10:00')?.free).toBe(4);

    const records = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.resource?.id === booked.id);
    expect(records.map((r) => r.action)).toEqual(expect.arrayContaining(['scheduling.appointment.book', 'scheduling.appointment.reschedule']));
    expect(records[0]).toMatchObject({ actor: { kind: 'person', id: CITIZEN.accountId }, purpose: expect.any(String) as string });

    const cancelled = await s.cancel(await context(id), who());
    expect(cancelled.status).toBe('cancelled');
    expect(await s.appointmentFor(id)).toBeUndefined();
    expect((await s.times(await hall(), await context(id), '2026-12-09')).find((t) => t.time === '09:30')?.free).toBe(4);
    await expect(s.cancel(await context(id), who())).rejects.toMatchObject({ code: 'TB_SCHEDULING_NO_APPOINTMENT' });
    // Booking again after a cancellation is allowed: only live appointments are unique.
    expect((await s.book(await context(id), { hallId: HALL, day: '2026-12-09', time: '09:30' }, who(), 'book')).reference).not.toBe(booked.reference);
  });

  it('refuses times the hall does not offer, past times and missing choices', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const s = built.services.scheduling;
    const ctx = await context(id);
    for (const choice of [
      { hallId: HALL, day: '2026-12-13', time: '10:00' }, // Sunday
      { hallId: HALL, day: '2026-12-08', time: '12:30' }, // lunch break
      { hallId: HALL, day: '2026-12-08', time: '10:10' }, // not a slot start
      { hallId: HALL, day: '2026-12-07', time: '08:00' }, // before opening, and too soon
      { hallId: HALL, day: '2026-12-04', time: '10:00' }, // past
      { hallId: HALL, day: '2027-02-01', time: '10:00' }, // beyond 30 days
    ]) {
      await expect(s.book(ctx, choice, who(), 'book')).rejects.toMatchObject({ code: 'TB_SCHEDULING_SLOT_INVALID', status: 400 });
    }
    await expect(s.book(ctx, { hallId: 'nowhere', day: '2026-12-08', time: '10:00' }, who(), 'book')).rejects.toMatchObject({ code: 'TB_SCHEDULING_HALL_NOT_FOUND' });
    await expect(s.book(ctx, { day: '2026-12-08' }, who(), 'book')).rejects.toMatchObject({
      code: 'TB_SCHEDULING_CHOICE_REQUIRED', fields: [expect.objectContaining({ pointer: '/hall' }), expect.objectContaining({ pointer: '/time' })],
    });
    await expect(s.book(ctx, { hallId: HALL, day: '2026-12-08', time: '10:00' }, who(), 'move')).rejects.toMatchObject({ code: 'TB_SCHEDULING_NO_APPOINTMENT' });
  });

  it('shows the application to its applicant only', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const business = await accountPrincipal(built, demoPersona('business').accountId);
    await expect(built.services.scheduling.forPerson(id, business, 'en')).rejects.toMatchObject({ status: 404 });
  });

  it('never books more people into a slot than it holds, however many race for it', async () => {
    const s = built.services.scheduling;
    const ids: string[] = [];
    for (let i = 0; i < 10; i += 1) ids.push((await submitResidenceApplication(built, citizen)).id);
    const contexts = await Promise.all(ids.map((id) => context(id)));
    const choice = { hallId: HALL, day: '2026-12-10', time: '09:00' };
    const results = await Promise.allSettled(contexts.map((ctx) => s.book(ctx, choice, who(), 'book')));
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as { code: string; status: number }] : []));
    // Two counters handle the service at 09:00, two places each.
    expect(won).toHaveLength(4);
    expect(lost).toHaveLength(6);
    for (const error of lost) expect(error).toMatchObject({ code: 'TB_SCHEDULING_SLOT_FULL', status: 409 });
    expect((await s.times(await hall(), contexts[0]!, '2026-12-10')).find((t) => t.time === '09:00')).toBeUndefined();
    const counters = (await Promise.all(ids.map((id) => s.appointmentFor(id)))).flatMap((a) => (a ? [a.counterNumber] : []));
    expect(counters.sort()).toEqual([1, 1, 2, 2]);
  });

  it('keeps one live appointment per application when the same application races itself', async () => {
    const s = built.services.scheduling;
    const { id } = await submitResidenceApplication(built, citizen);
    const ctx = await context(id);
    const times = ['09:00', '09:30', '10:00', '10:30', '11:00', '11:30'];
    const results = await Promise.allSettled(times.map((time) => s.book(ctx, { hallId: HALL, day: '2026-12-11', time }, who(), 'book')));
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'TB_SCHEDULING_ALREADY_BOOKED', status: 409 });
    // The places the losers took were given back with their rolled-back transactions.
    const free = await s.times(await hall(), ctx, '2026-12-11');
    expect(free.filter((t) => times.includes(t.time)).reduce((sum, t) => sum + t.free, 0)).toBe(times.length * 4 - 1);
  });
});
