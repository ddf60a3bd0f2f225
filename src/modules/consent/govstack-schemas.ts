import { Type } from 'typebox';
import { LAWFUL_BASES } from './model.js';

/** Route schemas of /govstack/consent: the spec's parameters and request bodies, Tongban's extension typed. */
const TAG = ['govstack-consent'];
/** No control characters: a NUL byte reached PostgreSQL as a text parameter and failed with a 500. */
const PRINTABLE = '^[^\\u0000-\\u001F\\u007F]+$';
const Id = Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE });
const Paging = Type.Object({ offset: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) });
const Localized = Type.Object({ 'zh-CN': Type.String({ minLength: 1, maxLength: 2000 }), en: Type.String({ minLength: 1, maxLength: 2000 }) });

/** The spec's DataAgreement as a request: the fields Tongban reads, anything else allowed and ignored. */
const AgreementBody = Type.Object({
  dataAgreement: Type.Object({
    id: Type.Optional(Id),
    lawfulBasis: Type.Union(LAWFUL_BASES.map((b) => Type.Literal(b))),
    purpose: Type.Optional(Type.String({ maxLength: 2000 })),
    tongban: Type.Optional(Type.Object({
      purpose: Localized, legalBasis: Localized, items: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1, maxItems: 100 }), retention: Localized,
      consentDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 36_500 }), Type.Null()])),
    })),
  }),
});

export const GOV = {
  createAgreement: { tags: TAG, operationId: 'configDataAgreementCreate', summary: "Create a data agreement of the caller's agency", body: AgreementBody },
  updateAgreement: { tags: TAG, operationId: 'configDataAgreementUpdate', summary: 'Save a new version of a data agreement', params: Type.Object({ dataAgreementId: Id }), body: AgreementBody },
  readAgreement: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ dataAgreementId: Id }) }),
  list: (operationId: string) => ({ tags: TAG, operationId, querystring: Paging }),
  listFor: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ dataAgreementId: Id }), querystring: Paging }),
  readRecord: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ consentRecordId: Type.String({ format: 'uuid' }) }) }),
  verifyRecords: {
    tags: TAG, operationId: 'serviceVerificationConsentRecordList', summary: 'Current consent records under the caller agency\'s agreements; Tongban adds the filters dataAgreementId and individualId',
    querystring: Type.Intersect([Paging, Type.Object({ dataAgreementId: Type.Optional(Id), individualId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE })) })]),
  },
  createRecord: {
    tags: TAG, operationId: 'serviceIndividualConsentRecordCreate', summary: 'Record an individual\'s consent (opt-in) under the current version of an agreement',
    params: Type.Object({ dataAgreementId: Id }), querystring: Type.Object({ individualId: Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE }), revisionId: Type.Optional(Type.String({ maxLength: 100 })) }),
  },
  updateRecord: {
    tags: TAG, operationId: 'serviceIndividualConsentRecordUpdate', summary: 'Give (optIn true) or withdraw (optIn false) consent; a new event, the history is kept',
    params: Type.Object({ consentRecordId: Type.String({ format: 'uuid' }) }), body: Type.Object({ consentRecord: Type.Object({ optIn: Type.Boolean() }) }),
  },
} as const;

/** Operations of the spec Tongban does not offer (answered 501 TB_CONSENT_NOT_SUPPORTED); see README. */
export const NOT_OFFERED: readonly (readonly ['GET' | 'POST' | 'PUT' | 'DELETE', string, string])[] = [
  ['POST', '/config/policy/', 'configPolicyCreate'],
  ['GET', '/config/policy/:policyId/', 'configPolicyRead'],
  ['PUT', '/config/policy/:policyId/', 'configPolicyUpdate'],
  ['DELETE', '/config/policy/:policyId/', 'configPolicyDelete'],
  ['GET', '/config/policy/:policyId/revisions/', 'configPolicyRevisionsList'],
  ['GET', '/config/policies/', 'configPolicyList'],
  ['POST', '/config/individual/', 'configIndividualCreate'],
  ['GET', '/config/individual/:individualId/', 'configIndividualRead'],
  ['GET', '/config/individuals/', 'configIndividualList'],
  ['POST', '/config/webhook/', 'configWebhookCreate'],
  ['GET', '/config/webhook/:webhookId/', 'configWebhookRead'],
  ['PUT', '/config/webhook/:webhookId/', 'configWebhookUpdate'],
  ['DELETE', '/config/webhook/:webhookId/', 'configWebhookDelete'],
  ['GET', '/config/webhooks/', 'configWebhookList'],
  ['POST', '/service/individual/', 'serviceIndividualCreate'],
  ['GET', '/service/individual/:individualId/', 'serviceIndividualRead'],
  ['PUT', '/service/individual/:individualId/', 'serviceIndividualUpdate'],
  ['GET', '/service/individuals/', 'serviceIndividualList'],
  ['GET', '/service/policy/:policyId/', 'servicePolicyRead'],
  ['POST', '/service/individual/record/consent-record/draft/', 'serviceIndividualConsentRecordDraftCreate'],
  ['POST', '/service/individual/record/consent-record/', 'serviceIndividualConsentRecordSignatureCreate'],
  ['POST', '/service/individual/record/consent-record/:consentRecordId/signature/', 'serviceIndividualSignatureCreate'],
  ['PUT', '/service/individual/record/consent-record/:consentRecordId/signature/', 'serviceIndividualSignatureUpdate'],
  ['DELETE', '/service/individual/record/', 'serviceIndividualConsentRecordDeleteAll'],
];
