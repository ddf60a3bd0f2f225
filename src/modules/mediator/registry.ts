import { newId } from '../../kernel/ids.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { withIdempotency, type IdempotencyClaim } from '../../kernel/idempotency/index.js';
import './errors.js';
import { METASERVICES } from './discovery.js';
import { PUBSUB_AREAS } from './pubsub-api.js';
import { isMethodPattern, isPart, isPathPattern, memberId } from './ids.js';
import { parseCertificate, type CertificateProblem } from './certificates.js';
import { createClientKeys } from './client-keys.js';
import type { CertificateRow, Executor, MediatorStore, MemberRow, RightRow, ServiceRow, SubsystemRow } from './store.js';

/** Who changes the registry, and which agencies' members they may change. */
export interface RegistryAdmin {
  readonly actor: Actor;
  readonly may: (agency: string) => boolean;
  /** A platform administrator: every agency's, and also what belongs to no registered member (calls to unknown services). */
  readonly everything?: boolean;
  /** The agencies they administer (agency_admin): whose behalf a read is recorded on. */
  readonly agencies?: readonly string[];
  readonly requestId?: string;
}

export interface NewMember { readonly instance: string; readonly memberClass: string; readonly code: string; readonly name: string; readonly agency: string }
export interface NewSubsystem { readonly memberId: string; readonly code: string; readonly name: string; readonly clientId?: string | null }
export interface NewService {
  readonly subsystemId: string;
  readonly code: string;
  readonly name: string;
  readonly baseUrl: string;
  readonly openapi?: unknown;
  readonly needsConsent?: boolean;
  readonly agreementId?: string | null;
  /** Overrides the mediator's total timeout for this service, in milliseconds. */
  readonly timeoutMs?: number | null;
  /** Keep request and response bodies of its exchanges, sealed with AES-256-GCM. */
  readonly storeBodies?: boolean;
}
/** A TLS client certificate (PEM) that authenticates a subsystem's calls (ADR 43). */
export interface NewCertificate { readonly subsystemId: string; readonly pem: string }
export interface NewRight { readonly serviceId: string; readonly clientId: string; readonly method: string; readonly path: string }

const invalid = (detail: string) => new TongbanError('TB_MEDIATOR_INVALID', { detail });

const CERTIFICATE_PROBLEMS: Record<CertificateProblem, string> = {
  empty: 'Paste the system\'s TLS client certificate (PEM)',
  privateKey: 'That is a private key: paste only the certificate, and keep the key on the calling system',
  notOne: 'Paste exactly one certificate',
  unreadable: 'The text is not a PEM X.509 certificate',
  expired: 'The certificate has expired',
};
/** The message key of a refused certificate, for the API's field problem and the page's error. */
export const certificateProblemKey = (problem: CertificateProblem): string => `mediator.admin.error.certificate.${problem}`;

/** The registry's refusal of a pasted certificate, located at `/certificate` (the API's field). */
export class CertificateRefused extends TongbanError {
  constructor(readonly problem: CertificateProblem) {
    const detail = CERTIFICATE_PROBLEMS[problem];
    super('TB_MEDIATOR_INVALID', { detail, fields: [{ pointer: '/certificate', message: certificateProblemKey(problem), detail }] });
  }
}
const notFound = (detail: string) => new TongbanError('TB_MEDIATOR_NOT_FOUND', { detail });

function checkUrl(value: string): string {
  let url: URL;
  try { url = new URL(value); } catch { throw invalid(`baseUrl ${value} is not a URL`); }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw invalid('baseUrl must be http or https');
  if (url.search || url.hash || url.username || url.password) throw invalid('baseUrl must not carry a query, fragment or credentials');
  return url.toString().replace(/\/$/, '');
}

/** Registry management: members, subsystems, services and access rights (deny by default). */
/** How a registry change reaches the exchanges' cache (registry-cache.ts). */
export interface RegistryChanges {
  /** Inside the change's transaction. */
  announce(tx: Executor): Promise<void>;
  /** After it committed. */
  invalidate(): void;
}

const NO_CACHE: RegistryChanges = { announce: () => Promise.resolve(), invalidate: () => {} };

