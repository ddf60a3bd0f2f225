import type { AppointmentRow, AppointmentStatus, CounterRow, HallRow, Hours, LocalizedText, TicketRow, TicketStatus } from './store.js';

export type { AppointmentStatus, Hours, LocalizedText, TicketStatus } from './store.js';

export interface Counter {
  readonly id: string;
  readonly hallId: string;
  readonly number: number;
  readonly name: LocalizedText;
  /** Slugs of the services handled here. */
  readonly services: readonly string[];
  /** People one slot can take. */
  readonly capacity: number;
}

export interface Hall {
  readonly id: string;
  readonly name: LocalizedText;
  readonly address: LocalizedText;
  readonly agencyCode: string;
  readonly ticketPrefix: string;
  readonly slotMinutes: number;
  readonly hours: Hours;
  readonly closedDays: readonly string[];
  readonly phone: string | undefined;
  readonly counters: readonly Counter[];
}

export interface Ticket {
  readonly id: string;
  readonly hallId: string;
  readonly day: string;
  readonly number: number;
  /** What the screen shows, e.g. `A001`. */
  readonly label: string;
  readonly serviceSlug: string;
  readonly status: TicketStatus;
  readonly counterId: string | undefined;
  readonly issuedAt: Date;
  readonly calledAt: Date | undefined;
  readonly appointmentId: string | undefined;
}

/** An appointment as other modules and pages see it (the `scheduling` contract's AppointmentSummary). */
export interface AppointmentSummary {
  readonly id: string;
  /** Given to the person; a clerk checks them in with it. */
  readonly reference: string;
  readonly applicationId: string;
  readonly applicationReference: string | undefined;
  /** The applicant's account: the audit subject of any read of this appointment. */
  readonly accountId: string;
  readonly serviceSlug: string;
  readonly status: AppointmentStatus;
  readonly hallId: string;
  readonly hallName: LocalizedText;
  readonly hallAddress: LocalizedText;
  readonly counterNumber: number;
  readonly startsAt: Date;
  readonly endsAt: Date;
  readonly ticket: Ticket | undefined;
}

export const toCounter = (r: CounterRow): Counter => ({ id: r.id, hallId: r.hall_id, number: r.number, name: r.name, services: r.services, capacity: r.capacity });

export const toHall = (r: HallRow, counters: readonly CounterRow[]): Hall => ({
  id: r.id, name: r.name, address: r.address, agencyCode: r.agency_code, ticketPrefix: r.ticket_prefix, slotMinutes: r.slot_minutes,
  hours: r.hours, closedDays: r.closed_days, phone: r.phone ?? undefined,
  counters: counters.filter((c) => c.hall_id === r.id).map(toCounter),
});

export const toTicket = (r: TicketRow): Ticket => ({
  id: r.id, hallId: r.hall_id, day: r.day, number: r.number, label: r.label, serviceSlug: r.service_slug, status: r.status,
  counterId: r.counter_id ?? undefined, issuedAt: r.issued_at, calledAt: r.called_at ?? undefined, appointmentId: r.appointment_id ?? undefined,
});

export function toSummary(r: AppointmentRow, hall: Hall, ticket: TicketRow | undefined): AppointmentSummary {
  return {
    id: r.id, reference: r.reference, applicationId: r.application_id, applicationReference: r.application_reference ?? undefined, accountId: r.account_id,
    serviceSlug: r.service_slug, status: r.status, hallId: r.hall_id, hallName: hall.name, hallAddress: hall.address,
    counterNumber: hall.counters.find((c) => c.id === r.counter_id)?.number ?? 0,
    startsAt: r.starts_at, endsAt: r.ends_at, ticket: ticket ? toTicket(ticket) : undefined,
  };
}

/** Counters of a hall that handle a service. */
export const countersFor = (hall: Hall, serviceSlug: string): Counter[] => hall.counters.filter((c) => c.services.includes(serviceSlug));

/** Ticket label: the hall's letter and a three-digit number (A001 … A999, then A1000). */
export const ticketLabel = (prefix: string, number: number): string => `${prefix}${String(number).padStart(3, '0')}`;
