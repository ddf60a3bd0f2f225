import { purposeText } from '../../kernel/audit/index.js';
import { newId } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import { ConsentErrors } from './errors.js';
import {
  checkResult, consentFromVersion, isAgreementId, isDataItem, isIdNumber, LAWFUL_BASES, stateOf,
  type AgreementInput, type Channel, type CheckResult, type ConsentEvent, type ConsentRecord, type ConsentState, type DataAgreement,
} from './model.js';
import { createConsentApi } from './service-api.js';
import { createConsentStore, type AgreementRow, type EventRow, type Executor } from './store.js';
import { createConsentApiStore } from './store-api.js';
import { createWebhooks } from './webhooks.js';
import './messages.js';

export type {
  AgreementInput, Channel, CheckResult, ConsentEvent, ConsentRecord, ConsentState, DataAgreement, LawfulBasis, LocalizedText,
} from './model.js';
export { CHANNELS, LAWFUL_BASES, isIdNumber } from './model.js';
export type { AgencyActor, Individual, Policy, PolicyInput, Signature, Webhook, WebhookInput } from './service-api.js';

/** Who changes agreements: an actor and the agencies they may act for (agency or platform administrator). */
export interface AgreementAdmin {
  readonly actor: Actor;
  readonly may: (agency: string) => boolean;
  readonly requestId?: string | undefined;
}

export interface ConsentChange {
  readonly agreementId: string;
  readonly idNumber: string;
  readonly accountId?: string | undefined;
  readonly channel: Channel;
  readonly actor: Actor;
  readonly requestId?: string | undefined;
  /** The caller's Idempotency-Key: recorded with the event, a retry creates nothing (ADR 31). */
  readonly idempotency?: IdempotencyClaim | undefined;
}

/** An agreement with a person's state under it: a line of their consent page. */
export interface PersonAgreement {
  readonly agreement: DataAgreement;
  readonly state: ConsentState;
  readonly latest: ConsentRecord | undefined;
}

// Consent expiry is counted in whole days from the moment it is given.
const DAY_MS = 86_400_000;

function toAgreement(row: AgreementRow): DataAgreement {
  return {
    id: row.id, version: row.version, controller: row.controller,
    purpose: { 'zh-CN': row.purpose_zh, en: row.purpose_en }, legalBasis: { 'zh-CN': row.legal_basis_zh, en: row.legal_basis_en },
    items: row.items, retention: { 'zh-CN': row.retention_zh, en: row.retention_en }, needsConsent: row.needs_consent,
    lawfulBasis: row.lawful_basis as DataAgreement['lawfulBasis'], consentDays: row.consent_days ?? undefined,
    consentFromVersion: row.consent_from_version, active: row.active, createdAt: row.created_at, createdBy: row.created_by,
  };
}

export function toEvent(row: EventRow): ConsentEvent {
  return {
    id: row.id, agreementId: row.agreement_id, agreementVersion: row.agreement_version, idNumber: row.id_number,
    accountId: row.account_id ?? undefined, kind: row.kind, channel: row.channel, at: row.at, expiresAt: row.expires_at ?? undefined,
    actor: { kind: row.actor_kind, id: row.actor_id },
  };
}

const invalid = (detail: string, pointer: string) =>
  new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_INVALID, { detail, fields: [{ pointer, message: 'consent.error.agreementInvalid', detail }] });
const text = (value: { 'zh-CN': string; en: string }) => ({ 'zh-CN': value['zh-CN'].trim(), en: value.en.trim() });

/** Checks an administrator's agreement; throws TB_CONSENT_AGREEMENT_INVALID naming the field. */
function validated(input: AgreementInput): AgreementInput {
  if (!isAgreementId(input.id)) throw invalid('The id is 3 to 64 lower-case letters, digits and hyphens', '/id');
  if (!LAWFUL_BASES.includes(input.lawfulBasis)) throw invalid(`The lawful basis is one of ${LAWFUL_BASES.join(', ')}`, '/lawfulBasis');
  const clean = { ...input, purpose: text(input.purpose), legalBasis: text(input.legalBasis), retention: text(input.retention), items: [...new Set(input.items.map((i) => i.trim()))] };
  for (const [field, value] of [['purpose', clean.purpose], ['legalBasis', clean.legalBasis], ['retention', clean.retention]] as const) {
    for (const lang of ['zh-CN', 'en'] as const) if (!value[lang] || value[lang].length > 2000) throw invalid(`Enter the ${field} in ${lang} (at most 2000 characters)`, `/${field}/${lang}`);
  }
  if (clean.items.length === 0 || clean.items.length > 100) throw invalid('Name 1 to 100 data items', '/items');
  const bad = clean.items.find((i) => !isDataItem(i));
  if (bad !== undefined) throw invalid(`"${bad}" is not a data item name`, '/items');
  if (input.consentDays !== undefined && (!Number.isInteger(input.consentDays) || input.consentDays < 1 || input.consentDays > 36_500)) {
    throw invalid('Consent lasts 1 to 36500 days, or until withdrawn', '/consentDays');
  }
  return clean;
}

