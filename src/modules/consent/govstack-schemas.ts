import { Type } from 'typebox';
import { idempotencyHeaders as headers } from '../../kernel/idempotency/index.js';
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
  createAgreement: { tags: TAG, operationId: 'configDataAgreementCreate', summary: "Create a data agreement of the caller's agency", headers, body: AgreementBody },
  updateAgreement: { tags: TAG, operationId: 'configDataAgreementUpdate', summary: 'Save a new version of a data agreement', headers, params: Type.Object({ dataAgreementId: Id }), body: AgreementBody },
  readAgreement: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ dataAgreementId: Id }) }),
  deleteAgreement: { tags: TAG, operationId: 'configDataAgreementDelete', summary: 'Retire a data agreement: a last, inactive version', headers, params: Type.Object({ dataAgreementId: Id }) },
  list: (operationId: string) => ({ tags: TAG, operationId, querystring: Paging }),
  listFor: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ dataAgreementId: Id }), querystring: Paging }),
  readRecord: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ consentRecordId: Type.String({ format: 'uuid' }) }) }),
  verifyRecords: {
    tags: TAG, operationId: 'serviceVerificationConsentRecordList', summary: 'Current consent records under the caller agency\'s agreements; Tongban adds the filters dataAgreementId and individualId',
    querystring: Type.Intersect([Paging, Type.Object({ dataAgreementId: Type.Optional(Id), individualId: Type.Optional(Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE })) })]),
  },
  createRecord: {
    tags: TAG, operationId: 'serviceIndividualConsentRecordCreate', summary: 'Record an individual\'s consent (opt-in) under the current version of an agreement',
    headers, params: Type.Object({ dataAgreementId: Id }), querystring: Type.Object({ individualId: Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE }), revisionId: Type.Optional(Type.String({ maxLength: 100 })) }),
  },
  updateRecord: {
    tags: TAG, operationId: 'serviceIndividualConsentRecordUpdate', summary: 'Give (optIn true) or withdraw (optIn false) consent; a new event, the history is kept',
    headers, params: Type.Object({ consentRecordId: Type.String({ format: 'uuid' }) }), body: Type.Object({ consentRecord: Type.Object({ optIn: Type.Boolean() }) }),
  },
} as const;

const Text = (maxLength: number) => Type.String({ maxLength, pattern: '^[^\\u0000-\\u001F\\u007F]*$' });
const IdNumber = Type.String({ minLength: 1, maxLength: 64, pattern: PRINTABLE });
const RevisionQuery = Type.Object({ revisionId: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: PRINTABLE })) });
const PolicyBody = Type.Object({
  policy: Type.Object({
    id: Type.Optional(Id), name: Text(200), version: Type.Optional(Text(20)), url: Text(2000),
    jurisdiction: Type.Optional(Text(200)), industrySector: Type.Optional(Text(200)), dataRetentionPeriodDays: Type.Optional(Type.Integer({ minimum: 1, maximum: 36_500 })),
    geographicRestriction: Type.Optional(Text(200)), storageLocation: Type.Optional(Text(200)),
  }),
});
const IndividualBody = Type.Object({
  individual: Type.Object({
    id: Type.Optional(IdNumber), externalId: Type.Optional(IdNumber), externalIdType: Type.Optional(Type.Literal('resident_id')), identityProviderId: Type.Optional(Text(200)),
  }),
});
const WebhookBody = Type.Object({
  webhook: Type.Object({ id: Type.Optional(Text(64)), payloadUrl: Text(2000), contentType: Text(100), disabled: Type.Optional(Type.Boolean()), secretKey: Type.String({ minLength: 1, maxLength: 256, pattern: PRINTABLE }) }),
});
const SignatureBody = Type.Object({
  signature: Type.String({ minLength: 1, maxLength: 400, pattern: PRINTABLE }), verificationSignedBy: Type.String({ minLength: 1, maxLength: 1000, pattern: PRINTABLE }),
  verificationSignedAs: Type.Optional(Text(50)), payload: Type.Optional(Type.String({ maxLength: 100_000 })), verificationMethod: Type.Optional(Text(50)),
});
const RecordId = Type.Object({ consentRecordId: Type.String({ format: 'uuid' }) });

