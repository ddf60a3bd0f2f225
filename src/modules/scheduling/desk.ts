import { normaliseIdNumber } from '../../forms/index.js';
import { purposeText } from '../../kernel/audit/index.js';
import { newId } from '../../kernel/ids.js';
import { hasRole, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError, type DenialReason } from '../../kernel/http/index.js';
import { SchedulingErrors } from './errors.js';
import { ticketLabel, toTicket, type Hall, type Ticket } from './model.js';
import { shanghaiDay, shanghaiInstant } from './slots.js';
import type { AppointmentRow, SchedulingStore, TicketRow } from './store.js';
import './messages.js';

/** Who may work a hall's desk: clerks, officers and supervisors of the agency that runs it. */
export const mayOperate = (principal: Principal | undefined, hall: Hall): boolean =>
  hasRole(principal, ['clerk', 'officer', 'supervisor'], hall.agencyCode);

export interface CheckInInput {
  readonly reference?: string | undefined;
  readonly idNumber?: string | undefined;
  readonly requestId?: string | undefined;
}

export interface CheckedIn {
  readonly ticket: Ticket;
  readonly appointment: AppointmentRow;
  /** Booked for a later day: served today as the hall allows early arrivals. */
  readonly early: boolean;
}

export interface Called {
  /** The number called, or with `already` the counter's current call; none when nobody is waiting (or called). */
  readonly ticket: Ticket | undefined;
  readonly counterNumber: number;
  /** The counter had called another number than the form's `after`: nothing was finished or called. */
  readonly already: boolean;
}

export interface DeskDeps {
  readonly kernel: Pick<Kernel, 'db' | 'now' | 'audit'>;
  readonly store: SchedulingStore;
  readonly identity: { accountByIdNumber(idNumber: string): Promise<{ readonly id: string } | undefined> };
}

const forbidden = () => new TongbanError('TB_KERNEL_FORBIDDEN');

