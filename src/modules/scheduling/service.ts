import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { ApplicationsService } from '../applications/service.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import type { MessagingService } from '../messaging/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { createBooking, type BookingSubject, type DayAvailability, type SlotChoice, type TimeAvailability, type Who } from './booking.js';
import { cancelAppointmentsOnClose } from './closing.js';
import { createDesk, mayOperate, type Called, type CheckedIn, type CheckInInput } from './desk.js';
import { SchedulingErrors } from './errors.js';
import { countersFor, toHall, toSummary, type AppointmentSummary, type Hall, type Ticket } from './model.js';
import { registerSchedulingPanels } from './panels.js';
import { registerReminders } from './reminders.js';
import { createSchedulingStore, type AppointmentRow, type AppointmentStatus } from './store.js';
import './messages.js';

export { SchedulingErrors } from './errors.js';
export { BOOKING_DAYS, LEAD_MS, type BookingSubject, type DayAvailability, type SlotChoice, type TimeAvailability } from './booking.js';
export { mayOperate, type Called, type CheckedIn, type CheckInInput } from './desk.js';
export { REMINDER_QUEUE, REMINDER_EVERY_MS } from './reminders.js';
export type { AppointmentSummary, Counter, Hall, Ticket } from './model.js';
export type { AppointmentStatus } from './store.js';

export interface SchedulingDeps {
  readonly applications: Pick<ApplicationsService, 'viewForApplicant' | 'summaryForStaff' | 'addPanel'>;
  readonly catalog: Pick<CatalogService, 'getServiceVersion' | 'getCurrentService'>;
  readonly identity: Pick<IdentityService, 'accountByIdNumber'>;
  readonly messaging: Pick<MessagingService, 'notify'>;
  /** Whether a case is closed, and a listener to cancel its appointment when it closes. */
  readonly workflow: Pick<WorkflowService, 'getCase' | 'onTransition'>;
}

/** What a booking page needs: the application, its service and whether an appointment exists. */
export interface BookingContext {
  readonly subject: BookingSubject;
  readonly serviceName: { 'zh-CN': string; en: string };
  readonly current: AppointmentSummary | undefined;
}

export type SchedulingService = ReturnType<typeof createSchedulingService>;

/** The most appointments one list answer holds; a filter matching more is refused, not cut. */
export const APPOINTMENT_LIST_MAX = 100;

/**
 * Appointments at service halls for the in-person step of an application, the halls' queue
 * tickets and screens. See docs/adr/0022-scheduling.md.
 */
