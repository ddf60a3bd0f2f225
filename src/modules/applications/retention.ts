import type { AuditEvent } from '../../kernel/audit/index.js';
import type { Kernel } from '../../kernel/context.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { CatalogService } from '../catalog/service.js';
import type { MessagingService } from '../messaging/service.js';
import { shanghaiDay } from '../workflow/service.js';
import type { ApplicationsStore, Executor } from './store.js';

/**
 * Data minimisation (PIPL art. 19 and 47; docs/adr/0065-draft-retention.md): an application
 * never sent is kept this long after its last change, then deleted with its files by a daily job.
 */
export const DRAFT_RETENTION_DAYS = 30;
const DAY_MS = 86_400_000;
export const DRAFT_RETENTION_MS = DRAFT_RETENTION_DAYS * DAY_MS;
export const DRAFT_EXPIRY_QUEUE = 'applications.draft.expire';
export const DRAFT_EXPIRY_EVERY_MS = DAY_MS;
/** The person filling in an online draft is told this long before it is deleted (once per last change). */
export const DRAFT_REMINDER_DAYS = 3;
/** Drafts deleted per transaction: a long backlog (the first run) never holds one huge transaction. */
export const DRAFT_EXPIRY_BATCH = 200;

/** When a draft last changed at `updatedAt` is deleted: what its pages tell the person. */
export function draftKeptUntil(updatedAt: Date): Date {
  return new Date(updatedAt.getTime() + DRAFT_RETENTION_MS);
}

/**
 * Registers the daily job: first the reminders, then the deletions. `jobs.every` makes one job per day across every instance; and each
 * batch deletes only rows that are still drafts past their time, so a second run (or a second
 * instance, or a retry after a failure half-way) deletes and audits nothing twice. A draft saved
 * or submitted while the job runs is re-checked by the delete itself and stays.
 *
 * One audit record per deleted draft, as the submission is audited, but with no `subject`: the
 * platform deleting a draft by its rule reads nothing of the person's, and "who used my data"
 * (every record about the person made by someone else) must not say it did.
 */
export function registerDraftRetention({ kernel, store, messaging, catalog }: {
  kernel: Kernel;
  store: Pick<ApplicationsStore, 'expiredDrafts' | 'deleteExpiredDrafts' | 'draftsToRemind' | 'markDeletionReminded'>;
  messaging: Pick<MessagingService, 'notify'>;
  catalog: Pick<CatalogService, 'getServiceVersion'>;
}): { expireDrafts: () => Promise<number>; remindDrafts: () => Promise<number> } {
  const db: Executor = kernel.db;

  /**
   * Mails the filler of each online draft that will be deleted within DRAFT_REMINDER_DAYS, once per
   * last change: marked in the notification's transaction only if not saved, sent or told since.
   */
  async function remindDrafts(): Promise<number> {
    const now = kernel.now();
    const after = new Date(now.getTime() - DRAFT_RETENTION_MS);
    const until = new Date(after.getTime() + DRAFT_REMINDER_DAYS * DAY_MS);
    let sent = 0;
    for (;;) {
      const rows = await store.draftsToRemind(db, after, until, DRAFT_EXPIRY_BATCH);
      let marked = 0;
      for (const row of rows) {
        const name = (await catalog.getServiceVersion(row.service_id, row.service_version))?.definition.name;
        if (!name) continue;
        const locale: Locale = row.locale === 'en' ? 'en' : 'zh-CN';
        await db.transaction().execute(async (tx) => {
          if (!(await store.markDeletionReminded(tx, row.id, row.updated_at, now))) return;
          await messaging.notify(tx, {
            accountId: row.submitted_by, template: 'draftDeletionReminder', locale,
            params: { service: name[locale], deleteOn: shanghaiDay(draftKeptUntil(row.updated_at)) },
          });
          marked += 1;
        });
      }
      sent += marked;
      if (rows.length < DRAFT_EXPIRY_BATCH || marked === 0) break;
    }
    if (sent > 0) kernel.log.info({ sent }, 'draft deletion reminders queued');
    return sent;
  }

  async function expireDrafts(): Promise<number> {
    const now = kernel.now();
    const cutoff = new Date(now.getTime() - DRAFT_RETENTION_MS);
    let total = 0;
    for (;;) {
      const ids = await store.expiredDrafts(db, cutoff, DRAFT_EXPIRY_BATCH);
      if (ids.length === 0) break;
      const deleted = await db.transaction().execute(async (tx) => {
        const rows = await store.deleteExpiredDrafts(tx, ids, cutoff, now);
        const events: AuditEvent[] = rows.map((r) => ({
          actor: { kind: 'system', id: DRAFT_EXPIRY_QUEUE }, action: 'application.draft.delete',
          resource: { type: 'application', id: r.id },
          details: { reason: 'retention', retentionDays: DRAFT_RETENTION_DAYS, lastChangedAt: r.updated_at.toISOString(), serviceId: r.service_id, agency: r.agency_code, channel: r.channel, files: r.files },
        }));
        if (events.length > 0) await kernel.audit.appendMany(tx, events);
        return rows.length;
      });
      total += deleted;
      // A short batch was the last one; a full one where nothing was deleted (all saved meanwhile) ends too.
      if (ids.length < DRAFT_EXPIRY_BATCH || deleted === 0) break;
    }
    if (total > 0) kernel.log.info({ deleted: total, retentionDays: DRAFT_RETENTION_DAYS }, 'expired drafts deleted');
    return total;
  }

  kernel.jobs.register(DRAFT_EXPIRY_QUEUE, async () => {
    await remindDrafts();
    await expireDrafts();
  });
  kernel.jobs.every(DRAFT_EXPIRY_QUEUE, DRAFT_EXPIRY_EVERY_MS, {});
  return { expireDrafts, remindDrafts };
}
