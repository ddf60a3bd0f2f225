import { sql } from 'kysely';
import type { Logger } from 'pino';
import { newId, UUID } from '../ids.js';
import type { Config } from '../config/index.js';
import type { Db } from '../db/index.js';
import { TongbanError } from '../http/errors.js';
import { createHashChain, DEFAULT_CHAINS, type ChainLog, type ChainRow, type ChainSpec } from './chain.js';
import { fitDetails, MAX_DETAILS_BYTES, TRUNCATED_KEY } from './details.js';
import { AuditErrors } from './errors.js';
import { appendDrafted } from './append-together.js';
import { createGroupCommit } from './group-commit.js';
import { loadSigner, signerFromPkcs8, type Signer } from './signing.js';
import type { AuditEvent, AuditRecord, AuditTrail, VerifiableLog } from './types.js';

/** How many independent chains the audit trail spreads appends over (ADR 0003). */
export const AUDIT_CHAINS = DEFAULT_CHAINS;

const ACTION = /^[a-z][a-zA-Z0-9_-]*(\.[a-z][a-zA-Z0-9_-]*)+$/;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 500;

type AuditRow = {
  id: string; chain: number; seq: number; at: Date;
  actor_kind: string; actor_id: string; actor_organisation: string | null; on_behalf_of: string | null;
  action: string; subject: string | null; resource_type: string | null; resource_id: string | null;
  purpose: string | null; request_id: string | null; details: Record<string, unknown> | null;
  prev_hash: string; hash: string;
};

// Type aliases, not interfaces: Kysely's table map needs index-compatible types.
type AuditTables = { tb_audit_record: AuditRow };

/** Version 1 of what an audit record's hash covers. Never change it; add a version instead. */
function auditCanonical(row: Readonly<Record<string, unknown>>): unknown {
  return {
    v: 1,
    at: row.at,
    actor: [row.actor_kind, row.actor_id, row.actor_organisation],
    onBehalfOf: row.on_behalf_of,
    action: row.action,
    subject: row.subject,
    resource: [row.resource_type, row.resource_id],
    purpose: row.purpose,
    requestId: row.request_id,
    details: row.details,
  };
}

export const AUDIT_LOG: ChainSpec = {
  name: 'audit',
  tables: { records: 'tb_audit_record', heads: 'tb_audit_chain_head', checkpoints: 'tb_audit_checkpoint' },
  chains: AUDIT_CHAINS,
  canonical: auditCanonical,
};

function invalid(detail: string): TongbanError {
  return new TongbanError(AuditErrors.TB_AUDIT_INVALID_EVENT, { detail });
}

/**
 * Checks an event and fits its details in MAX_DETAILS_BYTES (ADR 36): long strings cut with their
 * length and SHA-256 noted, never an error for text a person typed. Only what is a programmer's
 * mistake throws: a malformed action, no actor, details using the reserved `_truncated` key.
 */
function prepare(event: AuditEvent, log: Pick<Logger, 'warn'>): AuditEvent {
  if (!ACTION.test(event.action)) throw invalid(`action "${event.action}" is not a dotted verb like application.view`);
  if (!event.actor.id) throw invalid('actor.id is empty');
  if (event.details === undefined) return event;
  if (Object.hasOwn(event.details, TRUNCATED_KEY)) throw invalid(`details may not use the reserved key ${TRUNCATED_KEY}`);
  const fitted = fitDetails(event.details, MAX_DETAILS_BYTES);
  if (fitted.cut === 'none') return event;
  if (fitted.cut === 'whole') {
    // Not text a person typed: many keys or items. Kept as a digest, and a module to fix.
    log.warn({ action: event.action, bytes: fitted.bytes, limit: MAX_DETAILS_BYTES }, 'audit details too large even with long strings cut: kept as their size and SHA-256 only; record facts, not documents');
  }
  return { ...event, details: fitted.details };
}

