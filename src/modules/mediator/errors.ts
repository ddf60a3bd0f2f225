import { defineErrors } from '../../kernel/http/index.js';
import './messages.js';

/** Codes raised by the information mediator. Documented in docs/errors.md. */
export const MediatorErrors = defineErrors('mediator', {
  TB_MEDIATOR_UNKNOWN_SERVICE: { status: 404, title: 'No such service is registered with the mediator', message: 'mediator.error.unknownService' },
  TB_MEDIATOR_UNAUTHENTICATED: { status: 401, title: 'The calling system presented neither a valid access token nor a registered, valid client certificate', message: 'mediator.error.unauthenticated' },
  TB_MEDIATOR_CLIENT_HEADER_INVALID: { status: 400, title: 'The Information-Mediator-Client header is missing or malformed', message: 'mediator.error.clientHeader' },
  TB_MEDIATOR_CLIENT_MISMATCH: { status: 403, title: 'The access token or client certificate does not belong to the subsystem named in Information-Mediator-Client', message: 'mediator.error.clientMismatch' },
  TB_MEDIATOR_ACCESS_DENIED: { status: 403, title: 'The calling subsystem has no access right for this method and path', message: 'mediator.error.accessDenied' },
  TB_MEDIATOR_CONSENT_MISSING: { status: 403, title: 'The service needs the person\'s consent and none was found', message: 'mediator.error.consentMissing' },
  TB_MEDIATOR_PROVIDER_TIMEOUT: { status: 504, title: 'The providing system did not answer in time', message: 'mediator.error.providerTimeout' },
  TB_MEDIATOR_PROVIDER_UNREACHABLE: { status: 502, title: 'The providing system could not be reached', message: 'mediator.error.providerUnreachable' },
  TB_MEDIATOR_PROVIDER_ANSWER_TOO_LARGE: { status: 502, title: 'The providing system\'s answer is larger than the mediator passes on', message: 'mediator.error.providerTooLarge' },
  TB_MEDIATOR_PATH_INVALID: { status: 400, title: 'The path below the service has a dot segment, an encoded slash or a backslash: only plain paths are passed on', message: 'mediator.error.pathInvalid' },
  TB_MEDIATOR_BODY_TOO_LARGE: { status: 413, title: 'The request body is larger than the mediator accepts', message: 'mediator.error.bodyTooLarge' },
  TB_MEDIATOR_NOT_FOUND: { status: 404, title: 'No such member, subsystem, service or access right', message: 'mediator.error.notFound' },
  TB_MEDIATOR_EXISTS: { status: 409, title: 'A registry entry with this identifier exists already', message: 'mediator.error.exists' },
  TB_MEDIATOR_INVALID: { status: 422, title: 'The registry entry is not valid', message: 'mediator.error.invalid' },
  TB_MEDIATOR_EXCHANGE_NOT_FOUND: { status: 404, title: 'No exchange with this message id is in the log, or none that involves your agency', message: 'mediator.error.exchangeNotFound' },
  TB_MEDIATOR_NO_BODIES: { status: 404, title: 'No bodies are stored for this message', message: 'mediator.error.noBodies' },
  TB_MEDIATOR_BODY_TAMPERED: { status: 409, title: 'A stored body does not verify: its ciphertext, tag or digest was changed', message: 'mediator.error.bodyTampered' },
  TB_MEDIATOR_BODY_KEY_CHANGED: { status: 409, title: 'The stored bodies were sealed under another key than the configured one', message: 'mediator.error.bodyKeyChanged' },
  TB_MEDIATOR_EVENT_TYPE_NOT_FOUND: { status: 404, title: 'The room has no event type of this name', message: 'mediator.error.eventTypeNotFound' },
  TB_MEDIATOR_EVENT_TYPE_EXISTS: { status: 409, title: 'The room has an event type of this name already', message: 'mediator.error.eventTypeExists' },
  TB_MEDIATOR_EVENT_NOT_FOUND: { status: 404, title: 'No event with this id of this type was published by the calling system in the room', message: 'mediator.error.eventNotFound' },
  TB_MEDIATOR_EVENT_INVALID: { status: 400, title: 'The event does not match the JSON Schema of its event type', message: 'mediator.error.eventInvalid' },
  TB_MEDIATOR_SUBSCRIPTION_NOT_FOUND: { status: 404, title: 'The calling system has no subscription to this event type in the room', message: 'mediator.error.subscriptionNotFound' },
  TB_MEDIATOR_SUBSCRIPTION_EXISTS: { status: 409, title: 'The calling system subscribes to this event type already', message: 'mediator.error.subscriptionExists' },
  TB_MEDIATOR_NO_EVENT: { status: 404, title: 'No event waits to be pulled or confirmed by the calling system', message: 'mediator.error.noEvent' },
  TB_MEDIATOR_NOT_PULLED: { status: 409, title: 'The subscription delivers by push: events cannot be pulled or confirmed', message: 'mediator.error.notPulled' },
  TB_MEDIATOR_PUBSUB_INVALID: { status: 400, title: 'The PubSub request is not valid (schema, event type, push service or subsystem id)', message: 'mediator.error.pubsubInvalid' },
  // A system's agency is its member code (ADR 56): a member whose code is not its agency's would present as another agency.
  TB_MEDIATOR_MEMBER_NOT_AGENCY: { status: 422, title: 'A member\'s code must be the code of its agency', message: 'mediator.error.memberNotAgency' },
  TB_MEDIATOR_FORBIDDEN: { status: 403, title: 'Only an administrator of the member\'s agency may change its registry entries', message: 'mediator.error.forbidden' },
});
