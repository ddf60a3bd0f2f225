import type { Locale } from '../../kernel/i18n/index.js';
import { WEBHOOK_EVENTS } from './webhooks.js';
import type { ConsentRecord, DataAgreement, Individual, Policy, Signature, Webhook } from './service.js';
import { sha256 } from '../../kernel/digest.js';

/**
 * Tongban's agreements and consent events in the shapes of the GovStack Consent BB API
 * (spec/consent-openapi.yaml). Tongban's own facts the spec has no field for ride along under
 * `tongban`: clients that follow the spec ignore them.
 */

export const INDIVIDUAL_HEADER = 'x-consentbb-individualid';

const DATE_FIELDS = new Set(['createdAt', 'updatedAt', 'at', 'expiresAt', 'timestamp', 'signedAt', 'registeredAt']);
/** A service result as an Idempotency-Key row keeps it (JSON: dates are strings), with its dates back, for the mappers below (ADR 31). */
export function withDates<T>(value: T): T {
  if (Array.isArray(value)) return value.map(withDates) as T;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, DATE_FIELDS.has(k) && typeof v === 'string' ? new Date(v) : withDates(v)])) as T;
}

const hash = (snapshot: string) => sha256(snapshot, 'hex');

export interface ControllerInfo { readonly name: string; readonly url: string }

export function govAgreement(a: DataAgreement, locale: Locale, controller: ControllerInfo) {
  return {
    id: a.id, version: String(a.version),
    controller: { id: a.controller, name: controller.name, url: controller.url },
    purpose: a.purpose[locale], lawfulBasis: a.lawfulBasis, dataUse: 'data_using_service',
    // Tongban records no DPIA reference yet: the spec requires the field, so it is empty.
    dpia: '', active: a.active, forgettable: false,
    tongban: {
      purpose: a.purpose, legalBasis: a.legalBasis, items: a.items, retention: a.retention, needsConsent: a.needsConsent,
      consentDays: a.consentDays ?? null, consentFromVersion: a.consentFromVersion,
    },
  };
}

/** The agreement version as a Revision: its snapshot and SHA-256 (the spec names SHA-1; see ADR 18). */
export function agreementRevision(a: DataAgreement) {
  const snapshot = JSON.stringify({
    objectData: { id: a.id, version: a.version, controller: a.controller, purpose: a.purpose, lawfulBasis: a.lawfulBasis, legalBasis: a.legalBasis, items: a.items, retention: a.retention, consentDays: a.consentDays ?? null, active: a.active },
    schemaName: 'DataAgreement', objectId: a.id, signedWithoutObjectId: false, timestamp: a.createdAt.toISOString(), authorizedByOther: a.createdBy,
  });
  return {
    id: `${a.id}.v${a.version}`, schemaName: 'DataAgreement', objectId: a.id, signedWithoutObjectId: false,
    serializedSnapshot: snapshot, serializedHash: hash(snapshot), timestamp: a.createdAt.toISOString(), authorizedByOther: a.createdBy,
  };
}

export function recordRevision(r: ConsentRecord) {
  const snapshot = JSON.stringify({
    objectData: { id: r.id, dataAgreement: r.agreementId, dataAgreementVersion: r.agreementVersion, individual: r.idNumber, optIn: r.kind === 'given', channel: r.channel, expiresAt: r.expiresAt?.toISOString() ?? null },
    schemaName: 'ConsentRecord', objectId: r.id, signedWithoutObjectId: false, timestamp: r.at.toISOString(), authorizedByOther: `${r.actor.kind}:${r.actor.id}`,
  });
  return {
    id: r.id, schemaName: 'ConsentRecord', objectId: r.id, signedWithoutObjectId: false,
    serializedSnapshot: snapshot, serializedHash: hash(snapshot), timestamp: r.at.toISOString(), authorizedByOther: `${r.actor.kind}:${r.actor.id}`,
  };
}

/**
 * A consent event as a ConsentRecord. `state` is the spec's signing state: Tongban records
 * consent from a signed-in session, a counter clerk or a system, not a cryptographic signature,
 * so it is `unsigned`; whether consent holds is `optIn` with `tongban.state`.
 */
