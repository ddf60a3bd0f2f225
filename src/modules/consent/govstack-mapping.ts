import { createHash } from 'node:crypto';
import type { Locale } from '../../kernel/i18n/index.js';
import type { ConsentRecord, DataAgreement } from './service.js';

/**
 * Tongban's agreements and consent events in the shapes of the GovStack Consent BB API
 * (spec/consent-openapi.yaml). Tongban's own facts the spec has no field for ride along under
 * `tongban`: clients that follow the spec ignore them.
 */

export const INDIVIDUAL_HEADER = 'x-consentbb-individualid';

const hash = (snapshot: string) => createHash('sha256').update(snapshot).digest('hex');

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
export function govRecord(r: ConsentRecord, agreement: ReturnType<typeof govAgreement> | undefined, consentedVersion: DataAgreement | undefined) {
  return {
    id: r.id,
    ...(agreement ? { dataAgreement: agreement } : {}),
    dataAgreementRevisionHash: consentedVersion ? agreementRevision(consentedVersion).serializedHash : '',
    individual: { id: r.idNumber, externalId: r.idNumber, externalIdType: 'resident_id' },
    optIn: r.kind === 'given', state: 'unsigned',
    tongban: {
      state: r.state, agreementVersion: r.agreementVersion, channel: r.channel, at: r.at.toISOString(), expiresAt: r.expiresAt?.toISOString() ?? null,
      accountId: r.accountId ?? null,
    },
  };
}
