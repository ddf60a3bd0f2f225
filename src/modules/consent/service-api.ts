import { newId, UUID } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { isInternalHost } from '../../kernel/net/internal-address.js';
import type { IdentityService } from '../identity/service.js';
import { ConsentErrors } from './errors.js';
import { agreementRevision, recordRevision } from './govstack-mapping.js';
import { isAgreementId, type ConsentRecord, type DataAgreement } from './model.js';
import { parsePayload, payloadFor, SIGNATURE_METHOD, verifies } from './signatures.js';
import type { EventRow, Executor } from './store.js';
import type { ConsentApiStore, PolicyRow, SignatureRow, WebhookRow } from './store-api.js';
import type { Webhooks } from './webhooks.js';

/**
 * Policies, individuals, webhooks and signatures: the part of the GovStack Consent API with no
 * Tongban concept before it (docs/adr/0029-consent-api-complete.md). Spread into the consent
 * service; the routes reach it only through service.ts.
 */

/** Who acts: a client of an agency (GovStack callers act for the MEMBER part of their organisation). */
export interface AgencyActor {
  readonly actor: Actor;
  readonly agency: string;
  readonly requestId?: string | undefined;
  /** The caller's Idempotency-Key: recorded in the transaction that writes, a retry writes nothing (ADR 31). */
  readonly idempotency?: IdempotencyClaim | undefined;
}

export interface Policy {
  readonly id: string; readonly version: number; readonly controller: string; readonly name: string; readonly url: string;
  readonly jurisdiction: string | undefined; readonly industrySector: string | undefined; readonly dataRetentionPeriodDays: number | undefined;
  readonly geographicRestriction: string | undefined; readonly storageLocation: string | undefined;
  readonly active: boolean; readonly createdAt: Date; readonly createdBy: string;
}
export type PolicyInput = Pick<Policy, 'id' | 'name' | 'url'> & Partial<Pick<Policy, 'jurisdiction' | 'industrySector' | 'dataRetentionPeriodDays' | 'geographicRestriction' | 'storageLocation'>>;

/** An individual as an agency knows them: the resident ID number, and the person account when there is one. */
export interface Individual {
  readonly idNumber: string;
  readonly identityProviderId: string | undefined;
  readonly accountId: string | undefined;
  readonly registeredAt: Date | undefined;
}

export interface Webhook {
  readonly id: string; readonly agency: string; readonly payloadUrl: string; readonly contentType: string; readonly disabled: boolean;
  readonly createdAt: Date; readonly updatedAt: Date;
}
export interface WebhookInput { readonly payloadUrl: string; readonly contentType: string; readonly secretKey: string; readonly disabled: boolean }

export interface Signature {
  readonly id: string | undefined; readonly payload: string; readonly signature: string | undefined; readonly verificationMethod: string;
  readonly verificationPayload: string; readonly verificationPayloadHash: string; readonly verificationSignedBy: string | undefined;
  readonly verificationSignedAs: string | undefined; readonly timestamp: Date; readonly signedAt: Date | undefined;
}

const toPolicy = (row: PolicyRow): Policy => ({
  id: row.id, version: row.version, controller: row.controller, name: row.name, url: row.url, jurisdiction: row.jurisdiction ?? undefined,
  industrySector: row.industry_sector ?? undefined, dataRetentionPeriodDays: row.data_retention_period_days ?? undefined,
  geographicRestriction: row.geographic_restriction ?? undefined, storageLocation: row.storage_location ?? undefined,
  active: row.active, createdAt: row.created_at, createdBy: row.created_by,
});
const toWebhook = (row: WebhookRow): Webhook => ({
  id: row.id, agency: row.agency, payloadUrl: row.payload_url, contentType: row.content_type, disabled: row.disabled, createdAt: row.created_at, updatedAt: row.updated_at,
});
export const toSignature = (row: SignatureRow): Signature => ({
  id: row.id, payload: row.payload, signature: row.signature ?? undefined, verificationMethod: row.verification_method, verificationPayload: row.verification_payload,
  verificationPayloadHash: row.verification_payload_hash, verificationSignedBy: row.verification_signed_by ?? undefined,
  verificationSignedAs: row.verification_signed_as ?? undefined, timestamp: row.created_at, signedAt: row.signed_at ?? undefined,
});

