import { Counter, Histogram, type Registry as MetricsRegistry } from 'prom-client';
import type { Kernel } from '../../kernel/context.js';
import { readStoredBodies, type BodyReader, type StoredBodies } from './bodies.js';
import { readExchangeRecord, type ExchangeRecord } from './exchange-records.js';
import { createBodyVault } from './body-vault.js';
import { authenticate, createDiscovery, verifyCaller, type Credentials } from './discovery.js';
import { createExchangeIdempotency } from './idempotency.js';
import { runExchange, type ConsentCheck, type ExchangeRequest, type ExchangeResult } from './exchange.js';
import { createForwarder } from './forward.js';
import { createMessageLog } from './message-log.js';
import { cachedDirectory, type PersonDirectory } from './memo.js';
import { createRegistryCache } from './registry-cache.js';
import { createGovstackConfig } from './govstack-config.js';
import { createGovstackRights } from './govstack-rights.js';
import { createRegistry, type RegistryAdmin } from './registry.js';
import { createMediatorStore, type LogRow, type TrafficRow } from './store.js';
import { cursorText, type LogFilter, type LogPage } from './log-search.js';
import { createPubSub, type PubSubAnswer, type PubSubCall } from './pubsub.js';
import { registerPushDelivery } from './pubsub-push.js';
import { createPubSubStore } from './store-pubsub.js';

export type { ConsentCheck, ExchangeRequest, ExchangeResult } from './exchange.js';
export { BODY_TOO_LARGE } from './exchange.js';
export { CALL_SCOPE, METASERVICES } from './discovery.js';
export type { BodyReader, StoredBodies } from './bodies.js';
export { maskedPath, type ExchangeRecord } from './exchange-records.js';
export type { PersonDirectory } from './memo.js';
export type { RegistryAdmin, NewMember, NewSubsystem, NewService, NewRight, NewCertificate } from './registry.js';
export { CertificateRefused, certificateProblemKey } from './registry.js';
export { KeyRefused, type SubsystemKey } from './client-keys.js';
export { groupedFingerprint, normaliseFingerprint, peerCertificateSha256 } from './certificates.js';
export type { MemberRow, SubsystemRow, ServiceRow, RightRow, CertificateRow, LogRow, TrafficRow } from './store.js';
export type { SubsystemRef } from './ids.js';
export { OUTCOMES, parseLogSearch, type LogCursor, type LogFilter, type LogPage, type LogSearchField, type LogSearchInput, type LogSearchProblem, type Outcome } from './log-search.js';
export { MAX_TTL_SECONDS, PUBSUB_AREAS, PUSH_QUEUE, ids as subsystemIdsOf, type PubSubOverview, type PubSubAnswer, type PubSubCall, type PubSubOperation, type SubscriptionInput } from './pubsub.js';
export { parseSubsystemId, subsystemIdOf } from './ids.js';

export interface MediatorOptions {
  /** The consent register; without it, a service that needs consent refuses every call. */
  readonly consent?: ConsentCheck;
  /** ID number → account id for the audit subject of a person's data read (identity's accountByIdNumber). */
  readonly people?: PersonDirectory;
  /** How long a cached registry row may live without a change notification (default 5 s). */
  readonly registryTtlMs?: number;
  readonly connectTimeoutMs?: number;
  /** Default total time a provider has for its whole answer; a service may set its own. */
  readonly timeoutMs?: number;
  /** Largest request body passed on (default: the app's body limit). */
  readonly maxBodyBytes?: number;
  readonly maxAnswerBytes?: number;
}

/** The most exchanges one search answers: a page's worth; a narrower search finds the rest. */
export const SEARCH_LIMIT = 200;
/** At most this many exchanges in one download of a search. */
export const EXPORT_LIMIT = 10_000;

