import { Type } from 'typebox';
import { idempotencyHeaders } from '../../kernel/idempotency/index.js';

/** Route schemas of /api/mediator (registry administration) and the metaservices. */
const TAG = ['mediator'];
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength });

export const addMemberSchema = {
  tags: TAG, summary: 'Register a member (agency_admin of its agency, or platform_admin)',
  body: Type.Object({ instance: Text(64), memberClass: Text(64), code: Text(64), name: Text(200), agency: Text(64) }, { additionalProperties: false }),
};

export const addSubsystemSchema = {
  tags: TAG, summary: 'Register a subsystem of a member, with the API client that authenticates as it',
  body: Type.Object({ memberId: Text(200), code: Text(64), name: Text(200), clientId: Type.Optional(Type.Union([Text(200), Type.Null()])) }, { additionalProperties: false }),
};

export const saveServiceSchema = {
  tags: TAG, summary: 'Register or update a service a subsystem provides',
  headers: idempotencyHeaders,
  body: Type.Object({
    subsystemId: Text(300), code: Text(64), name: Text(200), baseUrl: Text(2000),
    openapi: Type.Optional(Type.Union([Type.Object({}, { additionalProperties: true }), Type.Null()])),
    needsConsent: Type.Optional(Type.Boolean()), agreementId: Type.Optional(Type.Union([Text(200), Type.Null()])),
    timeoutMs: Type.Optional(Type.Union([Type.Integer({ minimum: 100, maximum: 120_000 }), Type.Null()])),
    storeBodies: Type.Optional(Type.Boolean()),
  }, { additionalProperties: false }),
};

export const grantSchema = {
  tags: TAG, summary: 'Grant a client subsystem an access right on a service (deny by default)',
  body: Type.Object({ serviceId: Text(400), clientId: Text(300), method: Text(10), path: Text(500) }, { additionalProperties: false }),
};

export const addCertificateSchema = {
  tags: TAG, summary: 'Register a TLS client certificate (PEM) that authenticates a subsystem\'s calls on the systems\' TLS port',
  body: Type.Object({ subsystemId: Text(300), certificate: Text(20_000) }, { additionalProperties: false }),
};

/** A certificate by its SHA-256: 64 hex digits, with or without openssl's colons. */
export const certificateParams = Type.Object({ sha256: Type.String({ pattern: '^(?:[0-9A-Fa-f]{2}:?){31}[0-9A-Fa-f]{2}$' }) });
/** The pages' form of it: any short text, so the role guard answers first and a wrong one is a 404. */
export const certificatePageParams = Type.Object({ sha256: Type.String({ minLength: 1, maxLength: 200 }) });
export const removeCertificateSchema = { tags: TAG, summary: 'Remove a TLS client certificate: calls presenting it are refused at once', params: certificateParams };

export const addClientKeySchema = {
  tags: TAG, summary: 'Register a public key (JWK) for a subsystem\'s access tokens: the first one registers its API client with the scope mediator.call (ADR 47)',
  body: Type.Object({ subsystemId: Text(300), key: Type.Object({}, { additionalProperties: true, maxProperties: 20 }) }, { additionalProperties: false }),
};
export const removeClientKeySchema = {
  tags: TAG, summary: 'Remove a public key of a subsystem\'s API client (never its last): assertions signed with it are refused at once',
  querystring: Type.Object({ subsystemId: Text(300), kid: Text(200) }, { additionalProperties: false }),
};

export const revokeSchema = { tags: TAG, summary: 'Revoke an access right', params: Type.Object({ id: Type.String({ format: 'uuid' }) }) };