/** The columns of a prepared event. */
function columnsOf(event: AuditEvent, at: Date): Record<string, unknown> {
  return {
    at,
    actor_kind: event.actor.kind,
    actor_id: event.actor.id,
    actor_organisation: event.actor.organisation ?? null,
    on_behalf_of: event.onBehalfOf ?? null,
    action: event.action,
    subject: event.subject ?? null,
    resource_type: event.resource?.type ?? null,
    resource_id: event.resource?.id ?? null,
    purpose: event.purpose ?? null,
    request_id: event.requestId ?? null,
    details: event.details ?? null,
  };
}

function toRecord(raw: ChainRow | AuditRow): AuditRecord {
  const row = raw as AuditRow;
  return {
    id: row.id,
    chain: row.chain,
    seq: row.seq,
    at: row.at,
    hash: row.hash,
    actor: { kind: row.actor_kind as AuditRecord['actor']['kind'], id: row.actor_id, ...(row.actor_organisation !== null ? { organisation: row.actor_organisation } : {}) },
    action: row.action,
    ...(row.on_behalf_of !== null ? { onBehalfOf: row.on_behalf_of } : {}),
    ...(row.subject !== null ? { subject: row.subject } : {}),
    ...(row.resource_type !== null && row.resource_id !== null ? { resource: { type: row.resource_type, id: row.resource_id } } : {}),
    ...(row.purpose !== null ? { purpose: row.purpose } : {}),
    ...(row.request_id !== null ? { requestId: row.request_id } : {}),
    ...(row.details !== null ? { details: row.details } : {}),
  };
}

/** An append waiting for its group commit; `record` is set by the transaction that wrote it. */
interface Committed { readonly event: AuditEvent; readonly id: string; record: AuditRecord | undefined }

/** Records per group-committed statement: bounds its size and the wait of those it answers (one array parameter per column, ADR 38). */
const MAX_BATCH = 500;

export interface AuditDeps {
  readonly db: Db;
  readonly config: Config;
  readonly log: Logger;
  readonly now: () => Date;
}

/**
 * The kernel's audit trail. A configured signing key is checked now, so a bad one stops the
 * start; a development key is read from the secret store on first use, after migrations ran.
 */
export function createAuditTrail(deps: AuditDeps): Promise<AuditTrail> {
  // A bad configured key rejects the promise rather than throwing at the call.
  return new Promise((resolve) => resolve(buildTrail(deps)));
}