/** The operations of policies, individuals, webhooks, signatures, drafts and delete-all (ADR 29). */
export const GOV_MORE = {
  createPolicy: { tags: TAG, operationId: 'configPolicyCreate', summary: "Create a policy of the caller's agency (version 1)", headers, body: PolicyBody },
  readPolicy: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ policyId: Id }), querystring: RevisionQuery }),
  updatePolicy: { tags: TAG, operationId: 'configPolicyUpdate', summary: 'Save a new version of a policy', headers, params: Type.Object({ policyId: Id }), body: PolicyBody },
  deletePolicy: { tags: TAG, operationId: 'configPolicyDelete', summary: 'Delete a policy: a last, inactive version; the versions stay', headers, params: Type.Object({ policyId: Id }) },
  policyRevisions: { tags: TAG, operationId: 'configPolicyRevisionsList', summary: 'A policy with all its versions as Revisions (Tongban adds revisions)', params: Type.Object({ policyId: Id }), querystring: Paging },
  listPolicies: { tags: TAG, operationId: 'configPolicyList', querystring: Type.Intersect([Paging, RevisionQuery]) },
  createIndividual: (operationId: string) => ({ tags: TAG, operationId, summary: 'Register an individual (resident ID number) with the caller agency; the person account is found by identity', headers, body: IndividualBody }),
  readIndividual: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ individualId: IdNumber }) }),
  updateIndividual: { tags: TAG, operationId: 'serviceIndividualUpdate', summary: 'Update an individual the agency knows (identityProviderId)', headers, params: Type.Object({ individualId: IdNumber }), body: IndividualBody },
  createWebhook: { tags: TAG, operationId: 'configWebhookCreate', summary: "Subscribe to the caller agency's consent events (signed POSTs, retried)", headers, body: WebhookBody },
  readWebhook: (operationId: string) => ({ tags: TAG, operationId, params: Type.Object({ webhookId: Id }), querystring: RevisionQuery }),
  deleteWebhook: { tags: TAG, operationId: 'configWebhookDelete', headers, params: Type.Object({ webhookId: Id }), querystring: RevisionQuery },
  updateWebhook: { tags: TAG, operationId: 'configWebhookUpdate', headers, params: Type.Object({ webhookId: Id }), body: WebhookBody },
  listWebhooks: { tags: TAG, operationId: 'configWebhookList', querystring: Type.Intersect([Paging, RevisionQuery]) },
  draft: {
    tags: TAG, operationId: 'serviceIndividualConsentRecordDraftCreate', summary: 'A draft (unsaved) consent record and the signature payload to sign',
    headers, querystring: Type.Object({ individualId: IdNumber, dataAgreementId: Id, revisionId: Type.Optional(Type.String({ maxLength: 100, pattern: PRINTABLE })) }),
  },
  createSigned: {
    tags: TAG, operationId: 'serviceIndividualConsentRecordSignatureCreate', summary: 'Store a signed draft: the consent record and its signature together',
    headers, body: Type.Object({
      consentRecord: Type.Object({
        dataAgreement: Type.Optional(Type.Object({ id: Id })), dataAgreementId: Type.Optional(Id), dataAgreementRevisionHash: Type.String({ minLength: 1, maxLength: 128, pattern: PRINTABLE }),
        individual: Type.Object({ id: IdNumber }), optIn: Type.Boolean(),
      }),
      signature: Type.Object({
        payload: Type.String({ minLength: 1, maxLength: 100_000 }), signature: Type.String({ minLength: 1, maxLength: 400, pattern: PRINTABLE }),
        verificationSignedBy: Type.String({ minLength: 1, maxLength: 1000, pattern: PRINTABLE }), verificationSignedAs: Type.Optional(Text(50)),
      }),
    }),
  },
  createSignature: { tags: TAG, operationId: 'serviceIndividualSignatureCreate', summary: 'An unsigned signature of a consent record, with the payload to sign', headers, params: RecordId },
  updateSignature: { tags: TAG, operationId: 'serviceIndividualSignatureUpdate', summary: 'Sign: the signature is checked against the payload before the record counts as signed', headers, params: RecordId, body: Type.Object({ signature: SignatureBody }) },
  deleteAll: { tags: TAG, operationId: 'serviceIndividualConsentRecordDeleteAll', summary: "Right to be forgotten for the caller agency: withdraws the individual's consents, discards unsigned signatures and the registration; the history stays (ADR 29)", headers },
} as const;