/** The hall's desk: check-in with a queue ticket, calling the next number, and the public screen. */
export function createDesk({ kernel, store, identity }: DeskDeps) {
  const notFound = (denied?: DenialReason) => new TongbanError(SchedulingErrors.TB_SCHEDULING_CHECK_IN_NOT_FOUND, {
    fields: [{ pointer: '/reference', message: 'scheduling.error.checkInNotFound', detail: 'No appointment to check in was found at this hall' }],
    ...(denied ? { denied } : {}),
  });

  return {
    /**
     * Checks a person in by appointment reference or ID number and gives them the hall's next
     * ticket number of the day. The number comes from a per-day counter row incremented in this
     * transaction, so concurrent check-ins get consecutive numbers and a failed one leaves no gap.
     * Checking in again someone checked in here today answers with the number they were given.
     */
    async checkIn(clerk: Principal, hall: Hall, input: CheckInInput): Promise<CheckedIn> {
      if (!mayOperate(clerk, hall)) throw forbidden();
      // As the forms read an ID number: a clerk's input method in full-width mode (１１０１…), the
      // number typed in groups as printed, or a reference read out in groups is the same one.
      const reference = normaliseIdNumber(input.reference ?? '');
      const idNumber = normaliseIdNumber(input.idNumber ?? '');
      if (reference === '' && idNumber === '') {
        throw new TongbanError(SchedulingErrors.TB_SCHEDULING_CHECK_IN_REQUIRED, {
          fields: [{ pointer: '/reference', message: 'scheduling.error.checkInRequired', detail: 'Enter an appointment reference or an ID number' }],
        });
      }
      // A NUL byte matches no reference or ID number, and PostgreSQL refuses it in text: it gave a
      // 500 (found by the form fuzzing, issue 9).
      if (`${reference}${idNumber}`.includes('\u0000')) throw notFound();
      // Looked up before the transaction: PGlite runs one at a time, and identity is another module.
      const account = reference === '' ? await identity.accountByIdNumber(idNumber) : undefined;
      if (reference === '' && !account) throw notFound();
      const now = kernel.now();
      const day = shanghaiDay(now);
      const startOfDay = shanghaiInstant(day, '00:00');
      return kernel.db.transaction().execute(async (tx) => {
        // By ID number: a booked appointment first; with none, one checked in here today (a repeat).
        const appointment = reference !== ''
          ? await store.byReference(tx, reference, true)
          : (await store.bookedAt(tx, account?.id ?? '', hall.id, startOfDay))[0] ?? await store.checkedInAt(tx, account?.id ?? '', hall.id, startOfDay);
        // An appointment at a hall another agency runs: the same answer as an unknown reference,
        // logged as security.denied (issue 9). Another hall of the clerk's own agency is not hidden from them.
        if (appointment && appointment.hall_id !== hall.id && (await store.hall(tx, appointment.hall_id))?.agency_code !== hall.agencyCode) throw notFound('other-agency');
        if (appointment?.hall_id !== hall.id) throw notFound();
        if (appointment.status === 'checked_in') {
          // Checked in here today already (a double click, a resent form, two clerks at once): the
          // number it was given, not "no appointment", which hid it. Nothing changes, so no audit
          // record: the first check-in has one and showed the same number.
          const given = await store.ticketFor(tx, appointment.id);
          if (given?.hall_id !== hall.id || given.day !== day) throw notFound();
          return { ticket: toTicket(given), appointment, early: shanghaiDay(appointment.starts_at) > day };
        }
        if (appointment.status !== 'booked' || appointment.starts_at < startOfDay) throw notFound();
        const number = await store.nextTicketNumber(tx, hall.id, day);
        const row: TicketRow = {
          id: newId(), hall_id: hall.id, day, number, label: ticketLabel(hall.ticketPrefix, number), appointment_id: appointment.id,
          service_slug: appointment.service_slug, status: 'waiting', counter_id: null, issued_at: now, called_at: null, called_by: null,
        };
        await store.insertTicket(tx, row);
        await store.setStatus(tx, appointment.id, 'checked_in', now);
        await kernel.audit.append(tx, {
          actor: { kind: 'staff', id: clerk.accountId, organisation: hall.agencyCode }, action: 'scheduling.appointment.check_in', subject: appointment.account_id,
          purpose: purposeText('scheduling.purpose.checkIn'), resource: { type: 'appointment', id: appointment.id },
          ...(input.requestId ? { requestId: input.requestId } : {}), details: { hall: hall.id, ticket: row.label, by: reference !== '' ? 'reference' : 'id_number' },
        });
        return { ticket: toTicket(row), appointment: { ...appointment, status: 'checked_in' as const, checked_in_at: now }, early: shanghaiDay(appointment.starts_at) > day };
      });
    },

    /**
     * Calls the lowest waiting number this counter can serve, and marks the number it called
     * before as done. `after` is the number the clerk's page showed as called at this counter ('' for
     * none): when the counter's call is another by now (a double click, a resent form), nothing is
     * finished or called and the answer is the current call, so a repeated post never marks a
     * waiting person served unseen. The counter row is locked first, so calls at one counter run one
     * after the other and the second reads the first's call; calls at two counters never get the
     * same ticket (SKIP LOCKED).
     */
    async callNext(clerk: Principal, hall: Hall, counterId: string, after: string): Promise<Called> {
      if (!mayOperate(clerk, hall)) throw forbidden();
      const counter = hall.counters.find((c) => c.id === counterId);
      if (!counter) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_COUNTER_NOT_FOUND);
      const now = kernel.now();
      const day = shanghaiDay(now);
      return kernel.db.transaction().execute(async (tx) => {
        await store.lockCounter(tx, counter.id);
        const current = await store.calledAt(tx, counter.id, day);
        if ((current?.label ?? '') !== after.trim()) return { ticket: current ? toTicket(current) : undefined, counterNumber: counter.number, already: true };
        await store.finishCalled(tx, counter.id, day);
        const next = await store.nextWaiting(tx, hall.id, day, counter.services);
        if (!next) return { ticket: undefined, counterNumber: counter.number, already: false };
        await store.call(tx, next.id, { counterId: counter.id, clerk: clerk.accountId, at: now });
        return { ticket: toTicket({ ...next, status: 'called', counter_id: counter.id, called_at: now, called_by: clerk.accountId }), counterNumber: counter.number, already: false };
      });
    },

    /** Today's tickets of a hall, in number order. */
    async today(hall: Hall): Promise<Ticket[]> {
      return (await store.tickets(kernel.db, hall.id, shanghaiDay(kernel.now()))).map(toTicket);
    },
  };
}

export type Desk = ReturnType<typeof createDesk>;
