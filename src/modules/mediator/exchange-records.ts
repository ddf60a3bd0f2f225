import { purposeText } from '../../kernel/audit/index.js';
import type { AuditEvent, AuditTrail } from '../../kernel/audit/types.js';
import { PLATFORM_AGENCY } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { UUID } from '../../kernel/ids.js';
import './errors.js';
import './messages.js';
import { peopleOfCall, residentIdIn } from './ids.js';
import type { PersonDirectory } from './memo.js';
import type { RegistryAdmin } from './registry.js';
import type { LogRow, MediatorStore } from './store.js';

/** One exchange as its log record has it, and whether its bodies were kept (ADR 15). */
export interface ExchangeRecord {
  readonly log: LogRow;
  readonly bodiesStored: boolean;
}

// A whole path segment or a whole query value (name=value): what may be a resident ID number.
const PART = /(^|[/?&=])([^/?&=#;]+)(?=[/?&#;]|$)/g;

/**
 * A path (with its query) with the identity numbers in it masked as their owners see them on cards and receipts
 * (`110101********2359`): lists of exchanges show which kind of call was made without each
 * listing being a read of the people it names. A number written percent-encoded or with a
 * lowercase `x` is one too (`residentIdIn`). The record of one exchange shows the path whole,
 * and that read is audited.
 */
export const maskedPath = (path: string): string => path.replace(PART, (whole, before: string, part: string) => {
  const person = residentIdIn(part);
  return person === undefined ? whole : `${before}${person.slice(0, 6)}********${person.slice(14)}`;
});

/**
 * Whose data an exchange carried, as the audit trail names people: the accounts of the people its
 * call named (`peopleOfCall`), as the exchange itself was audited (exchange.ts): one entry per
 * person, none for a call about nobody. Someone without an account is noted in the details instead.
 */
export async function peopleOf(people: PersonDirectory | undefined, log: Pick<LogRow, 'user_id' | 'path'>): Promise<{ subject?: string; details: Record<string, unknown> }[]> {
  const [path = '', query = ''] = log.path.split(/\?(.*)/s, 2);
  return Promise.all(peopleOfCall(log.user_id ?? undefined, path, query).map(async (person) => {
    const accountId = people ? await people.accountIdOf(person) : undefined;
    return accountId === undefined ? { details: { person: 'no account' } } : { subject: accountId, details: {} };
  }));
}

/** One audit record of reading an exchange per person it carried (one without a subject when it named nobody). */
export async function auditExchangeRead(audit: AuditTrail, executor: Parameters<AuditTrail['append']>[0], people: PersonDirectory | undefined, log: Pick<LogRow, 'user_id' | 'path'>, event: Omit<AuditEvent, 'subject'>): Promise<void> {
  const named = await peopleOf(people, log);
  for (const { subject, details } of named.length > 0 ? named : [{ details: {} }]) {
    await audit.append(executor, { ...event, details: { ...event.details, ...details }, ...(subject !== undefined ? { subject } : {}) });
  }
}

/** Whether an administrator may see an exchange: a platform administrator any (a call to an unknown service too), an agency administrator those of their agency's members, as client or provider. */
export function involves(members: readonly { id: string; agency: string }[], reader: Pick<RegistryAdmin, 'may' | 'everything'>, log: Pick<LogRow, 'client' | 'service'>): boolean {
  if (reader.everything === true) return true;
  const mine = members.filter((m) => reader.may(m.agency)).map((m) => `${m.id}/`);
  return [log.client, log.service].some((id) => id !== null && mine.some((prefix) => id.startsWith(prefix)));
}

/**
 * The organisation a reader of an exchange acts for, as the person's "who used my data" page names
 * it: the agency they administer of the calling member, else of the providing one; the platform for
 * a platform administrator of neither.
 */
function actingFor(members: readonly { id: string; agency: string }[], reader: Pick<RegistryAdmin, 'may' | 'everything' | 'agencies'>, log: Pick<LogRow, 'client' | 'service'>): { organisation?: string } {
  const involved = [log.client, log.service].flatMap((id) => members.filter((m) => id !== null && id.startsWith(`${m.id}/`)).map((m) => m.agency));
  const organisation = involved.find((agency) => reader.agencies?.includes(agency))
    ?? (reader.everything === true ? PLATFORM_AGENCY : involved.find((agency) => reader.may(agency)));
  return organisation === undefined ? {} : { organisation };
}

/**
 * The log record of one exchange by its message id (the `X-Road-Id` the client and the provider
 * were given), for an administrator of an agency involved in it. An exchange of another agency is
 * answered as unknown: its existence is not the reader's to learn. The read is audited with the
 * person's account as subject (`personOf`), so it shows on their "who used my data" page.
 */
export async function readExchangeRecord(deps: { store: MediatorStore; audit: AuditTrail; people: PersonDirectory | undefined }, messageId: string, reader: RegistryAdmin): Promise<ExchangeRecord> {
  const notFound = (denied?: 'other-agency') => new TongbanError('TB_MEDIATOR_EXCHANGE_NOT_FOUND', { detail: `No exchange ${messageId} that you may see`, ...(denied ? { denied } : {}) });
  if (!UUID.test(messageId)) throw notFound();
  const [log] = await deps.store.byMessageId(messageId);
  if (!log) throw notFound();
  // The answer is the unknown id's, but the log says someone asked about another agency's exchange (ASVS 16.3.2).
  const members = await deps.store.listMembers();
  if (!involves(members, reader, log)) throw notFound('other-agency');
  await auditExchangeRead(deps.audit, deps.store.db, deps.people, log, {
    actor: { ...reader.actor, ...actingFor(members, reader, log) }, action: 'mediator.log.read', purpose: purposeText('mediator.purpose.exchangeRecord'),
    resource: { type: 'mediator-message', id: messageId },
    details: { service: log.service, client: log.client }, ...(reader.requestId ? { requestId: reader.requestId } : {}),
  });
  return { log, bodiesStored: await deps.store.hasBodies(messageId) };
}