export function createSchedulingService(kernel: Kernel, deps: SchedulingDeps) {
  const store = createSchedulingStore();

  const halls = async (): Promise<Hall[]> => {
    const [rows, counters] = await Promise.all([store.listHalls(kernel.db), store.counters(kernel.db)]);
    return rows.map((r) => toHall(r, counters));
  };
  const hall = async (id: string): Promise<Hall | undefined> => {
    const row = await store.hall(kernel.db, id);
    return row ? toHall(row, await store.counters(kernel.db, id)) : undefined;
  };

  const booking = createBooking({ kernel, store, hall });
  const desk = createDesk({ kernel, store, identity: deps.identity });
  const reminders = registerReminders({
    kernel, store, messaging: deps.messaging, hall,
    serviceName: async (slug) => (await deps.catalog.getCurrentService(slug, { includeUnlisted: true }))?.definition.name,
    caseFinal: async (applicationId) => (await deps.workflow.getCase(applicationId)).final,
  });
  cancelAppointmentsOnClose({ kernel, store, workflow: deps.workflow });

  const summary = async (row: AppointmentRow | undefined): Promise<AppointmentSummary | undefined> => {
    if (!row) return undefined;
    const where = await hall(row.hall_id);
    return where ? toSummary(row, where, await store.ticketFor(kernel.db, row.id)) : undefined;
  };

  /** The application as the person who made it sees it; 404 for anyone else; 409 without an in-person step. */
  async function forPerson(applicationId: string, person: Principal, locale: Locale): Promise<BookingContext> {
    const view = await deps.applications.viewForApplicant(applicationId, person, locale);
    const version = await deps.catalog.getServiceVersion(view.application.serviceId, view.application.serviceVersion);
    if (!version?.definition.inPerson.required || view.case.final) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_NOT_BOOKABLE);
    const subject: BookingSubject = {
      applicationId: view.application.id, applicationReference: view.application.reference ?? undefined,
      serviceSlug: version.slug, agencyCode: view.application.agencyCode, accountId: person.accountId,
    };
    return { subject, serviceName: version.definition.name, current: await summary(await store.liveFor(kernel.db, applicationId)) };
  }

  /**
   * The application's facts for an agency's system (its agency only). Not an `application.view`:
   * the system sees none of the application, and the booking, move or cancellation audits itself.
   */
  async function forSystem(applicationId: string, system: Principal): Promise<BookingContext> {
    const application = await deps.applications.summaryForStaff(applicationId, system);
    const version = await deps.catalog.getServiceVersion(application.serviceId, application.serviceVersion);
    if (!version?.definition.inPerson.required || !application.applicantAccountId) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_NOT_BOOKABLE);
    // A closed case books, moves and cancels nothing, as for the person (closing.ts cancelled its appointment).
    if ((await deps.workflow.getCase(application.id)).final) throw new TongbanError(SchedulingErrors.TB_SCHEDULING_NOT_BOOKABLE, { detail: 'The case of this application is closed' });
    const subject: BookingSubject = {
      applicationId: application.id, applicationReference: application.reference ?? undefined,
      serviceSlug: version.slug, agencyCode: application.agencyCode, accountId: application.applicantAccountId,
    };
    return { subject, serviceName: version.definition.name, current: await summary(await store.liveFor(kernel.db, applicationId)) };
  }

  const self = {
    halls,
    hall,
    /** The hall or TB_SCHEDULING_HALL_NOT_FOUND. */
    requireHall: (id: string) => booking.requireHall(id),
    /** Halls with at least one counter for the service. */
    async hallsFor(serviceSlug: string): Promise<Hall[]> {
      return (await halls()).filter((h) => countersFor(h, serviceSlug).length > 0);
    },

    /** The contract: the application's live (booked or checked-in) appointment, if any. */
    async appointmentFor(applicationId: string): Promise<AppointmentSummary | undefined> {
      return summary(await store.liveFor(kernel.db, applicationId));
    },
    async appointmentByReference(reference: string): Promise<AppointmentSummary | undefined> {
      return summary(await store.byReference(kernel.db, reference.trim().toUpperCase()));
    },

    forPerson,
    forSystem,
    days: (where: Hall, context: BookingContext): Promise<DayAvailability[]> => booking.days(where, context.subject.serviceSlug),
    times: (where: Hall, context: BookingContext, day: string): Promise<TimeAvailability[]> => booking.times(where, context.subject.serviceSlug, day),
    freeByCounter: (where: Hall, from: Date, to: Date) => booking.freeByCounter(where, from, to),
    /** Checks a choice without booking (the confirm page). */
    checkChoice: (context: BookingContext, choice: SlotChoice) => booking.resolveChoice(context.subject, choice),

    /** Books or, when one exists, moves the appointment: see booking.ts for the concurrency rules. */
    async book(context: BookingContext, choice: SlotChoice, who: Who, mode: 'book' | 'move'): Promise<AppointmentSummary> {
      const row = await booking.place(context.subject, choice, who, mode);
      return (await summary(row))!;
    },
    async cancel(context: BookingContext, who: Who): Promise<AppointmentSummary> {
      return (await summary(await booking.cancel(context.subject, who)))!;
    },

    /**
     * Appointments of the given agencies' applications (GovStack list_details), soonest first.
     * Never cut short: when more than `max` match, TB_SCHEDULING_LIST_TOO_LONG (the spec has no paging).
     */
    async listAppointments(
      filter: { agencies: readonly string[]; applicationId?: string; reference?: string; hallId?: string; status?: AppointmentStatus; from?: Date; to?: Date },
      max = APPOINTMENT_LIST_MAX,
    ): Promise<AppointmentSummary[]> {
      const rows = await store.list(kernel.db, filter, max + 1);
      if (rows.length > max) {
        throw new TongbanError(SchedulingErrors.TB_SCHEDULING_LIST_TOO_LONG, {
          detail: `More than ${max} appointments match; narrow the filter (from and to, participant_entity_id, status) to ${max} or fewer`,
        });
      }
      return (await Promise.all(rows.map((r) => summary(r)))).filter((s): s is AppointmentSummary => s !== undefined);
    },

    mayOperate,
    checkIn: (clerk: Principal, where: Hall, input: CheckInInput): Promise<CheckedIn> => desk.checkIn(clerk, where, input),
    callNext: (clerk: Principal, where: Hall, counterId: string, after: string): Promise<Called> => desk.callNext(clerk, where, counterId, after),
    ticketsToday: (where: Hall): Promise<Ticket[]> => desk.today(where),

    /** Runs the reminder sweep now (the periodic job calls the same); returns how many were queued. */
    sendReminders: reminders.sendDue,

    /** Demo data and tests: adds a hall and its counters; running it again changes nothing. */
    async addHall(input: Omit<Hall, 'counters'> & { counters: readonly Omit<Hall['counters'][number], 'hallId'>[] }): Promise<void> {
      await kernel.db.transaction().execute(async (tx) => {
        await store.upsertHall(tx, {
          id: input.id, name: input.name, address: input.address, agency_code: input.agencyCode, ticket_prefix: input.ticketPrefix,
          slot_minutes: input.slotMinutes, hours: input.hours, closed_days: [...input.closedDays], phone: input.phone ?? null, created_at: kernel.now(),
        });
        for (const c of input.counters) await store.upsertCounter(tx, { id: c.id, hall_id: input.id, number: c.number, name: c.name, services: [...c.services], capacity: c.capacity });
      });
    },
  };
  registerSchedulingPanels(deps.applications, self);
  return self;
}
