import { defineErrors } from '../../kernel/http/errors.js';
import './messages.js';

/** Codes raised by the messaging module. */
export const MessagingErrors = defineErrors('messaging', {
  // A caller's bug (unknown template, missing parameter, no recipient): it fails in the caller's
  // transaction, so the status change it would announce does not commit either.
  TB_MESSAGING_INVALID_NOTIFICATION: { status: 500, title: 'The notification is not valid', message: 'messaging.error.invalidNotification' },
  TB_MESSAGING_ADDRESS_INVALID: { status: 400, title: 'The email address is not valid', message: 'messaging.error.addressInvalid' },
  // Temporary (4xx, no connection): the job tries again. Refused (5xx): trying again cannot help.
  TB_MESSAGING_DELIVERY_FAILED: { status: 502, title: 'The mail server could not take the message now', message: 'messaging.error.deliveryFailed' },
  TB_MESSAGING_DELIVERY_REFUSED: { status: 502, title: 'The mail server refused the message', message: 'messaging.error.deliveryRefused' },
  // The GovStack Messaging API (docs/adr/0063-govstack-messaging.md).
  TB_MESSAGING_REQUEST_INVALID: { status: 400, title: 'The messaging request is not valid', message: 'messaging.error.requestInvalid' },
  TB_MESSAGING_BATCH_TOO_LARGE: { status: 413, title: 'The batch has too many recipients', message: 'messaging.error.batchTooLarge' },
  TB_MESSAGING_REQUEST_NOT_FOUND: { status: 404, title: 'No messaging request of your agency has this requestUid', message: 'messaging.error.requestNotFound' },
  // The sender's callback URI did not answer 2xx: the job calls it again with back-off.
  TB_MESSAGING_CALLBACK_FAILED: { status: 502, title: 'The callback URI did not accept the delivery result; it will be called again', message: 'messaging.error.callbackFailed' },
  // In production its host name resolved to an address of this host or a private network: not called, not retried.
  TB_MESSAGING_CALLBACK_ADDRESS_INTERNAL: { status: 400, title: 'The callback URI resolves to an internal address and was not called', message: 'messaging.error.callbackAddressInternal' },
});
