import { purposeText } from '../../kernel/audit/index.js';
import { randomInt } from 'node:crypto';
import { newId } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type FieldProblem } from '../../kernel/http/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import { SchedulingErrors } from './errors.js';
import { countersFor, type Hall } from './model.js';
import { addDays, isDay, isTime, shanghaiDay, shanghaiInstant, shanghaiTime, slotTimes } from './slots.js';
import type { AppointmentRow, Executor, SchedulingStore } from './store.js';
import './messages.js';

/** How far ahead a person can book, in calendar days from today. */
export const BOOKING_DAYS = 30;
/** A slot can be booked until this long before it starts. */
export const LEAD_MS = 30 * 60_000;

/** The application an appointment is for, as the applications module and the catalog describe it. */
export interface BookingSubject {
  readonly applicationId: string;
  readonly applicationReference: string | undefined;
  readonly serviceSlug: string;
  readonly agencyCode: string;
  /** The applicant's account: whose appointment it is, and the audit subject. */
  readonly accountId: string;
}

export interface SlotChoice {
  readonly hallId?: string | undefined;
  readonly day?: string | undefined;
  readonly time?: string | undefined;
}

export interface DayAvailability { readonly day: string; readonly free: number }
export interface TimeAvailability { readonly time: string; readonly startsAt: Date; readonly free: number }

export interface Who {
  readonly actor: Actor; readonly requestId?: string | undefined; readonly locale: Locale;
  /** The caller's Idempotency-Key, recorded in the booking's transaction (ADR 31). */
  readonly idempotency?: IdempotencyClaim | undefined;
}

const REFERENCE_ALPHABET = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
/** Short enough to read out at a counter, with no 0/O or 1/I to confuse. */
export function newAppointmentReference(): string {
  let out = 'AP';
  for (let i = 0; i < 8; i += 1) out += REFERENCE_ALPHABET[randomInt(REFERENCE_ALPHABET.length)];
  return out;
}

const isUniqueViolation = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';

export interface BookingDeps {
  readonly kernel: Pick<Kernel, 'db' | 'now' | 'audit'>;
  readonly store: SchedulingStore;
  readonly hall: (id: string) => Promise<Hall | undefined>;
}

