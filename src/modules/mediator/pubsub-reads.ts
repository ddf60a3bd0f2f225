import type { AuditEvent } from '../../kernel/audit/types.js';
import { personsIn } from './ids.js';
import type { PersonDirectory } from './memo.js';
import type { EventRow } from './store-pubsub.js';

/** The subscribing system an event reached, and the agency it acts for. */
export interface Recipient { readonly id: string; readonly agency: string }

/**
 * The audit records of an event handed to a subscriber (ADR 56): one per person the event names
 * by resident identity number, with their account as subject (never the number), so the person
 * sees on their own page which agency's system received news about them. Written with the
 * delivery's message-log record, in its transaction, before the event leaves.
 */
export async function eventReads(
  people: PersonDirectory | undefined, recipient: Recipient, event: Pick<EventRow, 'id' | 'room' | 'event_type' | 'event'>,
  delivery: 'PULL' | 'PUSH', requestId: string | undefined,
): Promise<AuditEvent[]> {
  return Promise.all(personsIn(event.event).map(async (person): Promise<AuditEvent> => {
    const accountId = people ? await people.accountIdOf(person) : undefined;
    return {
      actor: { kind: 'client', id: recipient.id, organisation: recipient.agency },
      action: 'mediator.event.delivered', ...(accountId !== undefined ? { subject: accountId } : {}),
      resource: { type: 'mediator-event-type', id: `${event.room}/${event.event_type}` },
      ...(requestId !== undefined ? { requestId } : {}),
      details: { eventId: event.id, delivery, ...(accountId === undefined ? { person: 'no account' } : {}) },
    };
  }));
}