export function govRecord(r: ConsentRecord, agreement: ReturnType<typeof govAgreement> | undefined, consentedVersion: DataAgreement | undefined, signature?: Signature) {
  return {
    id: r.id,
    ...(agreement ? { dataAgreement: agreement } : {}),
    dataAgreementRevisionHash: consentedVersion ? agreementRevision(consentedVersion).serializedHash : '',
    individual: { id: r.idNumber, externalId: r.idNumber, externalIdType: 'resident_id' },
    optIn: r.kind === 'given', state: signature?.signedAt ? 'signed' : 'unsigned',
    ...(signature ? { signature: govSignature(signature) } : {}),
    tongban: {
      state: r.state, agreementVersion: r.agreementVersion, channel: r.channel, at: r.at.toISOString(), expiresAt: r.expiresAt?.toISOString() ?? null,
      accountId: r.accountId ?? null,
    },
  };
}

/** A Signature; a draft has no id and nothing signed yet (the spec: "without a PK"). */
export function govSignature(sig: Signature) {
  return {
    id: sig.id ?? '', payload: sig.payload, signature: sig.signature ?? '', verificationMethod: sig.verificationMethod,
    verificationPayload: sig.verificationPayload, verificationPayloadHash: sig.verificationPayloadHash, verificationSignedBy: sig.verificationSignedBy ?? '',
    ...(sig.verificationSignedAs ? { verificationSignedAs: sig.verificationSignedAs } : {}),
    timestamp: sig.timestamp.toISOString(), signedWithoutObjectReference: sig.id === undefined, objectType: 'ConsentRecord',
    tongban: { signed: sig.signedAt !== undefined, signedAt: sig.signedAt?.toISOString() ?? null },
  };
}

export function govPolicy(p: Policy) {
  return {
    id: p.id, name: p.name, version: String(p.version), url: p.url,
    ...(p.jurisdiction !== undefined ? { jurisdiction: p.jurisdiction } : {}), ...(p.industrySector !== undefined ? { industrySector: p.industrySector } : {}),
    ...(p.dataRetentionPeriodDays !== undefined ? { dataRetentionPeriodDays: p.dataRetentionPeriodDays } : {}),
    ...(p.geographicRestriction !== undefined ? { geographicRestriction: p.geographicRestriction } : {}), ...(p.storageLocation !== undefined ? { storageLocation: p.storageLocation } : {}),
    tongban: { controller: p.controller, active: p.active },
  };
}

export function policyRevision(p: Policy) {
  const snapshot = JSON.stringify({
    objectData: { id: p.id, version: p.version, controller: p.controller, name: p.name, url: p.url, jurisdiction: p.jurisdiction ?? null, industrySector: p.industrySector ?? null,
      dataRetentionPeriodDays: p.dataRetentionPeriodDays ?? null, geographicRestriction: p.geographicRestriction ?? null, storageLocation: p.storageLocation ?? null, active: p.active },
    schemaName: 'Policy', objectId: p.id, signedWithoutObjectId: false, timestamp: p.createdAt.toISOString(), authorizedByOther: p.createdBy,
  });
  return {
    id: `${p.id}.v${p.version}`, schemaName: 'Policy', objectId: p.id, signedWithoutObjectId: false,
    serializedSnapshot: snapshot, serializedHash: hash(snapshot), timestamp: p.createdAt.toISOString(), authorizedByOther: p.createdBy,
  };
}

/** An Individual: the resident ID number is its id (as in consent records); the person account rides along. */
export function govIndividual(i: Individual) {
  return {
    id: i.idNumber, externalId: i.idNumber, externalIdType: 'resident_id', ...(i.identityProviderId !== undefined ? { identityProviderId: i.identityProviderId } : {}),
    tongban: { accountId: i.accountId ?? null, hasAccount: i.accountId !== undefined, registeredAt: i.registeredAt?.toISOString() ?? null },
  };
}

/** A Webhook; the secret is never sent back (the spec requires the field, so it is masked). */
export function govWebhook(w: Webhook) {
  return {
    id: w.id, payloadUrl: w.payloadUrl, contentType: w.contentType, disabled: w.disabled, secretKey: '********',
    tongban: { events: [...WEBHOOK_EVENTS], createdAt: w.createdAt.toISOString(), updatedAt: w.updatedAt.toISOString() },
  };
}
