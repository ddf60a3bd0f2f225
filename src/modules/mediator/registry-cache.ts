import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import pg from 'pg';
import type { CertificateRow, Executor, MediatorStore, MemberRow, RightRow, ServiceRow, SubsystemRow } from './store.js';

/** The PostgreSQL channel on which a registry change tells every instance to forget what it cached. */
export const REGISTRY_CHANNEL = 'tongban_mediator_registry';
const DEFAULT_TTL_MS = 5_000;
/** Unknown ids are cached too (a probe is answered from memory); past this many entries, start over. */
const MAX_ENTRIES = 10_000;
const RETRY_MS = 1_000;
/**
 * A listener cut off silently (a failover to another host, a firewall forgetting an idle
 * connection) gets no error and no notification: it would keep the cache on, deaf, until a
 * restart. So once a second it must answer a `select 1` within two seconds, or it is dropped (the
 * cache forgets and goes off) and the next exchange listens anew (docs/adr/0064).
 */
const HEARTBEAT_MS = 1_000;
const HEARTBEAT_TIMEOUT_MS = 2_000;

/**
 * Caches of the services in this process, by database: a change made through one service clears
 * the others at once (two apps on one PGlite in a test; on PostgreSQL the notification does it too).
 */
const inProcess = new WeakMap<object, Set<() => void>>();

export interface RegistryCacheOptions {
  /** PostgreSQL: the database to LISTEN on. Absent for PGlite, whose only process is this one. */
  readonly postgresUrl?: string | undefined;
  /** Safety net: an entry is read again after this long even if no notification came. */
  readonly ttlMs?: number;
  readonly onError?: (error: unknown) => void;
}

/**
 * The registry rows an exchange needs (client subsystem or certificate, service, access rights), kept in memory
 * (docs/adr/0016-mediator-performance.md). Every change announces itself inside its transaction
 * (`pg_notify`, delivered at commit to every instance listening, this one included) and clears this
 * instance's entries after commit, so a revoked right takes effect at once here and within the
 * notification's delivery elsewhere. While an instance is not listening (not yet connected, or its
 * listening connection dropped) it caches nothing and reads the database on every call.
 */
export function createRegistryCache(store: MediatorStore, options: RegistryCacheOptions = {}) {
  const ttl = options.ttlMs ?? DEFAULT_TTL_MS;
  const entries = new Map<string, { readonly until: number; readonly value: Promise<unknown> }>();
  const url = options.postgresUrl;
  let listening = url === undefined;
  let listener: pg.Client | undefined;
  let connecting: Promise<void> | undefined;
  let retryAt = 0;
  let closed = false;
  let heartbeat: NodeJS.Timeout | undefined;

  const invalidate = () => { entries.clear(); };
  const siblings = inProcess.get(store.db) ?? new Set<() => void>();
  inProcess.set(store.db, siblings);
  siblings.add(invalidate);

  const drop = (client: pg.Client) => {
    if (listener === client) {
      listener = undefined;
      listening = false;
      clearTimeout(heartbeat);
      // Notifications sent while it was down are lost: nothing cached before may be trusted.
      invalidate();
    }
    client.end().catch(() => {});
  };

  const beat = (client: pg.Client) => {
    heartbeat = setTimeout(() => {
      if (listener !== client) return;
      client.query('select 1').then(() => { if (listener === client) beat(client); }, (error: unknown) => { options.onError?.(error); drop(client); });
    }, HEARTBEAT_MS);
    // The cache alone never keeps a process alive.
    heartbeat.unref();
  };

  // Lazily, on the first exchange: a CLI run that never mediates opens no extra connection.
  const listen = () => {
    if (listening || closed || connecting || url === undefined || performance.now() < retryAt) return;
    // The pool's connect timeout and keepalive (kernel/db/connect.ts); query_timeout bounds the heartbeat.
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, keepAlive: true, keepAliveInitialDelayMillis: 10_000, query_timeout: HEARTBEAT_TIMEOUT_MS });
    client.on('notification', invalidate);
    client.on('error', (error) => { options.onError?.(error); drop(client); });
    client.on('end', () => { drop(client); });
    connecting = (async () => {
      await client.connect();
      await client.query(`listen ${REGISTRY_CHANNEL}`);
      if (closed) {
        await client.end();
        return;
      }
      listener = client;
      invalidate();
      listening = true;
      beat(client);
    })().catch((error: unknown) => {
      retryAt = performance.now() + RETRY_MS;
      options.onError?.(error);
      client.end().catch(() => {});
    }).finally(() => { connecting = undefined; });
  };

  function cached<T>(key: string, load: () => Promise<T>): Promise<T> {
    listen();
    if (!listening) return load();
    const now = performance.now();
    const hit = entries.get(key);
    if (hit && hit.until > now) return hit.value as Promise<T>;
    if (entries.size >= MAX_ENTRIES) invalidate();
    // The promise is shared by concurrent misses. A change clears the map, so a read that started
    // before the change is never served to a request that starts after it.
    const value = load();
    const entry = { until: now + ttl, value };
    entries.set(key, entry);
    value.catch(() => { if (entries.get(key) === entry) entries.delete(key); });
    return value;
  }

  return {
    subsystem: (id: string): Promise<SubsystemRow | undefined> => cached(`s ${id}`, () => store.getSubsystem(id)),
    service: (id: string): Promise<ServiceRow | undefined> => cached(`v ${id}`, () => store.getService(id)),
    rights: (serviceId: string, clientId: string): Promise<RightRow[]> => cached(`r ${serviceId} ${clientId}`, () => store.rights({ serviceId, clientId })),
    certificate: (sha256: string): Promise<CertificateRow | undefined> => cached(`c ${sha256}`, () => store.getCertificate(sha256)),
    member: (id: string): Promise<MemberRow | undefined> => cached(`m ${id}`, () => store.getMember(id)),

    /** Inside a registry change's transaction: every listening instance forgets at commit. */
    async announce(tx: Executor): Promise<void> {
      if (url !== undefined) await sql`select pg_notify(${REGISTRY_CHANNEL}, '')`.execute(tx);
    },
    /** After the change committed: this process forgets at once, without waiting for the notification. */
    invalidate: () => { for (const forget of siblings) forget(); },
    /** Whether entries are being kept (tests and the bench check it). */
    get active(): boolean { return listening; },
    async close(): Promise<void> {
      closed = true;
      siblings.delete(invalidate);
      await connecting;
      clearTimeout(heartbeat);
      const client = listener;
      listener = undefined;
      listening = url === undefined;
      invalidate();
      if (client) await client.end().catch(() => {});
    },
  };
}

export type RegistryCache = ReturnType<typeof createRegistryCache>;