const MESSAGES = {
  TB_CONSENT_POLICY_INVALID: 'consent.error.policyInvalid', TB_CONSENT_POLICY_EXISTS: 'consent.error.policyExists', TB_CONSENT_WEBHOOK_INVALID: 'consent.error.webhookInvalid',
  TB_CONSENT_INDIVIDUAL_INVALID: 'consent.error.individualInvalid', TB_CONSENT_SIGNATURE_INVALID: 'consent.error.signatureInvalid', TB_CONSENT_DRAFT_OUTDATED: 'consent.error.draftOutdated',
} as const;
const fail = (code: keyof typeof MESSAGES, pointer: string, detail: string) =>
  new TongbanError(ConsentErrors[code], { detail, fields: [{ pointer, message: MESSAGES[code], detail }] });

function httpUrl(value: string, httpsOnly: boolean): URL | undefined {
  try {
    const url = new URL(value);
    if (url.username || url.password || url.hash) return undefined;
    return url.protocol === 'https:' || (!httpsOnly && url.protocol === 'http:') ? url : undefined;
  } catch {
    return undefined;
  }
}

function validPolicy(input: PolicyInput): PolicyInput {
  if (!isAgreementId(input.id)) throw fail('TB_CONSENT_POLICY_INVALID', '/policy/id', 'The id is 3 to 64 lower-case letters, digits and hyphens');
  const name = input.name.trim();
  if (name === '' || name.length > 200) throw fail('TB_CONSENT_POLICY_INVALID', '/policy/name', 'Enter a name of at most 200 characters');
  if (input.url.length > 2000 || !httpUrl(input.url, false)) throw fail('TB_CONSENT_POLICY_INVALID', '/policy/url', 'The url is an http or https address');
  const days = input.dataRetentionPeriodDays;
  if (days !== undefined && (!Number.isInteger(days) || days < 1 || days > 36_500)) throw fail('TB_CONSENT_POLICY_INVALID', '/policy/dataRetentionPeriodDays', 'Retention is 1 to 36500 days');
  const clean = (field: 'jurisdiction' | 'industrySector' | 'geographicRestriction' | 'storageLocation') => {
    const v = input[field]?.trim();
    if (v !== undefined && v.length > 200) throw fail('TB_CONSENT_POLICY_INVALID', `/policy/${field}`, 'At most 200 characters');
    return v === '' ? undefined : v;
  };
  return {
    id: input.id, name, url: input.url, dataRetentionPeriodDays: days,
    jurisdiction: clean('jurisdiction'), industrySector: clean('industrySector'), geographicRestriction: clean('geographicRestriction'), storageLocation: clean('storageLocation'),
  };
}