export type ConsentService = ReturnType<typeof createConsentService>;

/**
 * Data agreements (versioned) and people's consent under them (append-only events, state
 * derived). `check` is what the prefill step and the mediator ask. docs/adr/0018-consent.md.
 */
export function createConsentService(kernel: Pick<Kernel, 'db' | 'audit' | 'now' | 'jobs' | 'log' | 'config' | 'resolve'>, deps: {
  identity: Pick<IdentityService, 'account' | 'auditSubjectByIdNumber'>;
  catalog: Pick<CatalogService, 'listAgencies'>;
}) {
  const store = createConsentStore();
  const apiStore = createConsentApiStore();
  const webhooks = createWebhooks(kernel);
  const { db } = kernel;

  const current = async (id: string): Promise<DataAgreement | undefined> => {
    const [row] = await store.latestAgreements(db, { id });
    return row ? toAgreement(row) : undefined;
  };
  const normalId = (idNumber: string): string => {
    const id = idNumber.trim().toUpperCase();
    if (!isIdNumber(id)) throw new TongbanError(ConsentErrors.TB_CONSENT_ID_NUMBER_INVALID, { detail: 'A resident ID number has 17 digits and a digit or X' });
    return id;
  };
  const record = (row: EventRow, agreement: DataAgreement | undefined, at: Date): ConsentRecord => {
    const event = toEvent(row);
    return { ...event, state: agreement ? stateOf(event, agreement, at) : event.kind === 'withdrawn' ? 'withdrawn' : 'outdated' };
  };

  const eventRow = (kind: 'given' | 'withdrawn', agreement: DataAgreement, idNumber: string, accountId: string | undefined, input: Omit<ConsentChange, 'agreementId' | 'idNumber'>, at: Date): EventRow => ({
    id: newId(), agreement_id: agreement.id, agreement_version: agreement.version, id_number: idNumber, account_id: accountId ?? null,
    kind, channel: input.channel, at, expires_at: kind === 'given' && agreement.consentDays !== undefined ? new Date(at.getTime() + agreement.consentDays * DAY_MS) : null,
    actor_kind: input.actor.kind, actor_id: input.actor.id, request_id: input.requestId ?? null,
  });
  /** The event, its audit record and its webhook deliveries, in the caller's transaction. */
  const writeEvent = async (tx: Executor, row: EventRow, agreement: DataAgreement, input: Omit<ConsentChange, 'agreementId' | 'idNumber'>) => {
    const accountId = row.account_id ?? undefined;
    await store.insertEvent(tx, row);
    await kernel.audit.append(tx, {
      actor: input.actor, action: row.kind === 'given' ? 'consent.give' : 'consent.withdraw', ...(accountId ? { subject: accountId } : {}),
      resource: { type: 'consent-agreement', id: agreement.id }, purpose: agreement.purpose.en,
      ...(input.requestId ? { requestId: input.requestId } : {}),
      details: { eventId: row.id, version: agreement.version, channel: input.channel, items: agreement.items, expiresAt: row.expires_at?.toISOString() ?? null },
    });
    await webhooks.announce(tx, agreement.controller, row.kind === 'given' ? 'consent.given' : 'consent.withdrawn', {
      consentRecordId: row.id, dataAgreementId: agreement.id, dataAgreementVersion: agreement.version, individualId: row.id_number, optIn: row.kind === 'given',
      channel: row.channel, at: row.at.toISOString(), expiresAt: row.expires_at?.toISOString() ?? null,
    });
  };

  /**
   * Writes one event and its audit record in one transaction; the account is looked up first (PGlite: nothing awaited inside but SQL).
   * `within` adds more writes to the same transaction (a signature with the record).
   */
  async function change(kind: 'given' | 'withdrawn', input: ConsentChange, within?: (tx: Executor, row: EventRow) => Promise<void>): Promise<ConsentRecord> {
    const idNumber = normalId(input.idNumber);
    const agreement = await current(input.agreementId);
    if (!agreement) throw new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_NOT_FOUND, { detail: `No data agreement ${input.agreementId}` });
    if (!agreement.needsConsent) throw new TongbanError(ConsentErrors.TB_CONSENT_NOT_NEEDED, { detail: `${agreement.id} rests on ${agreement.lawfulBasis}` });
    if (kind === 'given' && !agreement.active) throw new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_RETIRED, { detail: `${agreement.id} is retired` });
    // The person's account, a disabled one too: the consent is theirs, and so is its audit record.
    const accountId = input.accountId ?? (await deps.identity.auditSubjectByIdNumber(idNumber))?.id;
    const at = kernel.now();
    const row = eventRow(kind, agreement, idNumber, accountId, input, at);
    return db.transaction().execute((tx) => withIdempotency(tx, input.idempotency, async () => {
      // Checked again under the agreement's lock: a retirement committed since the check above
      // refuses the consent, and one in flight waits for this consent to commit first.
      await store.lockAgreement(tx, agreement.id, 'shared');
      const [now] = await store.latestAgreements(tx, { id: agreement.id });
      if (kind === 'given' && !now?.active) throw new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_RETIRED, { detail: `${agreement.id} is retired` });
      await writeEvent(tx, row, agreement, input);
      if (within) await within(tx, row);
      return record(row, agreement, at);
    }));
  }

  /**
   * GovStack's "delete all" (right to be forgotten) for one agency: the history the law needs
   * stays. Every consent the person has given under the agency's agreements is withdrawn (a new
   * event each), their unsigned signatures (signing processes left unfinished) are discarded, and
   * the agency's registration of them as an individual is erased; one audit record says what was
   * done. Consent events and signed signatures are never deleted (ADR 29).
   */
  async function deleteAllOf(input: { agency: string; idNumber: string; actor: Actor; requestId?: string | undefined; idempotency?: IdempotencyClaim | undefined }) {
    const idNumber = normalId(input.idNumber);
    const accountId = (await deps.identity.auditSubjectByIdNumber(idNumber))?.id;
    const agreements = (await store.latestAgreements(db, { controllers: [input.agency] })).map(toAgreement).filter((a) => a.needsConsent);
    const at = kernel.now();
    const change = { channel: 'api' as const, actor: input.actor, requestId: input.requestId };
    return db.transaction().execute((tx) => withIdempotency(tx, input.idempotency, async () => {
      const withdrawn: string[] = [];
      for (const agreement of agreements) {
        const latest = await store.latestEvent(tx, idNumber, agreement.id);
        if (latest?.kind !== 'given') continue;
        await writeEvent(tx, eventRow('withdrawn', agreement, idNumber, accountId, change, at), agreement, change);
        withdrawn.push(agreement.id);
      }
      const signaturesDiscarded = await apiStore.deleteUnsigned(tx, idNumber, agreements.map((a) => a.id));
      const registrationErased = (await apiStore.deleteIndividual(tx, input.agency, idNumber)) > 0;
      await kernel.audit.append(tx, {
        actor: input.actor, action: 'consent.records.delete-all', ...(accountId ? { subject: accountId } : {}), resource: { type: 'consent-individual', id: input.agency },
        ...(input.requestId ? { requestId: input.requestId } : {}), purpose: purposeText('consent.purpose.govstack', { operation: 'serviceIndividualConsentRecordDeleteAll' }),
        details: { agency: input.agency, withdrawn, signaturesDiscarded, registrationErased },
      });
      await webhooks.announce(tx, input.agency, 'individual.records.deleted', { individualId: idNumber, withdrawn });
      return { withdrawn, signaturesDiscarded, registrationErased };
    }));
  }

  const api = createConsentApi(kernel, deps, { store: apiStore, current, change, normalId, webhooks });

  return {
    ...api,
    deleteAllOf,
    /** The current version, or undefined for an unknown or retired agreement. */
    async agreement(id: string): Promise<DataAgreement | undefined> {
      const agreement = await current(id);
      return agreement?.active ? agreement : undefined;
    },
    /** The current version, retired or not (administrators, the GovStack API). */
    latest: current,
    async agreementVersion(id: string, version: number): Promise<DataAgreement | undefined> {
      const row = await store.agreementVersion(db, id, version);
      return row ? toAgreement(row) : undefined;
    },
    async versions(id: string): Promise<DataAgreement[]> {
      return (await store.agreementVersions(db, id)).map(toAgreement);
    },
    /** Current versions, of some controllers' agreements when they are named; retired ones only when asked. */
    async listAgreements(filter: { controllers?: readonly string[]; includeRetired?: boolean } = {}): Promise<DataAgreement[]> {
      const rows = await store.latestAgreements(db, filter.controllers ? { controllers: filter.controllers } : {});
      return rows.map(toAgreement).filter((a) => filter.includeRetired === true || a.active);
    },
    agencies: () => deps.catalog.listAgencies(),

    /**
     * Saves a new version (version 1 when `create`). Consents given earlier carry over only when
     * the purpose is unchanged and no data item is added. Audited as consent.agreement.save.
     */
    async saveAgreement(input: AgreementInput, admin: AgreementAdmin, options: { create?: boolean; idempotency?: IdempotencyClaim | undefined } = {}): Promise<DataAgreement> {
      const clean = validated(input);
      if (!admin.may(clean.controller)) throw new TongbanError(ConsentErrors.TB_CONSENT_FORBIDDEN, { detail: `You may not act for ${clean.controller}` });
      const agencies = await deps.catalog.listAgencies();
      if (!agencies.some((a) => a.code === clean.controller)) throw invalid(`No agency ${clean.controller}`, '/controller');
      return db.transaction().execute((tx) => withIdempotency(tx, options.idempotency, async () => {
        // Two saves (or a save and a retirement) of one agreement at once: the second waits and numbers its version after the first.
        await store.lockAgreement(tx, clean.id, 'exclusive');
        const [previousRow] = await store.latestAgreements(tx, { id: clean.id });
        const previous = previousRow ? toAgreement(previousRow) : undefined;
        if (previous && options.create) throw new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_EXISTS, { detail: `${clean.id} exists`, fields: [{ pointer: '/id', message: 'consent.error.agreementExists', detail: 'taken' }] });
        if (previous && !admin.may(previous.controller)) throw new TongbanError(ConsentErrors.TB_CONSENT_FORBIDDEN, { detail: `${clean.id} belongs to ${previous.controller}` });
        const version = (previous?.version ?? 0) + 1;
        const row: AgreementRow = {
          id: clean.id, version, controller: clean.controller, purpose_zh: clean.purpose['zh-CN'], purpose_en: clean.purpose.en, lawful_basis: clean.lawfulBasis,
          legal_basis_zh: clean.legalBasis['zh-CN'], legal_basis_en: clean.legalBasis.en, items: [...clean.items], retention_zh: clean.retention['zh-CN'], retention_en: clean.retention.en,
          needs_consent: clean.lawfulBasis === 'consent', consent_days: clean.consentDays ?? null,
          consent_from_version: consentFromVersion(previous?.active ? previous : undefined, clean, version), active: true, created_at: kernel.now(), created_by: admin.actor.id,
        };
        await store.insertAgreement(tx, row);
        await kernel.audit.append(tx, {
          actor: admin.actor, action: 'consent.agreement.save', resource: { type: 'consent-agreement', id: clean.id }, ...(admin.requestId ? { requestId: admin.requestId } : {}),
          details: { version, controller: row.controller, needsConsent: row.needs_consent, items: row.items, consentFromVersion: row.consent_from_version },
        });
        await webhooks.announce(tx, row.controller, 'agreement.saved', { dataAgreementId: row.id, version, consentFromVersion: row.consent_from_version });
        return toAgreement(row);
      }));
    },

    /** Retires an agreement with a last version marked inactive: no new consent, checks answer unknown_agreement. */
    async retireAgreement(id: string, admin: AgreementAdmin, options: { idempotency?: IdempotencyClaim | undefined } = {}): Promise<DataAgreement> {
      return db.transaction().execute((tx) => withIdempotency(tx, options.idempotency, async () => {
        await store.lockAgreement(tx, id, 'exclusive');
        const [row] = await store.latestAgreements(tx, { id });
        if (!row?.active) throw new TongbanError(ConsentErrors.TB_CONSENT_AGREEMENT_NOT_FOUND, { detail: `No active data agreement ${id}` });
        if (!admin.may(row.controller)) throw new TongbanError(ConsentErrors.TB_CONSENT_FORBIDDEN, { detail: `${id} belongs to ${row.controller}` });
        const retired: AgreementRow = { ...row, version: row.version + 1, active: false, created_at: kernel.now(), created_by: admin.actor.id };
        await store.insertAgreement(tx, retired);
        await kernel.audit.append(tx, {
          actor: admin.actor, action: 'consent.agreement.retire', resource: { type: 'consent-agreement', id }, ...(admin.requestId ? { requestId: admin.requestId } : {}),
          details: { version: retired.version },
        });
        await webhooks.announce(tx, retired.controller, 'agreement.retired', { dataAgreementId: id, version: retired.version });
        return toAgreement(retired);
      }));
    },

    /**
     * The contract's check: may this person's data be used under this agreement now? Not audited
     * itself: the read it allows is audited by whoever reads (prefill, mediator).
     */
    async check(input: { agreementId: string; idNumber: string; at?: Date }): Promise<CheckResult> {
      const agreement = await current(input.agreementId);
      if (!agreement?.active) return { ok: false, reason: 'unknown_agreement' };
      if (!agreement.needsConsent) return { ok: true, basis: 'legal_basis' };
      const idNumber = input.idNumber.trim().toUpperCase();
      if (!isIdNumber(idNumber)) return { ok: false, reason: 'missing' };
      const latest = await store.latestEvent(db, idNumber, agreement.id);
      return checkResult(agreement, stateOf(latest ? toEvent(latest) : undefined, agreement, input.at ?? kernel.now()));
    },

    give: (input: ConsentChange): Promise<ConsentRecord> => change('given', input),
    withdraw: (input: ConsentChange): Promise<ConsentRecord> => change('withdrawn', input),

    /** Every active agreement, and any the person ever answered, with their state: their consent page. */
    async forPerson(idNumber: string): Promise<PersonAgreement[]> {
      const id = normalId(idNumber);
      const at = kernel.now();
      const [agreements, events] = await Promise.all([store.latestAgreements(db), store.eventsOf(db, id)]);
      const latestBy = new Map<string, EventRow>();
      for (const e of events) if (!latestBy.has(e.agreement_id)) latestBy.set(e.agreement_id, e);
      return agreements.map(toAgreement).filter((a) => a.active || latestBy.has(a.id)).map((agreement) => {
        const latest = latestBy.get(agreement.id);
        const rec = latest ? record(latest, agreement, at) : undefined;
        return { agreement, state: rec?.state ?? 'none', latest: rec };
      });
    },

    /** A person's consent history (newest first), under one agreement when named. */
    async history(idNumber: string, agreementId?: string): Promise<ConsentEvent[]> {
      return (await store.eventsOf(db, normalId(idNumber), agreementId)).map(toEvent);
    },

    /** One event with the state it leads to now (GovStack record reads). */
    async recordById(id: string): Promise<ConsentRecord | undefined> {
      if (!/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id)) return undefined;
      const row = await store.event(db, id);
      return row ? record(row, await current(row.agreement_id), kernel.now()) : undefined;
    },

    /** Each person's current record, newest first (GovStack list operations); `idNumber`: one person's only. */
    async currentRecords(filter: { agreementId?: string; idNumber?: string; controllers?: readonly string[]; limit: number; offset: number }): Promise<ConsentRecord[]> {
      const rows = await store.latestEvents(db, filter);
      const agreements = new Map<string, DataAgreement | undefined>();
      for (const id of new Set(rows.map((r) => r.agreement_id))) agreements.set(id, await current(id));
      const at = kernel.now();
      return rows.map((r) => record(r, agreements.get(r.agreement_id), at));
    },

    /** The account id of a person, for audit subjects; undefined when they have no account. */
    async accountOf(idNumber: string): Promise<string | undefined> {
      return isIdNumber(idNumber) ? (await deps.identity.auditSubjectByIdNumber(idNumber))?.id : undefined;
    },
    /** A signed-in person's resident ID number, if their account has one. */
    async idNumberOf(accountId: string): Promise<string | undefined> {
      return (await deps.identity.account(accountId))?.idNumber;
    },
  };
}

/**
 * The mediator's ConsentCheck port over this service: the person is named by resident ID
 * number (X-Road-UserId or the path); only consent on record, for the current version, passes.
 */
export function mediatorConsentPort(consent: Pick<ConsentService, 'check'>): { hasConsent(agreementId: string, personId: string): Promise<boolean> } {
  return {
    async hasConsent(agreementId, personId) {
      const result = await consent.check({ agreementId, idNumber: personId });
      return result.ok;
    },
  };
}
