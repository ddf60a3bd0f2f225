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
  TB_CONSENT_NOT_SUPPORTED: { status: 501, title: 'This GovStack Consent operation is not offered by Tongban', message: 'consent.error.notSupported' },
});