/** Message-log batches committing at once on PostgreSQL (group-commit.ts `concurrency`). */
const LOG_COMMITS_AT_ONCE = 2;
const DURATION_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The information mediator: registry, proxied exchanges, message log, discovery, traffic. */
export function createMediatorService(kernel: Pick<Kernel, 'db' | 'audit' | 'now' | 'config' | 'jobs'> & Partial<Pick<Kernel, 'log'>>, options: MediatorOptions = {}) {
  const store = createMediatorStore(kernel.db);
  const database = kernel.config.database;
  const cache = createRegistryCache(store, {
    postgresUrl: database.kind === 'postgres' ? database.url : undefined,
    ...(options.registryTtlMs !== undefined ? { ttlMs: options.registryTtlMs } : {}),
    onError: (error) => kernel.log?.warn({ err: error }, 'mediator registry cache: not listening for changes, reading the database on every call'),
  });
  // Two batches may commit at once on PostgreSQL (a pool of connections): an exchange arriving while
  // one batch commits does not wait for it (docs/performance.md). PGlite has one connection.
  const log = createMessageLog(kernel.db, kernel.audit, { concurrency: database.kind === 'postgres' ? LOG_COMMITS_AT_ONCE : 1 });
  const vault = createBodyVault(kernel);
  const maxBodyBytes = options.maxBodyBytes ?? kernel.config.limits.bodyBytes;
  const forwarder = createForwarder({ connectTimeoutMs: options.connectTimeoutMs ?? 2_000, maxAnswerBytes: options.maxAnswerBytes ?? 10 * 1_048_576 });
  const deps = {
    store, registry: cache, people: options.people ? cachedDirectory(options.people) : undefined,
    log, forwarder, vault, consent: options.consent, now: kernel.now, timeoutMs: options.timeoutMs ?? 10_000, maxBodyBytes,
  };
  let observe: ((result: Pick<ExchangeResult, 'serviceId' | 'known' | 'status' | 'error' | 'seconds'>) => void) | undefined;
  const callers = { getSubsystem: (id: string) => cache.subsystem(id), getCertificate: (sha256: string) => cache.certificate(sha256), now: kernel.now };

  const registry = createRegistry(kernel, store, { canStoreBodies: vault.available, changes: cache });
  const pubsubStore = createPubSubStore(kernel.db);
  const authenticateCaller = (credentials: Credentials) => authenticate(callers, credentials);
  const pubsub = createPubSub({ db: kernel.db, audit: kernel.audit, jobs: kernel.jobs, now: kernel.now, registry: store, store: pubsubStore, log, authenticate: authenticateCaller, people: deps.people });
  registerPushDelivery({ db: kernel.db, jobs: kernel.jobs, now: kernel.now, registry: store, store: pubsubStore, forwarder, log, timeoutMs: deps.timeoutMs, people: deps.people,
    observe: (push) => observe?.(push),
  });
  async function searchLog(filter: LogFilter, reader: Pick<RegistryAdmin, 'may' | 'everything'>, limit = SEARCH_LIMIT): Promise<LogPage<LogRow>> {
    const within = reader.everything === true ? undefined : (await store.listMembers()).filter((m) => reader.may(m.agency)).map((m) => m.id);
    // One more than a page: whether there are older ones to link to.
    const rows = await store.searchLog(filter, within, limit + 1);
    const shown = rows.slice(0, limit);
    const last = shown.at(-1);
    return { rows: shown, older: rows.length > limit && last ? cursorText({ at: last.at, id: last.id }) : undefined };
  }
  return {
    ...registry,
    /** The GovStack IM Configuration Management API's allow and deny lists over the registry. */
    govstackRights: createGovstackRights(store, registry),
    /** The GovStack IM Configuration Management API's configuration and status, read from the registry. */
    govstackConfig: createGovstackConfig(store, { publicUrl: kernel.config.publicUrl, registryCached: () => cache.active }),
    ...createDiscovery(store),
    maxBodyBytes,
    /** The kernel's clock: the registry pages check a pasted certificate's validity against it. */
    now: kernel.now,
    /** Whether a service may turn on "keep bodies" (production needs a configured key). */
    canStoreBodies: vault.available,
    messageLog: log.chain,
    /** Exchanges logged and the transactions that did it (group commit). */
    logStats: () => log.stats(),
    /** The calling system's token alone (listClients needs no subsystem). */
    verifyCaller: (credentials: Credentials) => verifyCaller(callers, credentials),
    /** The calling subsystem named by the header and proven by the token or the client certificate. */
    authenticate: authenticateCaller,
    /** Idempotency-Key on mediated writes: forwarded once per client and key (ADR 31). */
    idempotency: createExchangeIdempotency({ kernel, authenticate: authenticateCaller }),
    /** The GovStack IM PubSub API: rooms, event types, publishing, push and pull subscriptions (ADR 53). */
    pubsub: {
      ...pubsub,
      /** One PubSub call, counted in /metrics with the exchanges (service `{room}/{area}`). */
      async call(credentials: Credentials, input: PubSubCall): Promise<PubSubAnswer> {
        const answer = await pubsub.call(credentials, input);
        observe?.(answer);
        return answer;
      },
    },
    listMembers: () => store.listMembers(),
    listSubsystems: (memberId?: string) => store.listSubsystems(memberId),
    listServices: (subsystemId?: string) => store.listServices(subsystemId),
    listCertificates: (subsystemId?: string) => store.listCertificates(subsystemId),
    listRights: (filter: { serviceId?: string; clientId?: string } = {}) => store.rights(filter),

    /** One proxied call; the message log has it before this returns. */
    async exchange(input: ExchangeRequest): Promise<ExchangeResult> {
      const result = await runExchange(deps, input);
      observe?.(result);
      return result;
    },

    /** Per-service counts, errors and latencies in the app's Prometheus registry. */
    instrument(registry: MetricsRegistry): void {
      const requests = new Counter({ name: 'mediator_requests_total', help: 'Exchanges through the information mediator', labelNames: ['service', 'status'], registers: [registry] });
      const errors = new Counter({ name: 'mediator_errors_total', help: 'Exchanges the mediator refused or the provider failed', labelNames: ['service', 'code'], registers: [registry] });
      const duration = new Histogram({ name: 'mediator_request_duration_seconds', help: 'Time from receiving an exchange to having logged its answer', labelNames: ['service'], buckets: DURATION_BUCKETS, registers: [registry] });
      observe = (result) => {
        // Unregistered services share one label: a probe must not create a series per made-up name.
        const service = result.known ? result.serviceId : 'unknown';
        requests.inc({ service, status: String(result.status) });
        if (result.error) errors.inc({ service, code: result.error.code });
        duration.observe({ service }, result.seconds);
      };
    },

    traffic: (since: Date): Promise<TrafficRow[]> => store.traffic(since),
    /** The log searched (log-search.ts): an agency administrator's search finds only exchanges involving their agency's members. */
    searchLog,
    /** Every exchange the search finds, newest first, up to `max` (the page's download), read a page at a time. */
    async exportLog(filter: LogFilter, reader: Pick<RegistryAdmin, 'may' | 'everything'>, max = EXPORT_LIMIT): Promise<LogRow[]> {
      const all: LogRow[] = [];
      let olderThan = filter.olderThan;
      while (all.length < max) {
        const page = await searchLog({ ...filter, ...(olderThan ? { olderThan } : {}) }, reader, Math.min(500, max - all.length));
        all.push(...page.rows);
        const last = page.rows.at(-1);
        if (page.older === undefined || !last) break;
        olderThan = { at: last.at, id: last.id };
      }
      return all;
    },
    /** One exchange's log record for an administrator of an agency involved in it; audited. */
    exchangeRecord: (messageId: string, reader: RegistryAdmin): Promise<ExchangeRecord> => readExchangeRecord({ store, audit: kernel.audit, people: deps.people }, messageId, reader),
    /** The stored request and response of one exchange, decrypted and verified; audited. */
    readBodies: (messageId: string, reader: BodyReader): Promise<StoredBodies> => readStoredBodies({ store, vault, audit: kernel.audit, people: deps.people }, messageId, reader),
    /** Whether registry rows are kept in memory now (PostgreSQL: once listening for changes). */
    get registryCached(): boolean { return cache.active; },
    async close(): Promise<void> {
      await Promise.all([forwarder.close(), cache.close()]);
    },
  };
}

export type MediatorService = ReturnType<typeof createMediatorService>;
