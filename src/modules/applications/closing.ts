import type { AuditEvent } from '../../kernel/audit/index.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import type { ClosingStep } from '../identity/service.js';
import type { ListItem } from './applicant.js';
import type { ApplicationsStore } from './store.js';

interface Deps {
  readonly kernel: Pick<Kernel, 'now' | 'audit'>;
  readonly store: Pick<ApplicationsStore, 'listForPerson' | 'deleteExpiredDrafts'>;
  readonly listForPerson: (person: Principal) => Promise<ListItem[]>;
}

/**
 * The applications' part of closing an account (ADR 68): an application in progress holds it
 * open (its decision is the person's to receive); drafts are deleted with their files, as the
 * retention job deletes them (ADR 65), in the closing transaction.
 */
export function createClosingStep({ kernel, store, listForPerson }: Deps): ClosingStep {
  return {
    async blockers(person) {
      return (await listForPerson(person))
        .filter((item) => item.application.status === 'submitted' && !item.final)
        .map((item) => ({ title: item.serviceName, reference: item.application.reference ?? item.application.id, href: `/applications/${item.application.id}` }));
    },

    async close(tx, person, requestId) {
      const drafts = (await store.listForPerson(tx, person.accountId)).filter((row) => row.status === 'draft').map((row) => row.id);
      const now = kernel.now();
      const deleted = await store.deleteExpiredDrafts(tx, drafts, now, now);
      const events: AuditEvent[] = deleted.map((d) => ({
        actor: { kind: 'person', id: person.accountId }, action: 'application.draft.delete', subject: person.accountId,
        resource: { type: 'application', id: d.id }, ...(requestId ? { requestId } : {}),
        details: { reason: 'account-closed', serviceId: d.service_id, agency: d.agency_code, files: d.files },
      }));
      if (events.length > 0) await kernel.audit.appendMany(tx, events);
    },
  };
}
