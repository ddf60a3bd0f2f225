import type { StaffRole } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { DEFAULT_LOCALE, isLocale } from '../../kernel/i18n/index.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import type { MessagingService } from '../messaging/service.js';
import { dueDay, SLA_BREACH, type TransitionEvent, type WorkflowService } from '../workflow/service.js';
import type { ApplicationRow, Executor } from './store.js';

/** Which workflow actions the applicant hears about, and with which template. */
const TEMPLATE_FOR = {
  request_info: 'infoRequested',
  approve: 'applicationApproved',
  reject: 'applicationRejected',
  withdraw: 'applicationWithdrawn',
} as const;

type NotifiedAction = keyof typeof TEMPLATE_FOR;
const isNotified = (action: string): action is NotifiedAction => Object.hasOwn(TEMPLATE_FOR, action);

interface Deps {
  readonly workflow: Pick<WorkflowService, 'onTransition'>;
  readonly messaging: Pick<MessagingService, 'notify'>;
  readonly catalog: Pick<CatalogService, 'getServiceVersion'>;
  readonly find: (id: string, executor: Executor) => Promise<ApplicationRow | undefined>;
}

/**
 * Tells the applicant about every status change that concerns them. The message is queued in the
 * transaction that records the transition, so it exists exactly when the change does; everything
 * is read through that transaction (PGlite runs one at a time).
 */
export function notifyApplicantOnTransitions(deps: Deps): void {
  deps.workflow.onTransition(async (tx, event: TransitionEvent) => {
    const action = event.entry.action;
    if (!isNotified(action)) return;
    const row = await deps.find(event.case.id, tx);
    if (!row?.applicant_account_id || !row.reference) return;
    const locale = isLocale(row.locale) ? row.locale : 'zh-CN';
    const version = await deps.catalog.getServiceVersion(row.service_id, row.service_version, tx);
    const params = { reference: row.reference, service: version?.definition.name[locale] ?? row.reference };
    const accountId = row.applicant_account_id;
    switch (action) {
      case 'reject':
        await deps.messaging.notify(tx, { accountId, locale, template: 'applicationRejected', params: { ...params, reason: event.entry.reason ?? '' } });
        return;
      case 'request_info':
      case 'approve':
      case 'withdraw':
        await deps.messaging.notify(tx, { accountId, locale, template: TEMPLATE_FOR[action], params });
        return;
    }
  });
}

/** The job that mails the supervisors of an escalated case, once per escalation. */
export const ESCALATION_NOTICE_QUEUE = 'applications.escalation-notice';

interface EscalationNotice { readonly caseId: string; readonly agency: string; readonly role: StaffRole; readonly dueDay: string }

/** Who hears of a missed deadline: the definition's `sla.escalateTo` when it is a staff role, else the supervisors. */
const escalationRole = (event: TransitionEvent): StaffRole => {
  const to = event.case.definition.sla.escalateTo;
  return to === 'officer' || to === 'clerk' || to === 'supervisor' ? to : 'supervisor';
};

/**
 * Mails the agency's supervisors (or the `sla.escalateTo` role) when the deadline job escalates a
 * case or flags its breach. The transition's transaction enqueues a job, so the mail exists
 * exactly when the escalation does; the job reads the accounts holding the role (the identity
 * service reads outside any transaction, which PGlite's one connection cannot do inside one)
 * and queues every mail in one transaction: a retry sends none twice. The last day of the
 * deadline is written out, not the exclusive instant after it.
 */
export function notifySupervisorsOnEscalation(deps: Deps & { kernel: Pick<Kernel, 'db' | 'jobs'>; identity: Pick<IdentityService, 'accountsWithRole'> }): void {
  const { kernel } = deps;
  deps.workflow.onTransition(async (tx, event) => {
    const { action, actor, seq } = event.entry;
    if (actor.kind !== 'system' || (action !== 'escalate' && action !== SLA_BREACH)) return;
    const notice: EscalationNotice = { caseId: event.case.id, agency: event.case.agency, role: escalationRole(event), dueDay: dueDay(event.case.dueAt) };
    await kernel.jobs.enqueue(tx, ESCALATION_NOTICE_QUEUE, notice, { key: `${event.case.id}:${seq}` });
  });
  kernel.jobs.register<EscalationNotice>(ESCALATION_NOTICE_QUEUE, async (notice) => {
    const row = await deps.find(notice.caseId, kernel.db);
    if (!row?.reference) return;
    const recipients = await deps.identity.accountsWithRole(notice.agency, notice.role);
    if (recipients.length === 0) return;
    const locale = DEFAULT_LOCALE;
    const version = await deps.catalog.getServiceVersion(row.service_id, row.service_version);
    const params = { reference: row.reference, service: version?.definition.name[locale] ?? row.reference, dueDay: notice.dueDay };
    await kernel.db.transaction().execute(async (tx) => {
      for (const account of recipients) await deps.messaging.notify(tx, { accountId: account.id, locale, template: 'deadlineEscalation', params });
    });
  });
}
