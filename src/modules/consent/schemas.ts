import { Type } from 'typebox';
import { idempotencyHeaders as headers } from '../../kernel/idempotency/index.js';
import { CHANNELS, LAWFUL_BASES } from './model.js';

/** Route schemas of /api/consent (agreement administration) and the consent pages' forms. */
const TAG = ['consent'];
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });
const Localized = Type.Object({ 'zh-CN': Text(2000), en: Text(2000) }, { additionalProperties: false });
const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$' });

const agreementFields = {
  controller: Text(64), purpose: Localized, lawfulBasis: Type.Union(LAWFUL_BASES.map((b) => Type.Literal(b))), legalBasis: Localized,
  items: Type.Array(Text(100), { minItems: 1, maxItems: 100 }), retention: Localized,
  consentDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 36_500 }), Type.Null()])),
};
const AgreementBody = Type.Object(agreementFields, { additionalProperties: false });

export const listAgreementsSchema = {
  tags: TAG, summary: "Data agreements of the administrator's agencies (all for a platform administrator), current versions",
  querystring: Type.Object({ retired: Type.Optional(Type.Boolean()) }),
};
export const readAgreementSchema = { tags: TAG, summary: 'One data agreement with all its versions, newest first', params: Type.Object({ id: Id }) };
export const createAgreementSchema = { tags: TAG, summary: 'Create a data agreement (version 1)', headers, body: Type.Object({ id: Id, ...agreementFields }, { additionalProperties: false }) };
export const updateAgreementSchema = {
  tags: TAG, summary: 'Save a new version; consents carry over only when the purpose is unchanged and no data item is added',
  headers, params: Type.Object({ id: Id }), body: AgreementBody,
};
export const retireAgreementSchema = { tags: TAG, summary: 'Retire a data agreement: no new consent, checks refuse', headers, params: Type.Object({ id: Id }) };

export const channelSchema = Type.Union(CHANNELS.map((c) => Type.Literal(c)));

/**
 * A posted form: checked field by field in forms.ts (lengths too, the first value when repeated),
 * so every value is kept and shown again; no length here, which would answer the generic error page.
 */
export const postedForm = Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String())]));
export const agreementParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const adminPageQuery = Type.Object({ done: Type.Optional(Type.Union(['saved', 'retired'].map((d) => Type.Literal(d)))) });
export const personPageQuery = Type.Object({ done: Type.Optional(Type.Union(['given', 'withdrawn'].map((d) => Type.Literal(d)))) });