export function createConsentApi(kernel: Pick<Kernel, 'db' | 'audit' | 'now' | 'config'>, deps: { identity: Pick<IdentityService, 'auditSubjectByIdNumber'> }, core: {
  store: ConsentApiStore;
  current: (id: string) => Promise<DataAgreement | undefined>;
  change: (kind: 'given' | 'withdrawn', input: { agreementId: string; idNumber: string; channel: 'api'; actor: Actor; requestId?: string | undefined; idempotency?: IdempotencyClaim | undefined }, within?: (tx: Executor, row: EventRow) => Promise<void>) => Promise<ConsentRecord>;
  normalId: (idNumber: string) => string;
  webhooks: Webhooks;
}) {
  const { db } = kernel;
  const { store } = core;
  const audit = (executor: Executor, by: AgencyActor, action: string, resource: { type: string; id: string }, extra: { subject?: string | undefined; purpose?: string; details?: Record<string, unknown> } = {}) =>
    kernel.audit.append(executor, {
      actor: by.actor, action, resource, ...(extra.subject ? { subject: extra.subject } : {}), ...(extra.purpose ? { purpose: extra.purpose } : {}),
      ...(by.requestId ? { requestId: by.requestId } : {}), ...(extra.details ? { details: extra.details } : {}),
    });
  const accountOf = async (idNumber: string) => (await deps.identity.auditSubjectByIdNumber(idNumber))?.id;
  const individualId = (value: string, pointer: string): string => {
    try {
      return core.normalId(value);
    } catch {
      throw fail('TB_CONSENT_INDIVIDUAL_INVALID', pointer, 'An individual is named by resident ID number: 17 digits and a digit or X');
    }
  };

  async function savePolicy(input: PolicyInput, by: AgencyActor, options: { create?: boolean } = {}): Promise<Policy> {
    const clean = validPolicy(input);
    return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
      // Two saves of one policy at once: the second waits and numbers its version after the first.
      await store.lockPolicy(tx, clean.id);
      const [previous] = await store.latestPolicies(tx, { id: clean.id });
      if (previous && options.create) throw fail('TB_CONSENT_POLICY_EXISTS', '/policy/id', `${clean.id} exists`);
      if (previous && previous.controller !== by.agency) throw new TongbanError(ConsentErrors.TB_CONSENT_POLICY_NOT_FOUND, { detail: `No policy ${clean.id} of your agency` });
      const row: PolicyRow = {
        id: clean.id, version: (previous?.version ?? 0) + 1, controller: by.agency, name: clean.name, url: clean.url, jurisdiction: clean.jurisdiction ?? null,
        industry_sector: clean.industrySector ?? null, data_retention_period_days: clean.dataRetentionPeriodDays ?? null, geographic_restriction: clean.geographicRestriction ?? null,
        storage_location: clean.storageLocation ?? null, active: true, created_at: kernel.now(), created_by: by.actor.id,
      };
      await store.insertPolicy(tx, row);
      await audit(tx, by, 'consent.policy.save', { type: 'consent-policy', id: row.id }, { details: { version: row.version, url: row.url } });
      return toPolicy(row);
    }));
  }

  const ownWebhook = async (id: string, agency: string): Promise<WebhookRow> => {
    const row = UUID.test(id) ? await store.webhook(db, id) : undefined;
    if (!row || row.agency !== agency || row.deleted_at !== null) throw new TongbanError(ConsentErrors.TB_CONSENT_WEBHOOK_NOT_FOUND, { detail: `No webhook ${id} of your agency`, ...(row && row.agency !== agency ? { denied: 'other-agency' as const } : {}) });
    return row;
  };
  const validWebhook = (input: WebhookInput): WebhookInput => {
    const production = kernel.config.env === 'production';
    const url = input.payloadUrl.length > 2000 ? undefined : httpUrl(input.payloadUrl, production);
    // In production not this host nor a private network as written; a name that resolves to one is refused when an event is sent.
    if (!url || (production && isInternalHost(url.hostname))) {
      throw fail('TB_CONSENT_WEBHOOK_INVALID', '/webhook/payloadUrl', production ? 'The payload URL is an https address without user name or password, not of a private network' : 'The payload URL is an http or https address without user name or password');
    }
    if (input.contentType !== 'application/json') throw fail('TB_CONSENT_WEBHOOK_INVALID', '/webhook/contentType', 'Tongban sends application/json');
    if (input.secretKey.length < 16 || input.secretKey.length > 256) throw fail('TB_CONSENT_WEBHOOK_INVALID', '/webhook/secretKey', 'The secret key has 16 to 256 characters');
    return input;
  };

  return {
    // Policies: versioned like agreements, per controller agency.
    savePolicy,
    async deletePolicy(id: string, by: AgencyActor): Promise<Policy> {
      return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
        await store.lockPolicy(tx, id);
        const [row] = await store.latestPolicies(tx, { id });
        if (!row?.active || row.controller !== by.agency) throw new TongbanError(ConsentErrors.TB_CONSENT_POLICY_NOT_FOUND, { detail: `No policy ${id} of your agency` });
        const deleted: PolicyRow = { ...row, version: row.version + 1, active: false, created_at: kernel.now(), created_by: by.actor.id };
        await store.insertPolicy(tx, deleted);
        await audit(tx, by, 'consent.policy.delete', { type: 'consent-policy', id }, { details: { version: deleted.version } });
        return toPolicy(deleted);
      }));
    },
    /** The current version, or the one named. */
    async policy(id: string, version?: number): Promise<Policy | undefined> {
      const rows = version === undefined ? await store.latestPolicies(db, { id }) : (await store.policyVersions(db, id)).filter((r) => r.version === version);
      return rows[0] ? toPolicy(rows[0]) : undefined;
    },
    async policies(filter: { controller?: string; offset: number; limit: number }): Promise<Policy[]> {
      const rows = await store.latestPolicies(db, filter.controller !== undefined ? { controller: filter.controller } : {});
      return rows.map(toPolicy).slice(filter.offset, filter.offset + filter.limit);
    },
    async policyVersions(id: string): Promise<Policy[]> {
      return (await store.policyVersions(db, id)).map(toPolicy);
    },

    // Individuals: the agency's register, the account found through identity. Reads are audited.
    async registerIndividual(input: { idNumber: string; identityProviderId?: string | undefined }, by: AgencyActor, options: { mustExist?: boolean } = {}): Promise<Individual> {
      const idNumber = individualId(input.idNumber, '/individual/externalId');
      const provider = input.identityProviderId?.trim();
      if (provider !== undefined && (provider.length > 200 || [...provider].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f))) throw fail('TB_CONSENT_INDIVIDUAL_INVALID', '/individual/identityProviderId', 'At most 200 printable characters');
      if (options.mustExist && !(await store.knows(db, by.agency, idNumber))) throw new TongbanError(ConsentErrors.TB_CONSENT_INDIVIDUAL_NOT_FOUND, { detail: 'Your agency has no such individual' });
      const accountId = await accountOf(idNumber);
      const at = kernel.now();
      return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
        const before = await store.individual(tx, by.agency, idNumber);
        await store.upsertIndividual(tx, {
          agency: by.agency, id_number: idNumber, identity_provider_id: provider === undefined ? (before?.identity_provider_id ?? null) : provider || null,
          created_at: before?.created_at ?? at, created_by: before?.created_by ?? by.actor.id, updated_at: at,
        });
        await audit(tx, by, before ? 'consent.individual.update' : 'consent.individual.register', { type: 'consent-individual', id: by.agency }, { subject: accountId, details: { hasAccount: accountId !== undefined } });
        return { idNumber, identityProviderId: provider === undefined ? (before?.identity_provider_id ?? undefined) : provider || undefined, accountId, registeredAt: before?.created_at ?? at };
      }));
    },
    /** One individual the agency knows, or undefined; the read is audited with the person as subject. */
    async individual(idNumber: string, by: AgencyActor, purpose: string): Promise<Individual | undefined> {
      const id = idNumber.trim().toUpperCase();
      if (!/^\d{17}[\dX]$/.test(id) || !(await store.knows(db, by.agency, id))) return undefined;
      const row = await store.individual(db, by.agency, id);
      const accountId = await accountOf(id);
      await audit(db, by, 'consent.individual.read', { type: 'consent-individual', id: by.agency }, { subject: accountId, purpose });
      return { idNumber: id, identityProviderId: row?.identity_provider_id ?? undefined, accountId, registeredAt: row?.created_at };
    },
    async individuals(page: { offset: number; limit: number }, by: AgencyActor, purpose: string): Promise<Individual[]> {
      const ids = await store.knownIdNumbers(db, by.agency, page);
      const out: Individual[] = [];
      for (const id of ids) {
        const row = await store.individual(db, by.agency, id);
        const accountId = await accountOf(id);
        await audit(db, by, 'consent.individual.read', { type: 'consent-individual', id: by.agency }, { subject: accountId, purpose });
        out.push({ idNumber: id, identityProviderId: row?.identity_provider_id ?? undefined, accountId, registeredAt: row?.created_at });
      }
      return out;
    },

    // Webhooks of an agency; deliveries are written by the events (webhooks.ts).
    async createWebhook(input: WebhookInput, by: AgencyActor): Promise<Webhook> {
      const clean = validWebhook(input);
      const at = kernel.now();
      const row: WebhookRow = {
        id: newId(), agency: by.agency, payload_url: clean.payloadUrl, content_type: clean.contentType, secret_key: clean.secretKey, disabled: clean.disabled,
        created_at: at, created_by: by.actor.id, updated_at: at, deleted_at: null,
      };
      return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
        await store.insertWebhook(tx, row);
        await audit(tx, by, 'consent.webhook.save', { type: 'consent-webhook', id: row.id }, { details: { payloadUrl: row.payload_url, disabled: row.disabled } });
        return toWebhook(row);
      }));
    },
    async updateWebhook(id: string, input: WebhookInput, by: AgencyActor): Promise<Webhook> {
      const before = await ownWebhook(id, by.agency);
      const clean = validWebhook(input);
      const values = { payload_url: clean.payloadUrl, content_type: clean.contentType, secret_key: clean.secretKey, disabled: clean.disabled, updated_at: kernel.now() };
      return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
        await store.updateWebhook(tx, id, values);
        await audit(tx, by, 'consent.webhook.save', { type: 'consent-webhook', id }, { details: { payloadUrl: values.payload_url, disabled: values.disabled } });
        return toWebhook({ ...before, ...values });
      }));
    },
    async deleteWebhook(id: string, by: AgencyActor): Promise<{ deleted: string }> {
      await ownWebhook(id, by.agency);
      return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
        await store.deleteWebhook(tx, id, kernel.now());
        await audit(tx, by, 'consent.webhook.delete', { type: 'consent-webhook', id });
        return { deleted: id };
      }));
    },
    async webhook(id: string, agency: string): Promise<Webhook> {
      return toWebhook(await ownWebhook(id, agency));
    },
    async webhooks(agency: string, page: { offset: number; limit: number }): Promise<Webhook[]> {
      return (await store.webhooks(db, agency, page)).map(toWebhook);
    },
    /** A webhook's deliveries, oldest first (state, attempts, last answer): for tests and support. */
    async webhookDeliveries(id: string, agency: string) {
      await ownWebhook(id, agency);
      return (await store.deliveries(db, id)).map((d) => ({ id: d.id, event: d.event, body: d.body, state: d.state, attempts: d.attempts, lastStatus: d.last_status, lastError: d.last_error }));
    },

    // Signatures over consent records.
    async signatureOf(eventId: string): Promise<Signature | undefined> {
      const row = UUID.test(eventId) ? await store.signatureOf(db, eventId) : undefined;
      return row ? toSignature(row) : undefined;
    },
    /** An unsigned signature with the payload to sign (the record's snapshot); the same one again while it is unsigned. */
    async requestSignature(record: ConsentRecord, by: AgencyActor): Promise<Signature> {
      const snapshot = recordRevision(record).serializedSnapshot;
      const at = kernel.now();
      return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
        const existing = await store.signatureOf(tx, record.id);
        if (existing?.signed_at) throw new TongbanError(ConsentErrors.TB_CONSENT_SIGNATURE_SIGNED, { detail: 'The record is signed already' });
        if (existing) return toSignature(existing);
        const { payload, fields } = payloadFor(snapshot, at, record.id);
        const row: SignatureRow = {
          id: newId(), event_id: record.id, payload, verification_method: SIGNATURE_METHOD, verification_payload: snapshot, verification_payload_hash: fields.verificationPayloadHash,
          verification_signed_by: null, verification_signed_as: null, signature: null, created_at: at, created_by: by.actor.id, signed_at: null,
        };
        await store.insertSignature(tx, row);
        return toSignature(row);
      }));
    },
    /** Signs the record's unsigned signature once the signature verifies against its payload. */
    async signRecord(record: ConsentRecord, input: { signature: string; signedBy: string; signedAs?: string | undefined }, by: AgencyActor): Promise<Signature> {
      const row = await store.signatureOf(db, record.id);
      if (!row) throw new TongbanError(ConsentErrors.TB_CONSENT_SIGNATURE_NOT_FOUND, { detail: 'Create the signature first (POST), then sign its payload' });
      if (row.signed_at) throw new TongbanError(ConsentErrors.TB_CONSENT_SIGNATURE_SIGNED, { detail: 'The record is signed already' });
      if (!verifies(row.payload, input.signature, input.signedBy)) throw fail('TB_CONSENT_SIGNATURE_INVALID', '/signature/signature', 'An Ed25519 signature (base64url) of payload by the key in verificationSignedBy');
      const at = kernel.now();
      const agreement = await core.current(record.agreementId);
      const signedAs = input.signedAs?.trim() ? input.signedAs.trim().slice(0, 50) : null;
      return db.transaction().execute((tx) => withIdempotency(tx, by.idempotency, async () => {
        if (!(await store.sign(tx, row.id, { signature: input.signature, signedBy: input.signedBy, signedAs, at }))) {
          throw new TongbanError(ConsentErrors.TB_CONSENT_SIGNATURE_SIGNED, { detail: 'The record is signed already' });
        }
        await audit(tx, by, 'consent.record.sign', { type: 'consent-agreement', id: record.agreementId }, { subject: record.accountId, details: { eventId: record.id, signatureId: row.id } });
        if (agreement) await core.webhooks.announce(tx, agreement.controller, 'consent.signed', { consentRecordId: record.id, dataAgreementId: record.agreementId, individualId: record.idNumber });
        return toSignature({ ...row, signature: input.signature, verification_signed_by: input.signedBy, verification_signed_as: signedAs, signed_at: at });
      }));
    },
    /**
     * A draft record and its signature to sign, stored nowhere: the objectData of the snapshot
     * names the agreement version (and its revision hash), the individual and optIn. With an
     * Idempotency-Key the first draft is kept with the key, so a retry gets the same payload to sign.
     */
    async draft(agreementId: string, idNumberInput: string, idempotency?: IdempotencyClaim): Promise<{ agreement: DataAgreement; idNumber: string; revisionHash: string; signature: Signature }> {
      const agreement = await core.current(agreementId);
      if (!agreement?.active) throw new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_NOT_FOUND, { detail: `No active data agreement ${agreementId}` });
      if (!agreement.needsConsent) throw new TongbanError(ConsentErrors.TB_CONSENT_NOT_NEEDED, { detail: `${agreement.id} rests on ${agreement.lawfulBasis}` });
      const idNumber = individualId(idNumberInput, '/query/individualId');
      const revisionHash = agreementRevision(agreement).serializedHash;
      const at = kernel.now();
      const snapshot = JSON.stringify({
        objectData: { dataAgreement: agreement.id, dataAgreementVersion: agreement.version, dataAgreementRevisionHash: revisionHash, individual: idNumber, optIn: true },
        schemaName: 'ConsentRecord', objectId: '', signedWithoutObjectId: true, timestamp: at.toISOString(),
      });
      const { payload, fields } = payloadFor(snapshot, at, undefined);
      const draft = {
        agreement, idNumber, revisionHash,
        signature: { id: undefined, payload, signature: undefined, verificationMethod: SIGNATURE_METHOD, verificationPayload: snapshot, verificationPayloadHash: fields.verificationPayloadHash, verificationSignedBy: undefined, verificationSignedAs: undefined, timestamp: at, signedAt: undefined },
      };
      return idempotency ? db.transaction().execute((tx) => withIdempotency(tx, idempotency, () => Promise.resolve(draft))) : draft;
    },
    /**
     * The draft flow's second step: the record and its signature together. The signed payload
     * must be a draft of the current agreement version for this individual and optIn, and verify.
     */
    async createSigned(input: { agreementId: string; idNumber: string; optIn: boolean; revisionHash: string; payload: string; signature: string; signedBy: string; signedAs?: string | undefined }, by: AgencyActor): Promise<{ record: ConsentRecord; signature: Signature }> {
      const agreement = await core.current(input.agreementId);
      if (!agreement || agreement.controller !== by.agency) throw new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_NOT_FOUND, { detail: `No data agreement ${input.agreementId}` });
      const idNumber = individualId(input.idNumber, '/consentRecord/individual/id');
      if (input.revisionHash !== agreementRevision(agreement).serializedHash) throw fail('TB_CONSENT_DRAFT_OUTDATED', '/consentRecord/dataAgreementRevisionHash', 'Not the current version of the agreement');
      const signed = parsePayload(input.payload);
      let data: Record<string, unknown> | undefined;
      try {
        data = signed ? (JSON.parse(signed.verificationPayload) as { objectData?: Record<string, unknown> }).objectData : undefined;
      } catch {
        data = undefined;
      }
      if (!signed || data?.dataAgreement !== agreement.id || data.dataAgreementVersion !== agreement.version || data.dataAgreementRevisionHash !== input.revisionHash || data.individual !== idNumber || data.optIn !== input.optIn) {
        throw fail('TB_CONSENT_SIGNATURE_INVALID', '/signature/payload', 'The payload is not a draft of this agreement version for this individual');
      }
      if (!verifies(input.payload, input.signature, input.signedBy)) throw fail('TB_CONSENT_SIGNATURE_INVALID', '/signature/signature', 'An Ed25519 signature (base64url) of payload by the key in verificationSignedBy');
      const at = kernel.now();
      let signatureRow: SignatureRow | undefined;
      const record = await core.change(input.optIn ? 'given' : 'withdrawn', { agreementId: agreement.id, idNumber, channel: 'api', actor: by.actor, requestId: by.requestId, idempotency: by.idempotency }, async (tx, event) => {
        signatureRow = {
          id: newId(), event_id: event.id, payload: input.payload, verification_method: SIGNATURE_METHOD, verification_payload: signed.verificationPayload,
          verification_payload_hash: signed.verificationPayloadHash, verification_signed_by: input.signedBy, verification_signed_as: input.signedAs?.trim().slice(0, 50) || null,
          signature: input.signature, created_at: at, created_by: by.actor.id, signed_at: at,
        };
        await store.insertSignature(tx, signatureRow);
      });
      return { record, signature: toSignature(signatureRow!) };
    },
  };
}
