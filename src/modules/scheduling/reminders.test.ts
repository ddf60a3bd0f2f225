import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { registerReminders } from './reminders.js';
import { createSchedulingStore } from './store.js';
import { accountPrincipal, HALL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const CITIZEN = demoPersona('citizen');

describeEachDatabase('Scheduling: reminders the day before', migrationSources, (use) => {
  const clock = testClock('2026-12-07T08:00:00+08:00');
  let built: Built;
  let citizen: Principal;
  const reminders = async () => (await built.services.messaging.listForAccount(CITIZEN.accountId)).items.filter((m) => m.template === 'appointmentReminder');

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
  });
  afterAll(async () => { await built?.app.close(); });

  it('reminds once, by the durable job, from 09:00 on the day before; again after a change of day', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const s = built.services.scheduling;
    const who = { actor: { kind: 'person' as const, id: citizen.accountId }, locale: 'zh-CN' as const };
    const booked = await s.book(await s.forPerson(id, citizen, 'zh-CN'), { hallId: HALL, day: '2026-12-08', time: '10:00' }, who, 'book');

    await built.kernel.jobs.drain();
    expect(await reminders()).toHaveLength(0); // 08:00: too early in the day

    clock.set('2026-12-07T09:05:00+08:00');
    await built.kernel.jobs.drain();
    const sent = await reminders();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ locale: 'zh-CN', subject: `预约提醒：明天现场办理（${booked.reference}）` });
    expect(sent[0]?.body).toContain('2026年12月8日 10:00');
    expect(sent[0]?.body).toContain('东城区政务服务中心');
    expect(sent[0]?.body).toContain('居住证申领');

    clock.set('2026-12-07T09:35:00+08:00');
    await built.kernel.jobs.drain();
    expect(await s.sendReminders()).toBe(0);
    expect(await reminders()).toHaveLength(1);

    // Moved to Wednesday: reminded again on Tuesday, not before.
    await s.book(await s.forPerson(id, citizen, 'en'), { hallId: HALL, day: '2026-12-09', time: '09:00' }, { ...who, locale: 'en' }, 'move');
    expect(await s.sendReminders()).toBe(0);
    clock.set('2026-12-08T09:00:00+08:00');
    expect(await s.sendReminders()).toBe(1);
    const again = await reminders();
    expect(again).toHaveLength(2);
    expect(again.find((m) => m.locale === 'en')?.body).toContain('on 9 December 2026 at 09:00');
  });

  it('sends no reminder with the old time of an appointment moved while the sweep runs, and reminds it for its new time', async () => {
    clock.set('2026-12-09T08:00:00+08:00');
    const { id } = await submitResidenceApplication(built, citizen);
    const s = built.services.scheduling;
    const who = { actor: { kind: 'person' as const, id: citizen.accountId }, locale: 'en' as const };
    await s.book(await s.forPerson(id, citizen, 'en'), { hallId: HALL, day: '2026-12-10', time: '10:00' }, who, 'book');
    clock.set('2026-12-09T10:00:00+08:00');
    const before = (await reminders()).length;
    // The sweep as the service builds it, but the person moves the appointment while the sweep
    // looks up whether the case is closed, after it read the appointment and before it marks it.
    let moved = false;
    const jobs = { register: () => undefined, every: () => undefined } as unknown as Kernel['jobs'];
    const sweep = registerReminders({
      kernel: { db: built.kernel.db, now: clock.now, log: built.kernel.log, audit: built.kernel.audit, jobs },
      store: createSchedulingStore(), messaging: built.services.messaging, hall: (hallId) => s.requireHall(hallId),
      serviceName: async () => Promise.resolve({ 'zh-CN': '居住证申领', en: 'Residence permit' }),
      caseFinal: async (applicationId) => {
        if (applicationId === id && !moved) {
          moved = true;
          await s.book(await s.forPerson(id, citizen, 'en'), { hallId: HALL, day: '2026-12-10', time: '15:00' }, who, 'move');
        }
        return false;
      },
    });
    expect(await sweep.sendDue()).toBe(0);
    expect(moved).toBe(true);
    expect((await reminders()).length).toBe(before);
    // The next run reminds it, for the time it has now.
    expect(await s.sendReminders()).toBe(1);
    const sent = (await reminders()).filter((m) => m.body.includes('10 December 2026'));
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body).toContain('on 10 December 2026 at 15:00');
    expect(sent[0]?.body).not.toContain('at 10:00');
  });

  it('does not remind about a cancelled appointment', async () => {
    clock.set('2026-12-08T08:00:00+08:00');
    const { id } = await submitResidenceApplication(built, citizen);
    const s = built.services.scheduling;
    const who = { actor: { kind: 'person' as const, id: citizen.accountId }, locale: 'en' as const };
    await s.book(await s.forPerson(id, citizen, 'en'), { hallId: HALL, day: '2026-12-10', time: '14:00' }, who, 'book');
    await s.cancel(await s.forPerson(id, citizen, 'en'), who);
    clock.set('2026-12-09T10:00:00+08:00');
    expect(await s.sendReminders()).toBe(0);
  });

  it('reminds only between 09:00 and 21:00: none late in the evening, none on the morning of the appointment', async () => {
    const s = built.services.scheduling;
    const who = { actor: { kind: 'person' as const, id: citizen.accountId }, locale: 'en' as const };
    const bookFriday = async (time: string) => {
      const { id } = await submitResidenceApplication(built, citizen);
      return s.book(await s.forPerson(id, citizen, 'en'), { hallId: HALL, day: '2026-12-11', time }, who, 'book');
    };
    const about = async (reference: string) => (await reminders()).filter((m) => m.subject.includes(reference));
    clock.set('2026-12-10T20:45:00+08:00');
    const evening = await bookFriday('14:00');
    expect(await s.sendReminders()).toBe(1); // still in the day's hours
    expect(await about(evening.reference)).toHaveLength(1);

    clock.set('2026-12-10T21:00:00+08:00');
    const atNine = await bookFriday('10:00');
    expect(await s.sendReminders()).toBe(0);
    clock.set('2026-12-10T23:40:00+08:00');
    const late = await bookFriday('11:00');
    clock.set('2026-12-10T23:45:00+08:00');
    await built.kernel.jobs.drain();
    expect(await s.sendReminders()).toBe(0); // it went out at 23:45
    // The next morning is the appointment's day: no reminder then either (the message says "tomorrow").
    clock.set('2026-12-11T09:00:00+08:00');
    await built.kernel.jobs.drain();
    expect(await s.sendReminders()).toBe(0);
    expect(await about(atNine.reference)).toHaveLength(0);
    expect(await about(late.reference)).toHaveLength(0);
  });
});