function buildTrail(deps: AuditDeps): AuditTrail {
  const { db, config, log, now } = deps;
  const configured = config.secrets.auditSigningKey;
  const fixed = configured !== undefined ? signerFromPkcs8(configured) : undefined;
  let pending: Promise<Signer> | undefined;
  const signer = (): Promise<Signer> => {
    if (fixed) return Promise.resolve(fixed);
    pending ??= loadSigner(db, config).then(({ signer: s }) => {
      log.warn('audit checkpoints are signed with a development key kept in the database: set TONGBAN_AUDIT_SIGNING_KEY in production');
      return s;
    }, (error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };

  const chainDeps = { db, now, signer, retiredKeys: config.auditRetiredPublicKeys ?? [] };
  const chain = createHashChain(AUDIT_LOG, chainDeps);
  const records = db.withTables<AuditTables>();
  const extra: VerifiableLog[] = [];
  // Appends of reads, group-committed (ADR 0028): one transaction for every record that arrives while the previous one commits.
  const committer = createGroupCommit<Committed>({
    db,
    maxBatch: MAX_BATCH,
    // One statement per batch, from a head held in memory (docs/adr/0037-one-statement-appends.md).
    transaction: false,
    async write(executor, batch) {
      if (!batch[0]) return;
      const at = now();
      const first = batch[0].event;
      const [drafted] = await appendDrafted(executor, [(x, lock) => chain.draft(x, first.requestId ?? first.subject, batch.map((c) => columnsOf(c.event, at)), batch.map((c) => c.id), { lock })]);
      batch.forEach((c, i) => { const row = drafted?.rows[i]; if (row) c.record = toRecord(row); });
    },
    async present(executor, items) {
      const there = await chain.present(executor, items.map((c) => c.id));
      return new Set(items.filter((c) => there.has(c.id)));
    },
  });

  const trail: AuditTrail = {
    name: AUDIT_LOG.name,
    async append(executor, event) {
      // Not in a caller's transaction: a transaction of its own, so it may as well be shared with
      // the appends arriving meanwhile (group commit; resolves after the commit all the same).
      if (!executor.isTransaction) return trail.appendCommitted(event);
      // The request groups a transaction's records in one chain: it then locks one head only.
      const row = await chain.link(executor, event.requestId ?? event.subject, columnsOf(prepare(event, log), now()));
      return toRecord(row);
    },
    async appendMany(executor, events, options = {}) {
      const first = events[0];
      if (!first) return [];
      const at = now();
      const rows = await chain.linkMany(executor, first.requestId ?? first.subject, events.map((event) => columnsOf(prepare(event, log), at)), options.ids);
      return rows.map(toRecord);
    },
    present: (executor, ids) => chain.present(executor, ids),
    draft(executor, events, ids, options) {
      const at = now();
      const first = events[0];
      return chain.draft(executor, first?.requestId ?? first?.subject, events.map((event) => columnsOf(prepare(event, log), at)), ids, options);
    },
    async appendCommitted(event) {
      // An invalid event fails its caller alone, before it joins a batch; the batch writes it prepared.
      const item: Committed = { event: prepare(event, log), id: newId(), record: undefined };
      await committer.submit(item);
      if (!item.record) throw new Error('audit: committed without a record');
      return item.record;
    },
    async listBySubject(subject, options = {}) {
      const limit = Math.min(Math.max(1, options.limit ?? DEFAULT_PAGE), MAX_PAGE);
      let query = records.selectFrom('tb_audit_record').selectAll().where('subject', '=', subject);
      if (options.before) query = query.where('at', '<', options.before);
      if (options.olderThan) {
        const { at, id } = options.olderThan;
        query = query.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
      }
      if (options.from) query = query.where('at', '>=', options.from);
      if (options.to) query = query.where('at', '<', options.to);
      if (options.organisation !== undefined) {
        const agency = options.organisation;
        // Records before ADR 56 name a system's mediator member or subsystem id (CN/GOV/{agency}/…):
        // its third part is the agency, as `agencyOfOrganisation` reads it when they are shown.
        query = query.where((eb) => eb.or([eb('actor_organisation', '=', agency), eb.and([eb('actor_organisation', 'like', '%/%'), eb(sql`split_part(actor_organisation, '/', 3)`, '=', agency)])]));
      }
      if (options.notBy !== undefined) query = query.where('actor_id', '<>', options.notBy);
      if (options.actorKinds !== undefined) {
        if (options.actorKinds.length === 0) return [];
        query = query.where('actor_kind', 'in', options.actorKinds);
      }
      const rows = await query.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
      return rows.map(toRecord);
    },
    async recordFor(subject, id) {
      if (!UUID.test(id)) return undefined;
      const row = await records.selectFrom('tb_audit_record').selectAll().where('id', '=', id.toLowerCase()).where('subject', '=', subject).executeTakeFirst();
      return row ? toRecord(row) : undefined;
    },
    async exists(id) {
      if (!UUID.test(id)) return false;
      return (await records.selectFrom('tb_audit_record').select('id').where('id', '=', id.toLowerCase()).executeTakeFirst()) !== undefined;
    },
    async verify(options) {
      const result = await chain.verify(options);
      if (!result.ok) log.error({ log: AUDIT_LOG.name, firstBad: result.firstBad }, 'audit trail verification failed');
      return result;
    },
    findCheckpoint: (id) => chain.findCheckpoint(id),
    async checkpoint() {
      const info = await chain.checkpoint();
      log.info({ checkpoint: info.id, chains: info.chains, records: info.records }, 'audit checkpoint signed');
      return info;
    },
    createLog(spec): ChainLog {
      if (spec.name === AUDIT_LOG.name || extra.some((l) => l.name === spec.name)) throw new Error(`A log named ${spec.name} exists already`);
      const created = createHashChain(spec, chainDeps);
      extra.push(created);
      return created;
    },
    logs: () => [trail, ...extra],
  };
  return trail;
}
