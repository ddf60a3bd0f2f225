import { isLocale } from '../../kernel/i18n/index.js';
import type { CatalogService } from '../catalog/service.js';
import type { MessagingService } from '../messaging/service.js';
import type { TransitionEvent, WorkflowService } from '../workflow/service.js';
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
