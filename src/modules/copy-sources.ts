import type { Principal } from '../kernel/auth/index.js';
import type { ApplicationsService } from './applications/index.js';
import type { ConsentService } from './consent/service.js';
import type { DocumentsService } from './documents/service.js';
import type { IdentityService } from './identity/service.js';
import type { MessagingService } from './messaging/service.js';
import type { PaymentsService } from './payments/service.js';
import type { CopySources } from './privacy/index.js';
import type { RegistriesService } from './registries/service.js';
import type { SchedulingService } from './scheduling/service.js';

/** A person's notifications beyond this many pages (of the messaging page size) are left out of one copy. */
const MESSAGE_PAGES_MAX = 100;

interface CopyDeps {
  readonly identity: Pick<IdentityService, 'account' | 'rolesOf'>;
  readonly applications: Pick<ApplicationsService, 'copyForPerson' | 'listForPerson'>;
  readonly payments: Pick<PaymentsService, 'forApplicant'>;
  readonly scheduling: Pick<SchedulingService, 'appointmentFor'>;
  readonly documents: Pick<DocumentsService, 'listForPerson'>;
  readonly consent: Pick<ConsentService, 'history'>;
  readonly registries: Pick<RegistriesService, 'recordsOfPerson'>;
  readonly messaging: Pick<MessagingService, 'listForAccount'>;
}

/**
 * Each module's part of a person's copy of their data (the privacy module's `copy`, PIPL art. 45),
 * read through that module's service: what a module holds is its own to give.
 */
export function copySources(deps: CopyDeps): CopySources {
  const idNumberOf = async (person: Principal) => (await deps.identity.account(person.accountId))?.idNumber;
  const submittedIds = async (person: Principal) =>
    (await deps.applications.listForPerson(person)).filter((item) => item.application.status === 'submitted').map((item) => item.application.id);

  return {
    account: async (person) => {
      const account = await deps.identity.account(person.accountId);
      if (!account) return [];
      const roles = await deps.identity.rolesOf(person.accountId);
      return [{
        name: account.name, kind: account.kind, idNumber: account.idNumber ?? null, email: account.email ?? null,
        organisation: account.organisation ?? null, createdAt: account.createdAt, roles: roles.map((r) => ({ agency: r.agency, role: r.role })),
      }];
    },
    applications: (person, reading) => deps.applications.copyForPerson(person, reading.locale),
    payments: async (person) => {
      const found = await Promise.all((await submittedIds(person)).map(async (applicationId) => {
        const books = await deps.payments.forApplicant(applicationId, person);
        return books ? [{ applicationId, ...books }] : [];
      }));
      return found.flat();
    },
    appointments: async (person) => {
      const found = await Promise.all((await submittedIds(person)).map((id) => deps.scheduling.appointmentFor(id)));
      return found.flatMap((appointment) => (appointment && appointment.accountId === person.accountId ? [appointment] : []));
    },
    certificates: (person) => deps.documents.listForPerson(person),
    consents: async (person) => {
      const idNumber = await idNumberOf(person);
      return idNumber ? deps.consent.history(idNumber) : [];
    },
    registers: async (person, reading) => {
      const idNumber = await idNumberOf(person);
      if (!idNumber) return [];
      return deps.registries.recordsOfPerson({
        idNumber, subject: person.accountId,
        reader: { actor: { kind: 'person', id: person.accountId }, purpose: reading.purpose, ...(reading.requestId ? { requestId: reading.requestId } : {}) },
      });
    },
    messages: async (person) => {
      const items = [];
      for (let page = 1; page <= MESSAGE_PAGES_MAX; page += 1) {
        const found = await deps.messaging.listForAccount(person.accountId, { page });
        items.push(...found.items.map((m) => ({ id: m.id, to: m.recipientAddress ?? null, subject: m.subject, body: m.body, status: m.status, createdAt: m.createdAt, sentAt: m.sentAt ?? null })));
        if (page >= found.pageCount) break;
      }
      return items;
    },
  };
}
