import { sql, type Kysely } from 'kysely';

/**
 * Service halls, their counters, bookable slots, appointments and the halls' queue tickets.
 * Double booking is prevented here, not only in code: a slot row counts its bookings under a check
 * constraint (`booked <= capacity`), and an application has at most one active appointment.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations must not depend on today's table types.
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scheduling_halls')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'jsonb', (c) => c.notNull())
    .addColumn('address', 'jsonb', (c) => c.notNull())
    // The agency that runs the hall: its clerks check people in and call numbers.
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('ticket_prefix', 'text', (c) => c.notNull().check(sql`ticket_prefix ~ '^[A-Z]$'`))
    .addColumn('slot_minutes', 'integer', (c) => c.notNull().check(sql`slot_minutes between 5 and 240`))
    // { "1": [["09:00","12:00"],["13:30","17:00"]], …, "7": [] } by ISO weekday, Shanghai time.
    .addColumn('hours', 'jsonb', (c) => c.notNull())
    // Days the hall is closed besides the national holidays, `YYYY-MM-DD`.
    .addColumn('closed_days', 'jsonb', (c) => c.notNull())
    .addColumn('phone', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('scheduling_counters')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('hall_id', 'text', (c) => c.notNull().references('scheduling_halls.id'))
    .addColumn('number', 'integer', (c) => c.notNull().check(sql`number > 0`))
    .addColumn('name', 'jsonb', (c) => c.notNull())
    // Service slugs handled at this counter.
    .addColumn('services', 'jsonb', (c) => c.notNull())
    // People one slot at this counter can take.
    .addColumn('capacity', 'integer', (c) => c.notNull().check(sql`capacity between 1 and 50`))
    .addUniqueConstraint('scheduling_counters_number', ['hall_id', 'number'])
    .execute();

  // A row appears when a slot is first booked; `booked` changes only by a conditional update that
  // row-locks it, and the check constraint is the last line against overbooking.
  await db.schema
    .createTable('scheduling_slots')
    .addColumn('counter_id', 'text', (c) => c.notNull().references('scheduling_counters.id'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('capacity', 'integer', (c) => c.notNull())
    .addColumn('booked', 'integer', (c) => c.notNull().defaultTo(0))
    .addPrimaryKeyConstraint('scheduling_slots_pk', ['counter_id', 'starts_at'])
    .addCheckConstraint('scheduling_slots_booked', sql`booked >= 0 and booked <= capacity`)
    .execute();

  await db.schema
    .createTable('scheduling_appointments')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('reference', 'text', (c) => c.notNull().unique())
    // No foreign keys into other modules' tables: a module owns only its own.
    .addColumn('application_id', 'uuid', (c) => c.notNull())
    .addColumn('application_reference', 'text')
    .addColumn('service_slug', 'text', (c) => c.notNull())
    .addColumn('agency_code', 'text', (c) => c.notNull())
    .addColumn('account_id', 'uuid', (c) => c.notNull())
    .addColumn('hall_id', 'text', (c) => c.notNull().references('scheduling_halls.id'))
    .addColumn('counter_id', 'text', (c) => c.notNull().references('scheduling_counters.id'))
    .addColumn('starts_at', 'timestamptz', (c) => c.notNull())
    .addColumn('ends_at', 'timestamptz', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('booked', 'cancelled', 'checked_in')`))
    .addColumn('locale', 'text', (c) => c.notNull().check(sql`locale in ('zh-CN', 'en')`))
    .addColumn('reminded_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('cancelled_at', 'timestamptz')
    .addColumn('checked_in_at', 'timestamptz')
    .execute();
  // One live appointment per application, however many requests race to book it.
  await sql`create unique index scheduling_appointments_live on scheduling_appointments (application_id) where status in ('booked', 'checked_in')`.execute(db);
  // The reminder sweep: booked, not yet reminded, by start time.
  await sql`create index scheduling_appointments_remind on scheduling_appointments (starts_at) where status = 'booked' and reminded_at is null`.execute(db);
  await db.schema.createIndex('scheduling_appointments_account').on('scheduling_appointments').columns(['account_id', 'starts_at']).execute();
  await db.schema.createIndex('scheduling_appointments_hall').on('scheduling_appointments').columns(['hall_id', 'starts_at']).execute();

  // The last ticket number given per hall per day: incremented in the check-in's transaction, so
  // numbers run without gaps (a rolled-back check-in gives its number back).
  await db.schema
    .createTable('scheduling_ticket_days')
    .addColumn('hall_id', 'text', (c) => c.notNull().references('scheduling_halls.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('last_number', 'integer', (c) => c.notNull())
    .addPrimaryKeyConstraint('scheduling_ticket_days_pk', ['hall_id', 'day'])
    .execute();

  await db.schema
    .createTable('scheduling_tickets')
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('hall_id', 'text', (c) => c.notNull().references('scheduling_halls.id'))
    .addColumn('day', 'text', (c) => c.notNull())
    .addColumn('number', 'integer', (c) => c.notNull())
    .addColumn('label', 'text', (c) => c.notNull())
    .addColumn('appointment_id', 'uuid', (c) => c.unique().references('scheduling_appointments.id'))
    .addColumn('service_slug', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('waiting', 'called', 'done')`))
    .addColumn('counter_id', 'text', (c) => c.references('scheduling_counters.id'))
    .addColumn('issued_at', 'timestamptz', (c) => c.notNull())
    .addColumn('called_at', 'timestamptz')
    .addColumn('called_by', 'uuid')
    .addUniqueConstraint('scheduling_tickets_number', ['hall_id', 'day', 'number'])
    .execute();
  await db.schema.createIndex('scheduling_tickets_queue').on('scheduling_tickets').columns(['hall_id', 'day', 'status', 'number']).execute();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up().
export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['scheduling_tickets', 'scheduling_ticket_days', 'scheduling_appointments', 'scheduling_slots', 'scheduling_counters', 'scheduling_halls']) {
    await db.schema.dropTable(table).execute();
  }
}
