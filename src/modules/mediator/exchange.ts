import { performance } from 'node:perf_hooks';
import type { AuditEvent } from '../../kernel/audit/types.js';
import type { MachineClient } from '../../kernel/auth/machine/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import './errors.js';
import { authenticate } from './discovery.js';
import { isPlainPath, memberIdOf, methodMatches, pathMatches, peopleOfCall, subsystemIdOf, type SubsystemRef } from './ids.js';
import type { BodyVault } from './body-vault.js';
import { providerKey } from './idempotency.js';
import { FAILURE_CODES, type Forwarder } from './forward.js';
import { sha256, type MessageLog } from './message-log.js';
import type { PersonDirectory } from './memo.js';
import type { CertificateRow, Executor, MediatorStore, MemberRow, RightRow, ServiceRow, SubsystemRow } from './store.js';
import { newId } from '../../kernel/ids.js';

/** The consent module's answer, through a port (the consent module comes later). */
export interface ConsentCheck {
  hasConsent(agreementId: string, personId: string): Promise<boolean>;
}

/** A request body the mediator refused to read to the end: it was over the limit. */
export const BODY_TOO_LARGE = Symbol('body too large');

export interface ExchangeRequest {
  readonly method: string;
  readonly service: SubsystemRef & { readonly code: string };
  /** The path below the service, starting with `/`, without the query string. */
  readonly path: string;
  /** The query string with its `?`, or empty. */
  readonly query: string;
  readonly clientHeader: string | undefined;
  readonly authorization: string | undefined;
  /** SHA-256 of the caller's TLS client certificate on the systems' port (ADR 43), if it presented one. */
  readonly certificate?: string | undefined;
  readonly userId: string | undefined;
  readonly issue: string | undefined;
  readonly requestId: string;
  readonly contentType: string | undefined;
  readonly accept: string | undefined;
  /** The caller's Idempotency-Key: passed on to the provider (as `providerKey`) on a write. */
  readonly idempotencyKey: string | undefined;
  readonly body: Buffer | undefined | typeof BODY_TOO_LARGE;
  readonly verifyToken: (token: string) => Promise<MachineClient>;
}

export interface ExchangeResult {
  readonly messageId: string;
  readonly serviceId: string;
  /** The calling system as the message log names it (authenticated, or as its header claimed), if any. */
  readonly client: string | undefined;
  /** Set when the mediator refused or the provider failed; the route answers it as problem+json. */
  readonly error?: TongbanError;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly seconds: number;
  /** Whether the service is registered: metrics label unknown ones together. */
  readonly known: boolean;
}

/** The registry rows an exchange checks, from memory (registry-cache.ts). */
export interface RegistryReads {
  subsystem(id: string): Promise<SubsystemRow | undefined>;
  service(id: string): Promise<ServiceRow | undefined>;
  rights(serviceId: string, clientId: string): Promise<RightRow[]>;
  certificate(sha256: string): Promise<CertificateRow | undefined>;
  member(id: string): Promise<MemberRow | undefined>;
}

export interface ExchangeDeps {
  readonly store: MediatorStore;
  readonly registry: RegistryReads;
  /** ID number → account id, for the audit subject; without it a read names no subject. */
  readonly people: PersonDirectory | undefined;
  readonly log: MessageLog;
  readonly forwarder: Forwarder;
  readonly vault: BodyVault;
  readonly consent: ConsentCheck | undefined;
  readonly now: () => Date;
  readonly timeoutMs: number;
  readonly maxBodyBytes: number;
}

const fail = (code: string, detail: string) => new TongbanError(code, { detail });

/**
 * One exchange: authenticate, authorise, check consent, forward (outside any transaction), then
 * write the message log (and a person's audit record) before anything is answered.
 */
