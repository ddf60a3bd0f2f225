import type { Kernel } from '../../kernel/context.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { MessagingService } from '../messaging/service.js';
import { cancelForClosedCase } from './closing.js';
import type { Hall } from './model.js';
import { addDays, shanghaiDay, shanghaiInstant } from './slots.js';
import type { SchedulingStore } from './store.js';

/** The queue of the periodic sweep that sends tomorrow's reminders. */
export const REMINDER_QUEUE = 'scheduling.reminders';
/** How often the sweep runs: an appointment booked in the evening, before REMINDER_UNTIL, still gets its reminder. */
export const REMINDER_EVERY_MS = 15 * 60_000;
/**
 * Reminders go out between these Shanghai times on the day before: not at midnight and not late in
 * the evening. An appointment booked for tomorrow after REMINDER_UNTIL gets none: the person has
 * just seen its time on the booking's done page, and the next morning is its own day (the message
 * says "tomorrow").
 */
export const REMINDER_FROM = '09:00';
export const REMINDER_UNTIL = '21:00';

export interface ReminderDeps {
  readonly kernel: Pick<Kernel, 'db' | 'now' | 'jobs' | 'log' | 'audit'>;
  readonly store: SchedulingStore;
  readonly messaging: Pick<MessagingService, 'notify'>;
  readonly hall: (id: string) => Promise<Hall | undefined>;
  readonly serviceName: (slug: string) => Promise<{ 'zh-CN': string; en: string } | undefined>;
  /** Whether the application's case is closed (withdrawn, rejected, approved). */
  readonly caseFinal: (applicationId: string) => Promise<boolean>;
}

/**
 * Reminders the day before, by the messaging port. A durable periodic job (`jobs.every`) sweeps,
 * from 09:00 to 21:00 Shanghai time, booked appointments of tomorrow that have had none; each is marked reminded and its message
 * queued in one transaction, so a sweep repeated after a crash sends nothing twice, and a
 * rescheduled appointment (its mark cleared) is reminded again for its new day; one moved while
 * the sweep runs is not marked (the mark needs the time and hall the sweep read) and is reminded
 * by a later run, with its new time. An appointment
 * of a closed case gets no reminder: it is cancelled instead (closing.ts does so when the case
 * closes; this catches one booked while the case was closing, or before that listener existed).
 */
export function registerReminders(deps: ReminderDeps): { sendDue: () => Promise<number> } {
  const { kernel, store } = deps;
  const sendDue = async (): Promise<number> => {
    const now = kernel.now();
    const today = shanghaiDay(now);
    if (now < shanghaiInstant(today, REMINDER_FROM) || now >= shanghaiInstant(today, REMINDER_UNTIL)) return 0;
    const tomorrow = addDays(today, 1);
    const due = await store.dueReminders(kernel.db, shanghaiInstant(tomorrow, '00:00'), shanghaiInstant(addDays(tomorrow, 1), '00:00'));
    let sent = 0;
    for (const row of due) {
      // Read before the transaction: other modules' reads must not wait inside it on PGlite.
      const [hall, service, closed] = await Promise.all([deps.hall(row.hall_id), deps.serviceName(row.service_slug), deps.caseFinal(row.application_id)]);
      if (closed) {
        await kernel.db.transaction().execute((tx) => cancelForClosedCase(deps, tx, row.application_id, { actor: { kind: 'system', id: REMINDER_QUEUE }, cause: 'case-closed' }));
        continue;
      }
      if (!hall) continue;
      await kernel.db.transaction().execute(async (tx) => {
        // Marked only if still at the time and hall read above: one moved during the look-ups would
        // otherwise be marked reminded with its old time in the message, and never reminded of the new.
        const marked = await store.markReminded(tx, row, now);
        if (!marked) return;
        const locale = marked.locale as Locale;
        await deps.messaging.notify(tx, {
          accountId: marked.account_id, template: 'appointmentReminder', locale,
          params: { reference: marked.reference, service: service?.[locale] ?? marked.service_slug, hall: hall.name[locale], address: hall.address[locale], startsAt: marked.starts_at.toISOString() },
        });
        sent += 1;
      });
    }
    if (sent > 0) kernel.log.info({ sent }, 'appointment reminders queued');
    return sent;
  };
  kernel.jobs.register(REMINDER_QUEUE, async () => { await sendDue(); });
  kernel.jobs.every(REMINDER_QUEUE, REMINDER_EVERY_MS, {});
  return { sendDue };
}