export const listSchema = {
  tags: TAG, summary: 'The registry: members, subsystems, services and access rights',
  // No control characters: a NUL byte reached the database as a text parameter (a 500).
  querystring: Type.Object({ member: Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[^\\u0000-\\u001F\\u007F]+$' })) }),
};

export const listClientsSchema = {
  tags: TAG, summary: 'GovStack IM listClients: members and subsystems (applications)',
  querystring: Type.Object({ instanceId: Type.Optional(Text(64)) }),
};

const Provider = Type.Object({ instance: Text(64), memberClass: Text(64), member: Text(64), subsystem: Text(64) });

export const listMethodsSchema = {
  tags: TAG, summary: 'GovStack IM listMethods / allowedMethods: REST services and endpoints of a provider',
  params: Provider, querystring: Type.Object({ serviceId: Type.Optional(Text(64)) }),
};

export const getOpenApiSchema = {
  tags: TAG, summary: 'GovStack IM getOpenAPI: the OpenAPI description of one service',
  params: Provider, querystring: Type.Object({ serviceCode: Text(64) }),
};

export const trafficQuery = Type.Object({
  hours: Type.Optional(Type.Integer({ minimum: 1, maximum: 24 * 31 })),
  // The lookup form's message id: any short text, so what was typed is shown again with its error.
  message: Type.Optional(Type.String({ maxLength: 200 })),
});

/** One exchange by its message id (the X-Road-Id). */
export const exchangeParams = Type.Object({ messageId: Type.String({ format: 'uuid' }) });
/** The pages' form of it: any short text, so the role guard answers first and a wrong one is a 404. */
export const exchangePageParams = Type.Object({ messageId: Type.String({ minLength: 1, maxLength: 200 }) });
/** Why the stored bodies are read: recorded in the audit trail and shown to the person. */
export const PURPOSE_MAX = 500;
/**
 * The page's form, read through `field()` (the first value when repeated): no length here, the
 * handler checks PURPOSE_MAX and answers with the form, its error summary and what was typed.
 */
export const bodiesForm = Type.Object({ purpose: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String())])) });

const digest = Type.String({ description: 'sha256: and the SHA-256 in base64url' });
const ExchangeRecordBody = Type.Object({
  messageId: Type.String(), at: Type.String({ format: 'date-time' }), client: Type.Union([Type.String(), Type.Null()]), service: Type.Union([Type.String(), Type.Null()]),
  method: Type.String(), path: Type.String(), userId: Type.Union([Type.String(), Type.Null()]), issue: Type.Union([Type.String(), Type.Null()]),
  status: Type.Integer(), outcome: Type.String(), requestDigest: digest, responseDigest: digest, requestBytes: Type.Integer(), responseBytes: Type.Integer(),
  durationMs: Type.Integer(), providerMs: Type.Union([Type.Integer(), Type.Null()]), chain: Type.Integer(), seq: Type.Integer(), hash: Type.String(),
  bodiesStored: Type.Boolean(),
});
export const getExchangeSchema = {
  tags: TAG, summary: 'One exchange\'s message-log record by its X-Road-Id (administrators of an agency involved; audited with the person as subject)',
  params: exchangeParams, response: { 200: ExchangeRecordBody },
};
export const readBodiesSchema = {
  tags: TAG, summary: 'Decrypt the request and response bodies kept for one exchange (platform_admin, signed in within ten minutes; the purpose is audited)',
  params: exchangeParams,
  body: Type.Object({ purpose: Type.String({ minLength: 1, maxLength: PURPOSE_MAX, pattern: '\\S' }) }, { additionalProperties: false }),
  response: { 200: Type.Object({ messageId: Type.String(), service: Type.Union([Type.String(), Type.Null()]), client: Type.Union([Type.String(), Type.Null()]), request: Type.String({ contentEncoding: 'base64' }), response: Type.String({ contentEncoding: 'base64' }) }) },
};

/** A posted registry form: checked field by field in registry-forms.ts, so every value is kept and shown again. */
export const registryForm = Type.Record(Type.String(), Type.Union([Type.String({ maxLength: 200_000 }), Type.Array(Type.String({ maxLength: 2000 }), { maxItems: 10 })]));
export const registryPageQuery = Type.Object({ done: Type.Optional(Type.Union(['subsystem', 'service', 'grant', 'revoke', 'certificate', 'certificateRemoved', 'key', 'keyRemoved'].map((d) => Type.Literal(d)))) });
/** A subsystem's key on the registry pages (its remove confirmation). */
export const keyPageQuery = Type.Object({ subsystem: Text(300), kid: Text(200) });
export const serviceEditQuery = Type.Object({ id: Text(400) });
export const rightParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
