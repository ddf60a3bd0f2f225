import { isPart, parseSubsystemId } from './ids.js';
import type { NewEventType } from './pubsub-api.js';
import { text, type FieldError, type Parsed, type Posted } from './registry-forms.js';

/** An event type as the PubSub page's form gives it: the room, and the type for it. */
export interface EventTypeForm { readonly room: string; readonly input: NewEventType }

/** Subsystem ids one per line (or separated by spaces or commas), blanks ignored. */
const idsOf = (typed: string): string[] => typed.split(/[\s,]+/).filter((id) => id.length > 0);

/**
 * The PubSub page's "define an event type" form (ADR 59): the first problem per field as a message
 * key. The schema is JSON text; the mediator checks it again (it compiles, its patterns are safe).
 */
export function parseEventTypeForm(posted: Posted): Parsed<EventTypeForm> {
  const errors: FieldError[] = [];
  const room = text(posted, 'room').trim();
  const eventType = text(posted, 'eventType').trim();
  const schemaText = text(posted, 'schema').trim();
  if (!parseSubsystemId(room)) errors.push({ field: 'room', key: 'mediator.pubsub.error.room' });
  if (!eventType) errors.push({ field: 'eventType', key: 'mediator.pubsub.error.eventTypeMissing' });
  else if (!isPart(eventType)) errors.push({ field: 'eventType', key: 'mediator.pubsub.error.eventType' });
  let schema: unknown;
  try {
    schema = JSON.parse(schemaText === '' ? '{}' : schemaText);
  } catch {
    schema = undefined;
  }
  if (schema === null || typeof schema !== 'object' || Array.isArray(schema)) errors.push({ field: 'schema', key: 'mediator.pubsub.error.schemaJson' });
  const lists = { publishers: idsOf(text(posted, 'publishers')), subscribers: idsOf(text(posted, 'subscribers')) };
  for (const field of ['publishers', 'subscribers'] as const) {
    if (lists[field].some((id) => !parseSubsystemId(id))) errors.push({ field, key: 'mediator.pubsub.error.subsystems' });
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, input: { room, input: { eventType, schema, publishers: lists.publishers, subscribers: lists.subscribers } } };
}
