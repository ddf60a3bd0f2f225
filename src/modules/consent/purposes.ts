import { purposeText } from '../../kernel/audit/index.js';
import './messages.js';

/**
 * Why a GovStack Consent API call read a person's consent data, in words the person reads on
 * "who used my data" (ADR 60): by the operation, not its name. An operation not listed falls back
 * to the API and its name.
 */
const PURPOSES: Readonly<Record<string, string>> = {
  serviceVerificationConsentRecordList: 'consent.purpose.verify',
  serviceVerificationConsentRecordRead: 'consent.purpose.verify',
  serviceIndividualConsentRecordRead: 'consent.purpose.records',
  serviceIndividualConsentRecordList: 'consent.purpose.records',
  serviceIndividualDataAgreementConsentRecordList: 'consent.purpose.records',
  auditConsentRecordList: 'consent.purpose.audit',
  auditConsentRecordRead: 'consent.purpose.audit',
  configIndividualRead: 'consent.purpose.individual',
  configIndividualList: 'consent.purpose.individual',
  serviceIndividualRead: 'consent.purpose.individual',
  serviceIndividualList: 'consent.purpose.individual',
};

export function govstackPurpose(operation: string): string {
  const key = PURPOSES[operation];
  return key ? purposeText(key) : purposeText('consent.purpose.govstack', { operation });
}