export async function runExchange(deps: ExchangeDeps, input: ExchangeRequest): Promise<ExchangeResult> {
  const started = performance.now();
  const messageId = newId();
  const serviceId = `${subsystemIdOf(input.service)}/${input.service.code}`;
  const requestBody = input.body === BODY_TOO_LARGE ? undefined : input.body;
  let client: SubsystemRef | undefined;
  let service: ServiceRow | undefined;
  let providerMs: number | undefined;
  let personReads: AuditEvent[] = [];
  let result: Omit<ExchangeResult, 'seconds' | 'messageId' | 'serviceId' | 'client' | 'known'>;

  try {
    const directory = { getSubsystem: (id: string) => deps.registry.subsystem(id), getCertificate: (sha256: string) => deps.registry.certificate(sha256), now: deps.now };
    const caller = await authenticate(directory, input, (named) => { client = named; });
    const clientId = subsystemIdOf(caller);
    service = await deps.registry.service(serviceId);
    if (!service) throw fail('TB_MEDIATOR_UNKNOWN_SERVICE', `No service ${serviceId}`);
    // The right is checked against the path the provider will resolve: no dot segments to climb out of it.
    if (!isPlainPath(input.path)) throw fail('TB_MEDIATOR_PATH_INVALID', `The path ${input.path.slice(0, 200)} has a dot segment, an encoded slash or a backslash`);
    const rights = await deps.registry.rights(serviceId, clientId);
    if (!rights.some((r) => methodMatches(r.method, input.method) && pathMatches(r.path, input.path))) {
      throw fail('TB_MEDIATOR_ACCESS_DENIED', `${clientId} may not ${input.method} ${input.path} of ${serviceId}`);
    }
    const people = peopleOfCall(input.userId, input.path, input.query);
    if (service.needs_consent) {
      if (!deps.consent) throw fail('TB_MEDIATOR_CONSENT_MISSING', `${serviceId} needs consent under agreement ${service.agreement_id ?? ''}, and no consent register is connected`);
      if (people.length === 0) throw fail('TB_MEDIATOR_CONSENT_MISSING', 'Name the person in X-Road-UserId: this service needs their consent');
      // Everyone the call asks about: one person's consent does not cover another's data.
      for (const person of people) {
        if (!(await deps.consent.hasConsent(service.agreement_id ?? '', person))) throw fail('TB_MEDIATOR_CONSENT_MISSING', `No consent of a person the call names under agreement ${service.agreement_id ?? ''}`);
      }
    }
    // Looked up while the provider answers; the audit records name accounts, never ID numbers.
    const subjects = people.map((person) => (deps.people ? deps.people.accountIdOf(person) : Promise.resolve(undefined)));
    for (const subject of subjects) subject.catch(() => {});
    // The agency the calling member belongs to: the person's page names it and routes questions to it.
    const calling = people.length > 0 ? deps.registry.member(memberIdOf(caller)) : undefined;
    calling?.catch(() => {});
    if (input.body === BODY_TOO_LARGE) throw fail('TB_MEDIATOR_BODY_TOO_LARGE', `The mediator passes on request bodies of at most ${deps.maxBodyBytes} bytes`);

    const headers: Record<string, string> = {
      'x-road-id': messageId, 'x-road-client': clientId, 'information-mediator-client': clientId, 'x-road-service': serviceId, 'x-request-id': input.requestId,
    };
    if (input.contentType) headers['content-type'] = input.contentType;
    if (input.accept) headers.accept = input.accept;
    if (input.userId) headers['x-road-userid'] = input.userId;
    if (input.issue) headers['x-road-issue'] = input.issue;
    const keyForProvider = providerKey(input.method, clientId, input.idempotencyKey);
    if (keyForProvider !== undefined) headers['idempotency-key'] = keyForProvider;
    const providerStarted = performance.now();
    const answer = await deps.forwarder.forward({
      url: `${service.base_url}${input.path}${input.query}`, method: input.method, headers, body: requestBody, timeoutMs: service.timeout_ms ?? deps.timeoutMs,
    });
    providerMs = Math.round(performance.now() - providerStarted);
    if (answer.kind !== 'answer') throw fail(FAILURE_CODES[answer.kind], answer.kind === 'unreachable' ? `${serviceId} could not be reached (${answer.reason})` : `${serviceId}: ${answer.reason}`);
    result = { status: answer.status, headers: answer.headers, body: answer.body };
    if (people.length > 0) {
      const [accountIds, member] = await Promise.all([Promise.all(subjects), calling]);
      personReads = accountIds.map((accountId) => ({
        actor: { kind: 'client', id: clientId, organisation: member?.agency ?? memberIdOf(caller) },
        action: 'mediator.exchange', ...(accountId !== undefined ? { subject: accountId } : {}), resource: { type: 'mediator-service', id: serviceId },
        requestId: input.requestId, details: { messageId, method: input.method, status: answer.status, ...(accountId === undefined ? { person: 'no account' } : {}) },
        ...(input.issue ? { purpose: input.issue.slice(0, 500) } : {}),
      }));
    }
  } catch (error) {
    if (!(error instanceof TongbanError)) throw error;
    result = { error, status: error.status, headers: {}, body: Buffer.alloc(0) };
  }

  // Bodies are sealed before the log's transaction (no waiting inside it), and only for an
  // exchange that reached the provider: a refused caller's body is not the service's data.
  let sealed: ((tx: Executor) => Promise<void>) | undefined;
  let sealError: Error | undefined;
  if (service?.store_bodies && providerMs !== undefined) {
    try {
      sealed = await sealBodies(deps, messageId, requestBody, result.body);
    } catch (error) {
      sealError = error instanceof Error ? error : new Error(String(error));
    }
  }
  const seconds = (performance.now() - started) / 1000;
  const clientId = client ? subsystemIdOf(client) : input.clientHeader;
  await deps.log.write({
    at: deps.now(), messageId, requestId: input.requestId, client: clientId, service: serviceId,
    method: input.method, path: `${input.path}${input.query}`, userId: input.userId, issue: input.issue, status: result.status,
    outcome: result.error ? result.error.code : 'ok', requestDigest: sha256(requestBody), responseDigest: sha256(result.body),
    requestBytes: requestBody?.length ?? 0, responseBytes: result.body.length, durationMs: Math.round(seconds * 1000), providerMs,
  }, personReads, sealed);
  // The exchange is logged; bodies that had to be kept and could not be are a failure, not a silent gap.
  if (sealError !== undefined) throw sealError;
  return { ...result, messageId, serviceId, client: clientId, seconds, known: service !== undefined };
}

async function sealBodies(deps: ExchangeDeps, messageId: string, request: Buffer | undefined, response: Buffer): Promise<(tx: Executor) => Promise<void>> {
  const [keyId, req, res] = await Promise.all([
    deps.vault.keyId(), deps.vault.seal(messageId, 'request', request ?? Buffer.alloc(0)), deps.vault.seal(messageId, 'response', response),
  ]);
  const row = {
    message_id: messageId, at: deps.now(), key_id: keyId,
    request_iv: req.iv, request_tag: req.tag, request_body: req.body, response_iv: res.iv, response_tag: res.tag, response_body: res.body,
  };
  return (tx) => deps.store.insertBodies(tx, row);
}
