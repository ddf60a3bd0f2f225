import { sql, type Kysely, type Selectable } from 'kysely';

export type AppointmentStatus = 'booked' | 'cancelled' | 'checked_in';
export type TicketStatus = 'waiting' | 'called' | 'done';
export interface LocalizedText { readonly 'zh-CN': string; readonly en: string }
/** Opening periods by ISO weekday ("1" Monday … "7" Sunday), `HH:MM` in Shanghai time. */
export type Hours = Readonly<Record<string, readonly (readonly [string, string])[]>>;

export type SchedulingTables = {
  scheduling_halls: {
    id: string; name: LocalizedText; address: LocalizedText; agency_code: string; ticket_prefix: string; slot_minutes: number;
    hours: Hours; closed_days: string[]; phone: string | null; created_at: Date;
  };
  scheduling_counters: { id: string; hall_id: string; number: number; name: LocalizedText; services: string[]; capacity: number };
  scheduling_slots: { counter_id: string; starts_at: Date; capacity: number; booked: number };
  scheduling_appointments: {
    id: string; reference: string; application_id: string; application_reference: string | null; service_slug: string; agency_code: string;
    account_id: string; hall_id: string; counter_id: string; starts_at: Date; ends_at: Date; status: AppointmentStatus; locale: string;
    reminded_at: Date | null; created_at: Date; updated_at: Date; cancelled_at: Date | null; checked_in_at: Date | null;
  };
  scheduling_ticket_days: { hall_id: string; day: string; last_number: number };
  scheduling_tickets: {
    id: string; hall_id: string; day: string; number: number; label: string; appointment_id: string | null; service_slug: string;
    status: TicketStatus; counter_id: string | null; issued_at: Date; called_at: Date | null; called_by: string | null;
  };
};

export type HallRow = Selectable<SchedulingTables['scheduling_halls']>;
export type CounterRow = Selectable<SchedulingTables['scheduling_counters']>;
export type AppointmentRow = Selectable<SchedulingTables['scheduling_appointments']>;
export type TicketRow = Selectable<SchedulingTables['scheduling_tickets']>;

/** The caller's transaction, or the database. */
export type Executor = Kysely<object>;

const q = (executor: Executor): Kysely<SchedulingTables> => executor.withTables<SchedulingTables>();
// jsonb is written as a JSON string cast in SQL: one path for pg and PGlite.
const jsonb = (value: unknown) => sql<never>`cast(${JSON.stringify(value)} as jsonb)`;

const LIVE: AppointmentStatus[] = ['booked', 'checked_in'];

