import { defineErrors } from '../../kernel/http/index.js';
import './messages.js';

/** Codes raised by the consent module. Documented in docs/errors.md. */
export const ConsentErrors = defineErrors('consent', {
  TB_CONSENT_AGREEMENT_NOT_FOUND: { status: 404, title: 'No such data agreement', message: 'consent.error.agreementNotFound' },
  TB_CONSENT_AGREEMENT_INVALID: { status: 422, title: 'The data agreement is not valid', message: 'consent.error.agreementInvalid' },
  TB_CONSENT_AGREEMENT_EXISTS: { status: 409, title: 'A data agreement with this id exists already', message: 'consent.error.agreementExists' },
  TB_CONSENT_AGREEMENT_RETIRED: { status: 409, title: 'The data agreement is retired: no consent can be given under it', message: 'consent.error.agreementRetired' },
  TB_CONSENT_NOT_NEEDED: { status: 409, title: 'The data agreement rests on a legal basis and takes no consent', message: 'consent.error.notNeeded' },
  TB_CONSENT_FORBIDDEN: { status: 403, title: 'You may not manage the data agreements of this agency', message: 'consent.error.forbidden' },
  TB_CONSENT_ID_NUMBER_INVALID: { status: 422, title: 'The resident ID number is not valid', message: 'consent.error.idNumberInvalid' },
  TB_CONSENT_NO_ID_NUMBER: { status: 409, title: 'The account has no resident ID number to record consent under', message: 'consent.error.noIdNumber' },
  TB_CONSENT_RECORD_NOT_FOUND: { status: 404, title: 'No such consent record', message: 'consent.error.recordNotFound' },
  TB_CONSENT_INDIVIDUAL_MISSING: { status: 400, title: 'Name the individual in the X-ConsentBB-IndividualId header', message: 'consent.error.individualMissing' },
  TB_CONSENT_INDIVIDUAL_NOT_FOUND: { status: 404, title: 'No such individual known to your agency', message: 'consent.error.individualNotFound' },
  TB_CONSENT_INDIVIDUAL_INVALID: { status: 422, title: 'The individual is not valid', message: 'consent.error.individualInvalid' },
  TB_CONSENT_INDIVIDUAL_MISMATCH: { status: 403, title: 'The consent record is not the named individual\'s', message: 'consent.error.individualMismatch' },
  TB_CONSENT_POLICY_NOT_FOUND: { status: 404, title: 'No such policy', message: 'consent.error.policyNotFound' },
  TB_CONSENT_POLICY_INVALID: { status: 422, title: 'The policy is not valid', message: 'consent.error.policyInvalid' },
  TB_CONSENT_POLICY_EXISTS: { status: 409, title: 'A policy with this id exists already', message: 'consent.error.policyExists' },
  TB_CONSENT_WEBHOOK_NOT_FOUND: { status: 404, title: 'No such webhook of your agency', message: 'consent.error.webhookNotFound' },
  TB_CONSENT_WEBHOOK_INVALID: { status: 422, title: 'The webhook is not valid', message: 'consent.error.webhookInvalid' },
  TB_CONSENT_WEBHOOK_DELIVERY_FAILED: { status: 502, title: 'The webhook receiver did not accept the event; it will be sent again', message: 'consent.error.webhookDeliveryFailed' },
  // In production the payload URL's host resolved to an address of this host or a private network: not sent, not retried.
  TB_CONSENT_WEBHOOK_ADDRESS_INTERNAL: { status: 400, title: 'The webhook\'s payload URL resolves to an internal address and was not called', message: 'consent.error.webhookAddressInternal' },
  TB_CONSENT_SIGNATURE_INVALID: { status: 422, title: 'The signature does not verify', message: 'consent.error.signatureInvalid' },
  TB_CONSENT_SIGNATURE_NOT_FOUND: { status: 404, title: 'The consent record has no signature to sign', message: 'consent.error.signatureNotFound' },
  TB_CONSENT_SIGNATURE_SIGNED: { status: 409, title: 'The signature is signed already and cannot change', message: 'consent.error.signatureSigned' },
  TB_CONSENT_REVISION_OUTDATED: { status: 409, title: 'The revision named is not the data agreement\'s current one: read the agreement again', message: 'consent.error.revisionOutdated' },
  TB_CONSENT_DRAFT_OUTDATED: { status: 409, title: 'The draft was made for another version of the data agreement: ask for a new draft', message: 'consent.error.draftOutdated' },
});