export function createRegistry(kernel: Pick<Kernel, 'db' | 'audit' | 'now'>, store: MediatorStore, options: { canStoreBodies: boolean; changes?: RegistryChanges } = { canStoreBodies: true }) {
  const { db, audit, now } = kernel;
  const changes = options.changes ?? NO_CACHE;
  /** A change to what exchanges check: announced in its transaction, forgotten here once committed. */
  const change = async <T>(work: (tx: Executor) => Promise<T>): Promise<T> => {
    try {
      return await db.transaction().execute(async (tx) => {
        const result = await work(tx);
        await changes.announce(tx);
        return result;
      });
    } finally {
      changes.invalidate();
    }
  };

  async function memberOf(id: string): Promise<MemberRow> {
    const member = await store.getMember(id);
    if (!member) throw notFound(`No member ${id}`);
    return member;
  }
  async function subsystemOf(id: string): Promise<{ subsystem: SubsystemRow; member: MemberRow }> {
    const subsystem = await store.getSubsystem(id);
    if (!subsystem) throw notFound(`No subsystem ${id}`);
    return { subsystem, member: await memberOf(subsystem.member_id) };
  }
  async function serviceOf(id: string): Promise<{ service: ServiceRow; member: MemberRow }> {
    const service = await store.getService(id);
    if (!service) throw notFound(`No service ${id}`);
    return { service, member: (await subsystemOf(service.subsystem_id)).member };
  }
  const guard = (admin: RegistryAdmin, member: MemberRow) => {
    if (!admin.may(member.agency)) throw new TongbanError('TB_MEDIATOR_FORBIDDEN', { detail: `Member ${member.id} belongs to agency ${member.agency}` });
  };
  const record = (admin: RegistryAdmin, action: string, type: string, id: string, details: Record<string, unknown>) => ({
    actor: admin.actor, action, resource: { type, id }, details, ...(admin.requestId ? { requestId: admin.requestId } : {}),
  });

  return {
    memberOf, subsystemOf, serviceOf,
    ...createClientKeys({ kernel, store, subsystemOf, guard, change, record }),

    /**
     * Adding members is the platform's business: `may` is asked about the member's agency. A
     * member's code is its agency's code, for everyone: a system's agency is read from its member
     * code (ADR 56), so another code would let its systems present as another agency.
     */
    async addMember(input: NewMember, admin: RegistryAdmin): Promise<MemberRow> {
      for (const part of [input.instance, input.memberClass, input.code]) if (!isPart(part)) throw invalid(`"${part}" is not a valid identifier part`);
      if (!input.name.trim() || !input.agency.trim()) throw invalid('A member needs a name and an agency');
      if (!admin.may(input.agency)) throw new TongbanError('TB_MEDIATOR_FORBIDDEN');
      if (input.code !== input.agency) throw new TongbanError('TB_MEDIATOR_MEMBER_NOT_AGENCY', { detail: `Member code ${input.code} is not the code of agency ${input.agency}` });
      const row: MemberRow = { id: memberId(input.instance, input.memberClass, input.code), instance: input.instance, member_class: input.memberClass, code: input.code, name: input.name.trim(), agency: input.agency, created_at: now() };
      await db.transaction().execute(async (tx) => {
        if (!(await store.insertMember(tx, row))) throw new TongbanError('TB_MEDIATOR_EXISTS', { detail: `Member ${row.id} exists` });
        await audit.append(tx, record(admin, 'mediator.member.add', 'mediator-member', row.id, { agency: row.agency }));
      });
      return row;
    },

    async addSubsystem(input: NewSubsystem, admin: RegistryAdmin): Promise<SubsystemRow> {
      if (!isPart(input.code)) throw invalid(`"${input.code}" is not a valid subsystem code`);
      if (!input.name.trim()) throw invalid('A subsystem needs a name');
      const member = await memberOf(input.memberId);
      guard(admin, member);
      const row: SubsystemRow = { id: `${member.id}/${input.code}`, member_id: member.id, code: input.code, name: input.name.trim(), client_id: input.clientId ?? null, created_at: now() };
      await change(async (tx) => {
        if (!(await store.insertSubsystem(tx, row))) throw new TongbanError('TB_MEDIATOR_EXISTS', { detail: `Subsystem ${row.id} or a subsystem with client ${row.client_id ?? ''} exists` });
        await audit.append(tx, record(admin, 'mediator.subsystem.add', 'mediator-subsystem', row.id, { clientId: row.client_id }));
      });
      return row;
    },

    /**
     * Registers a service, or updates it (same subsystem and code). With an Idempotency-Key claim
     * the key is recorded in the same transaction, so a retry writes neither the row nor its audit
     * record again (ADR 31).
     */
    async saveService(input: NewService, admin: RegistryAdmin, keyed: { idempotency?: IdempotencyClaim } = {}): Promise<ServiceRow> {
      if (!isPart(input.code)) throw invalid(`"${input.code}" is not a valid service code`);
      if ((METASERVICES as readonly string[]).includes(input.code)) throw invalid(`"${input.code}" is the name of a metaservice`);
      if ((PUBSUB_AREAS as readonly string[]).includes(input.code)) throw invalid(`"${input.code}" is taken by the PubSub API's addresses under a subsystem`);
      if (!input.name.trim()) throw invalid('A service needs a name');
      const needsConsent = input.needsConsent ?? false;
      if (needsConsent && !input.agreementId) throw invalid('A service that needs consent names its data agreement');
      if (input.timeoutMs !== undefined && input.timeoutMs !== null && (!Number.isInteger(input.timeoutMs) || input.timeoutMs < 100 || input.timeoutMs > 120_000)) {
        throw invalid('timeoutMs must be between 100 and 120000');
      }
      const storeBodies = input.storeBodies ?? false;
      if (storeBodies && !options.canStoreBodies) throw invalid('Storing bodies needs a configured key (TONGBAN_MEDIATOR_BODY_KEY)');
      if (input.openapi !== undefined && input.openapi !== null && (typeof input.openapi !== 'object' || Array.isArray(input.openapi))) throw invalid('openapi must be an OpenAPI document (a JSON object)');
      const { subsystem, member } = await subsystemOf(input.subsystemId);
      guard(admin, member);
      const at = now();
      const id = `${subsystem.id}/${input.code}`;
      const existing = await store.getService(id);
      const row: ServiceRow = {
        id, subsystem_id: subsystem.id, code: input.code, name: input.name.trim(), base_url: checkUrl(input.baseUrl), openapi: input.openapi ?? null,
        needs_consent: needsConsent, agreement_id: input.agreementId ?? null, timeout_ms: input.timeoutMs ?? null, store_bodies: storeBodies, created_at: existing?.created_at ?? at, updated_at: at,
      };
      return change((tx) => withIdempotency(tx, keyed.idempotency, async () => {
        await store.upsertService(tx, row);
        await audit.append(tx, record(admin, existing ? 'mediator.service.update' : 'mediator.service.add', 'mediator-service', id, { baseUrl: row.base_url, needsConsent, agreementId: row.agreement_id, storeBodies }));
        return row;
      }));
    },

    /** Registers a TLS client certificate for a subsystem that calls services; its calls may then come without a token. */
    async addCertificate(input: NewCertificate, admin: RegistryAdmin): Promise<CertificateRow> {
      const parsed = parseCertificate(input.pem, now());
      if (!parsed.ok) throw new CertificateRefused(parsed.problem);
      const { subsystem, member } = await subsystemOf(input.subsystemId);
      guard(admin, member);
      const c = parsed.certificate;
      const row: CertificateRow = {
        sha256: c.sha256, subsystem_id: subsystem.id, subject: c.subject, issuer: c.issuer, serial: c.serial, not_before: c.notBefore, not_after: c.notAfter,
        pem: c.pem, added_by: admin.actor.id, added_at: now(),
      };
      await change(async (tx) => {
        if (!(await store.insertCertificate(tx, row))) throw new TongbanError('TB_MEDIATOR_EXISTS', { detail: `The certificate ${row.sha256} is registered already` });
        await audit.append(tx, record(admin, 'mediator.certificate.add', 'mediator-certificate', row.sha256, { subsystem: row.subsystem_id, subject: row.subject, notAfter: row.not_after.toISOString() }));
      });
      return row;
    },

    /** Removes a certificate: calls presenting it are refused from the next one on. */
    async removeCertificate(sha256: string, admin: RegistryAdmin): Promise<void> {
      const row = await store.getCertificate(sha256);
      if (!row) throw notFound(`No certificate ${sha256}`);
      guard(admin, (await subsystemOf(row.subsystem_id)).member);
      await change(async (tx) => {
        await store.deleteCertificate(tx, sha256);
        await audit.append(tx, record(admin, 'mediator.certificate.remove', 'mediator-certificate', sha256, { subsystem: row.subsystem_id, subject: row.subject }));
      });
    },

    /** Grants a right; granting an existing one changes nothing and returns it. */
    async grant(input: NewRight, admin: RegistryAdmin): Promise<RightRow> {
      const method = input.method.toUpperCase();
      if (!isMethodPattern(method)) throw invalid(`"${input.method}" is not an HTTP method or *`);
      if (!isPathPattern(input.path)) throw invalid(`"${input.path}" is not a path pattern like /persons/* or /**`);
      const { member } = await serviceOf(input.serviceId);
      guard(admin, member);
      await subsystemOf(input.clientId);
      const key = { service_id: input.serviceId, client_id: input.clientId, method, path: input.path };
      return change(async (tx) => {
        const inserted = await store.insertRight(tx, { id: newId(), ...key, granted_by: admin.actor.id, granted_at: now() });
        if (!inserted) {
          const existing = await store.findRight(tx, key);
          if (!existing) throw new Error('access right vanished while granting it');
          return existing;
        }
        await audit.append(tx, record(admin, 'mediator.right.grant', 'mediator-access-right', inserted.id, { service: key.service_id, client: key.client_id, method, path: key.path }));
        return inserted;
      });
    },

    async revoke(rightId: string, admin: RegistryAdmin): Promise<void> {
      const right = await store.getRight(rightId);
      if (!right) throw notFound(`No access right ${rightId}`);
      guard(admin, (await serviceOf(right.service_id)).member);
      await change(async (tx) => {
        await store.deleteRight(tx, rightId);
        await audit.append(tx, record(admin, 'mediator.right.revoke', 'mediator-access-right', rightId, { service: right.service_id, client: right.client_id, method: right.method, path: right.path }));
      });
    },
  };
}

export type Registry = ReturnType<typeof createRegistry>;