/** Free places, booking and changing: the part of the module where double booking must not happen. */
export function createBooking({ kernel, store, hall: loadHall }: BookingDeps) {
  const today = () => shanghaiDay(kernel.now());
  const bookable = (startsAt: Date) => startsAt.getTime() > kernel.now().getTime() + LEAD_MS;

  /** Free places per slot time of the days from `from` to `to` (inclusive), for one service. */
  async function free(hall: Hall, serviceSlug: string, from: string, to: string): Promise<Map<string, TimeAvailability[]>> {
    const counters = countersFor(hall, serviceSlug);
    const rows = await store.booked(kernel.db, counters.map((c) => c.id), shanghaiInstant(from, '00:00'), shanghaiInstant(addDays(to, 1), '00:00'));
    const taken = new Map(rows.map((r) => [`${r.counter_id}@${r.starts_at.getTime()}`, r.booked]));
    const result = new Map<string, TimeAvailability[]>();
    for (let day = from; day <= to; day = addDays(day, 1)) {
      const times = slotTimes(hall, day).flatMap((time) => {
        const startsAt = shanghaiInstant(day, time);
        if (!bookable(startsAt)) return [];
        const places = counters.reduce((sum, c) => sum + Math.max(0, c.capacity - (taken.get(`${c.id}@${startsAt.getTime()}`) ?? 0)), 0);
        return [{ time, startsAt, free: places }];
      });
      result.set(day, times);
    }
    return result;
  }

  const requireHall = async (id: string | undefined): Promise<Hall> => {
    const hall = id ? await loadHall(id) : undefined;
    if (!hall) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_HALL_NOT_FOUND);
    return hall;
  };

  /** Checks a posted choice; throws TB_SCHEDULING_CHOICE_REQUIRED with a pointer per missing part. */
  async function resolveChoice(subject: BookingSubject, choice: SlotChoice): Promise<{ hall: Hall; startsAt: Date; endsAt: Date }> {
    const missing: FieldProblem[] = [];
    if (!choice.hallId) missing.push({ pointer: '/hall', message: 'scheduling.choose.hallRequired', detail: 'Choose a service hall' });
    if (!choice.day) missing.push({ pointer: '/day', message: 'scheduling.choose.dayRequired', detail: 'Choose a day' });
    if (!choice.time) missing.push({ pointer: '/time', message: 'scheduling.choose.timeRequired', detail: 'Choose a time' });
    if (missing.length > 0) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_CHOICE_REQUIRED, { fields: missing });
    const hall = await requireHall(choice.hallId);
    const day = choice.day ?? '';
    const time = choice.time ?? '';
    const offered = isDay(day) && isTime(time) && day <= addDays(today(), BOOKING_DAYS) && slotTimes(hall, day).includes(time)
      && countersFor(hall, subject.serviceSlug).length > 0;
    const startsAt = offered ? shanghaiInstant(day, time) : undefined;
    if (!startsAt || !bookable(startsAt)) {
      throw new TongbanError(SchedulingErrors.TB_SCHEDULING_SLOT_INVALID, { fields: [{ pointer: '/time', message: 'scheduling.error.slotInvalid', detail: `${hall.id} offers no ${subject.serviceSlug} appointment at ${day} ${time}` }] });
    }
    return { hall, startsAt, endsAt: new Date(startsAt.getTime() + hall.slotMinutes * 60_000) };
  }

  /** A place at the first counter of the hall that handles the service and still has one. */
  async function takePlace(tx: Executor, hall: Hall, serviceSlug: string, startsAt: Date): Promise<string> {
    for (const counter of countersFor(hall, serviceSlug)) {
      if (await store.take(tx, counter, startsAt)) return counter.id;
    }
    throw new TongbanError(SchedulingErrors.TB_SCHEDULING_SLOT_FULL, {
      detail: `Every place at ${shanghaiTime(startsAt)} on ${shanghaiDay(startsAt)} is taken; choose another time`,
      fields: [{ pointer: '/time', message: 'scheduling.error.slotFull', detail: 'This time is fully booked' }],
    });
  }

  const audit = (tx: Executor, who: Who, action: string, row: Pick<AppointmentRow, 'id' | 'account_id' | 'reference' | 'application_id' | 'hall_id' | 'starts_at'>) =>
    kernel.audit.append(tx, {
      actor: who.actor, action, subject: row.account_id, purpose: purposeText('scheduling.purpose.booking'),
      resource: { type: 'appointment', id: row.id }, ...(who.requestId ? { requestId: who.requestId } : {}),
      details: { reference: row.reference, application: row.application_id, hall: row.hall_id, startsAt: row.starts_at.toISOString() },
    });

  /**
   * Books (`mode` book) or moves (`mode` move) the application's appointment, in one transaction.
   * Concurrent requests for the last place: exactly the slot's capacity succeed, the others get
   * TB_SCHEDULING_SLOT_FULL; two bookings for one application: one wins, the other gets
   * TB_SCHEDULING_ALREADY_BOOKED (the partial unique index decides when both got past the check).
   */
  async function place(subject: BookingSubject, choice: SlotChoice, who: Who, mode: 'book' | 'move'): Promise<AppointmentRow> {
    const { hall, startsAt, endsAt } = await resolveChoice(subject, choice);
    const at = kernel.now();
    try {
      return await kernel.db.transaction().execute(async (tx) => withIdempotency(tx, who.idempotency, async () => {
        const existing = await store.liveFor(tx, subject.applicationId, true);
        if (mode === 'book' && existing) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_ALREADY_BOOKED);
        if (mode === 'move' && existing?.status !== 'booked') throw new TongbanError(SchedulingErrors.TB_SCHEDULING_NO_APPOINTMENT);
        if (existing && existing.hall_id === hall.id && existing.starts_at.getTime() === startsAt.getTime()) return existing;
        const counterId = await takePlace(tx, hall, subject.serviceSlug, startsAt);
        let row: AppointmentRow;
        if (existing) {
          await store.release(tx, existing.counter_id, existing.starts_at);
          await store.move(tx, existing.id, { counterId, hallId: hall.id, startsAt, endsAt, at, locale: who.locale });
          row = { ...existing, counter_id: counterId, hall_id: hall.id, starts_at: startsAt, ends_at: endsAt, updated_at: at, reminded_at: null, locale: who.locale };
        } else {
          row = {
            id: newId(), reference: newAppointmentReference(), application_id: subject.applicationId, application_reference: subject.applicationReference ?? null,
            service_slug: subject.serviceSlug, agency_code: subject.agencyCode, account_id: subject.accountId, hall_id: hall.id, counter_id: counterId,
            starts_at: startsAt, ends_at: endsAt, status: 'booked', locale: who.locale, reminded_at: null, created_at: at, updated_at: at, cancelled_at: null, checked_in_at: null,
          };
          await store.insertAppointment(tx, row);
        }
        await audit(tx, who, mode === 'book' ? 'scheduling.appointment.book' : 'scheduling.appointment.reschedule', row);
        return row;
      }));
    } catch (error) {
      if (isUniqueViolation(error)) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_ALREADY_BOOKED, { cause: error });
      throw error;
    }
  }

  return {
    requireHall,
    resolveChoice,
    place,

    async days(hall: Hall, serviceSlug: string): Promise<DayAvailability[]> {
      const from = today();
      const byDay = await free(hall, serviceSlug, from, addDays(from, BOOKING_DAYS));
      return [...byDay].map(([day, times]) => ({ day, free: times.reduce((sum, t) => sum + t.free, 0) })).filter((d) => d.free > 0);
    },

    async times(hall: Hall, serviceSlug: string, day: string): Promise<TimeAvailability[]> {
      if (!isDay(day) || day < today() || day > addDays(today(), BOOKING_DAYS)) return [];
      return ((await free(hall, serviceSlug, day, day)).get(day) ?? []).filter((t) => t.free > 0);
    },

    /** Free places per counter in a time range: the GovStack availability answer. */
    async freeByCounter(hall: Hall, from: Date, to: Date): Promise<{ counterId: string; slots: { startsAt: Date; endsAt: Date }[] }[]> {
      const first = shanghaiDay(from) < today() ? today() : shanghaiDay(from);
      const last = shanghaiDay(to) > addDays(today(), BOOKING_DAYS) ? addDays(today(), BOOKING_DAYS) : shanghaiDay(to);
      const rows = first > last ? [] : await store.booked(kernel.db, hall.counters.map((c) => c.id), shanghaiInstant(first, '00:00'), shanghaiInstant(addDays(last, 1), '00:00'));
      const taken = new Map(rows.map((r) => [`${r.counter_id}@${r.starts_at.getTime()}`, r.booked]));
      return hall.counters.map((counter) => {
        const slots: { startsAt: Date; endsAt: Date }[] = [];
        for (let day = first; day <= last; day = addDays(day, 1)) {
          for (const time of slotTimes(hall, day)) {
            const startsAt = shanghaiInstant(day, time);
            if (!bookable(startsAt) || startsAt < from || startsAt >= to) continue;
            if ((taken.get(`${counter.id}@${startsAt.getTime()}`) ?? 0) < counter.capacity) slots.push({ startsAt, endsAt: new Date(startsAt.getTime() + hall.slotMinutes * 60_000) });
          }
        }
        return { counterId: counter.id, slots };
      });
    },

    /** Cancels the application's booked appointment and gives its place back. */
    async cancel(subject: BookingSubject, who: Who): Promise<AppointmentRow> {
      return kernel.db.transaction().execute(async (tx) => withIdempotency(tx, who.idempotency, async () => {
        const existing = await store.liveFor(tx, subject.applicationId, true);
        if (existing?.status !== 'booked') throw new TongbanError(SchedulingErrors.TB_SCHEDULING_NO_APPOINTMENT);
        await store.release(tx, existing.counter_id, existing.starts_at);
        await store.setStatus(tx, existing.id, 'cancelled', kernel.now());
        await audit(tx, who, 'scheduling.appointment.cancel', existing);
        return { ...existing, status: 'cancelled' as const, cancelled_at: kernel.now() };
      }));
    },
  };
}

export type Booking = ReturnType<typeof createBooking>;