/** Every query on the scheduling tables. */
export function createSchedulingStore() {
  return {
    async upsertHall(executor: Executor, hall: HallRow): Promise<void> {
      await q(executor).insertInto('scheduling_halls')
        .values({ ...hall, name: jsonb(hall.name), address: jsonb(hall.address), hours: jsonb(hall.hours), closed_days: jsonb(hall.closed_days) })
        .onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    async upsertCounter(executor: Executor, counter: CounterRow): Promise<void> {
      await q(executor).insertInto('scheduling_counters').values({ ...counter, name: jsonb(counter.name), services: jsonb(counter.services) })
        .onConflict((oc) => oc.column('id').doNothing()).execute();
    },
    listHalls: (executor: Executor): Promise<HallRow[]> => q(executor).selectFrom('scheduling_halls').selectAll().orderBy('id').execute(),
    hall: (executor: Executor, id: string): Promise<HallRow | undefined> => q(executor).selectFrom('scheduling_halls').selectAll().where('id', '=', id).executeTakeFirst(),
    counters: (executor: Executor, hallId?: string): Promise<CounterRow[]> => {
      let query = q(executor).selectFrom('scheduling_counters').selectAll();
      if (hallId !== undefined) query = query.where('hall_id', '=', hallId);
      return query.orderBy('hall_id').orderBy('number').execute();
    },

    /** Bookings per counter and start in a time range (slots never booked have no row). */
    booked: (executor: Executor, counterIds: readonly string[], from: Date, to: Date) =>
      counterIds.length === 0 ? Promise.resolve([]) : q(executor).selectFrom('scheduling_slots').select(['counter_id', 'starts_at', 'booked'])
        .where('counter_id', 'in', [...counterIds]).where('starts_at', '>=', from).where('starts_at', '<', to).execute(),

    /**
     * Takes one place in a slot, or returns false when it is full. The update row-locks the slot;
     * a concurrent booking waits, then re-checks `booked < capacity` against the committed count.
     */
    async take(executor: Executor, counter: Pick<CounterRow, 'id' | 'capacity'>, startsAt: Date): Promise<boolean> {
      await q(executor).insertInto('scheduling_slots').values({ counter_id: counter.id, starts_at: startsAt, capacity: counter.capacity, booked: 0 })
        .onConflict((oc) => oc.columns(['counter_id', 'starts_at']).doNothing()).execute();
      const taken = await q(executor).updateTable('scheduling_slots').set((eb) => ({ booked: eb('booked', '+', 1) }))
        .where('counter_id', '=', counter.id).where('starts_at', '=', startsAt).whereRef('booked', '<', 'capacity').returning('booked').executeTakeFirst();
      return taken !== undefined;
    },
    async release(executor: Executor, counterId: string, startsAt: Date): Promise<void> {
      await q(executor).updateTable('scheduling_slots').set((eb) => ({ booked: eb('booked', '-', 1) }))
        .where('counter_id', '=', counterId).where('starts_at', '=', startsAt).where('booked', '>', 0).execute();
    },

    insertAppointment: async (executor: Executor, row: AppointmentRow): Promise<void> => {
      await q(executor).insertInto('scheduling_appointments').values(row).execute();
    },
    /** The application's live appointment, locked for the caller's transaction. */
    liveFor: (executor: Executor, applicationId: string, lock = false): Promise<AppointmentRow | undefined> => {
      const query = q(executor).selectFrom('scheduling_appointments').selectAll().where('application_id', '=', applicationId).where('status', 'in', LIVE);
      return (lock ? query.forUpdate() : query).executeTakeFirst();
    },
    byReference: (executor: Executor, reference: string, lock = false): Promise<AppointmentRow | undefined> => {
      const query = q(executor).selectFrom('scheduling_appointments').selectAll().where('reference', '=', reference);
      return (lock ? query.forUpdate() : query).executeTakeFirst();
    },
    byId: (executor: Executor, id: string): Promise<AppointmentRow | undefined> =>
      q(executor).selectFrom('scheduling_appointments').selectAll().where('id', '=', id).executeTakeFirst(),
    /** A person's booked appointments at a hall from `from` on, soonest first, locked. */
    bookedAt: (executor: Executor, accountId: string, hallId: string, from: Date): Promise<AppointmentRow[]> =>
      q(executor).selectFrom('scheduling_appointments').selectAll().where('account_id', '=', accountId).where('hall_id', '=', hallId)
        .where('status', '=', 'booked').where('starts_at', '>=', from).orderBy('starts_at').forUpdate().execute(),
    /** A person's appointment checked in at a hall since `since`, the latest first, locked. */
    checkedInAt: (executor: Executor, accountId: string, hallId: string, since: Date): Promise<AppointmentRow | undefined> =>
      q(executor).selectFrom('scheduling_appointments').selectAll().where('account_id', '=', accountId).where('hall_id', '=', hallId)
        .where('status', '=', 'checked_in').where('checked_in_at', '>=', since).orderBy('checked_in_at', 'desc').limit(1).forUpdate().executeTakeFirst(),
    list: (executor: Executor, filter: { agencies?: readonly string[]; applicationId?: string; hallId?: string; status?: AppointmentStatus; from?: Date; to?: Date; reference?: string }, limit: number) => {
      let query = q(executor).selectFrom('scheduling_appointments').selectAll();
      if (filter.agencies) query = query.where('agency_code', 'in', filter.agencies.length > 0 ? [...filter.agencies] : ['']);
      if (filter.applicationId !== undefined) query = query.where('application_id', '=', filter.applicationId);
      if (filter.reference !== undefined) query = query.where('reference', '=', filter.reference);
      if (filter.hallId !== undefined) query = query.where('hall_id', '=', filter.hallId);
      if (filter.status !== undefined) query = query.where('status', '=', filter.status);
      if (filter.from !== undefined) query = query.where('starts_at', '>=', filter.from);
      if (filter.to !== undefined) query = query.where('starts_at', '<', filter.to);
      // The reference breaks ties, so the same filter always gives the same list.
      return query.orderBy('starts_at').orderBy('reference').limit(limit).execute();
    },
    async move(executor: Executor, id: string, to: { counterId: string; hallId: string; startsAt: Date; endsAt: Date; at: Date; locale: string }): Promise<void> {
      await q(executor).updateTable('scheduling_appointments')
        .set({ counter_id: to.counterId, hall_id: to.hallId, starts_at: to.startsAt, ends_at: to.endsAt, updated_at: to.at, reminded_at: null, locale: to.locale })
        .where('id', '=', id).execute();
    },
    async setStatus(executor: Executor, id: string, status: AppointmentStatus, at: Date): Promise<void> {
      await q(executor).updateTable('scheduling_appointments')
        .set({ status, updated_at: at, ...(status === 'cancelled' ? { cancelled_at: at } : {}), ...(status === 'checked_in' ? { checked_in_at: at } : {}) })
        .where('id', '=', id).execute();
    },
    /** Booked appointments starting in [from, to) that have had no reminder yet. */
    dueReminders: (executor: Executor, from: Date, to: Date): Promise<AppointmentRow[]> =>
      q(executor).selectFrom('scheduling_appointments').selectAll().where('status', '=', 'booked').where('reminded_at', 'is', null)
        .where('starts_at', '>=', from).where('starts_at', '<', to).orderBy('starts_at').limit(500).execute(),
    /**
     * Marks the reminder sent and returns the appointment as marked; undefined when another run
     * already did, or it was cancelled or moved (time or hall) since the sweep read it (the caller
     * then sends nothing: a moved one is due again, for its new time).
     */
    markReminded: (executor: Executor, read: Pick<AppointmentRow, 'id' | 'starts_at' | 'hall_id'>, at: Date): Promise<AppointmentRow | undefined> =>
      q(executor).updateTable('scheduling_appointments').set({ reminded_at: at })
        .where('id', '=', read.id).where('status', '=', 'booked').where('reminded_at', 'is', null)
        .where('starts_at', '=', read.starts_at).where('hall_id', '=', read.hall_id).returningAll().executeTakeFirst(),

    /** The next ticket number of a hall's day: the upsert row-locks the day, so numbers never repeat or skip. */
    async nextTicketNumber(executor: Executor, hallId: string, day: string): Promise<number> {
      const row = await q(executor).insertInto('scheduling_ticket_days').values({ hall_id: hallId, day, last_number: 1 })
        .onConflict((oc) => oc.columns(['hall_id', 'day']).doUpdateSet((eb) => ({ last_number: eb('scheduling_ticket_days.last_number', '+', 1) })))
        .returning('last_number').executeTakeFirstOrThrow();
      return row.last_number;
    },
    insertTicket: async (executor: Executor, row: TicketRow): Promise<void> => {
      await q(executor).insertInto('scheduling_tickets').values(row).execute();
    },
    ticketFor: (executor: Executor, appointmentId: string): Promise<TicketRow | undefined> =>
      q(executor).selectFrom('scheduling_tickets').selectAll().where('appointment_id', '=', appointmentId).executeTakeFirst(),
    /** The first waiting ticket a counter can serve, locked; tickets other clerks are calling are skipped. */
    nextWaiting: (executor: Executor, hallId: string, day: string, services: readonly string[]): Promise<TicketRow | undefined> =>
      services.length === 0 ? Promise.resolve(undefined) : q(executor).selectFrom('scheduling_tickets').selectAll()
        .where('hall_id', '=', hallId).where('day', '=', day).where('status', '=', 'waiting').where('service_slug', 'in', [...services])
        .orderBy('number').limit(1).forUpdate().skipLocked().executeTakeFirst(),
    /** Locks a counter's row: calls at one counter run one after the other. */
    async lockCounter(executor: Executor, counterId: string): Promise<void> {
      await q(executor).selectFrom('scheduling_counters').select('id').where('id', '=', counterId).forUpdate().execute();
    },
    /** The number a counter is calling on a day (the latest, should there be more), locked. */
    calledAt: (executor: Executor, counterId: string, day: string): Promise<TicketRow | undefined> =>
      q(executor).selectFrom('scheduling_tickets').selectAll().where('counter_id', '=', counterId).where('day', '=', day).where('status', '=', 'called')
        .orderBy('called_at', 'desc').orderBy('number', 'desc').limit(1).forUpdate().executeTakeFirst(),
    async finishCalled(executor: Executor, counterId: string, day: string): Promise<void> {
      await q(executor).updateTable('scheduling_tickets').set({ status: 'done' }).where('counter_id', '=', counterId).where('day', '=', day).where('status', '=', 'called').execute();
    },
    async call(executor: Executor, id: string, by: { counterId: string; clerk: string; at: Date }): Promise<void> {
      await q(executor).updateTable('scheduling_tickets').set({ status: 'called', counter_id: by.counterId, called_by: by.clerk, called_at: by.at }).where('id', '=', id).execute();
    },
    tickets: (executor: Executor, hallId: string, day: string): Promise<TicketRow[]> =>
      q(executor).selectFrom('scheduling_tickets').selectAll().where('hall_id', '=', hallId).where('day', '=', day).orderBy('number').execute(),
  };
}

export type SchedulingStore = ReturnType<typeof createSchedulingStore>;
