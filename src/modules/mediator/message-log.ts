import type { AuditEvent, AuditTrail } from '../../kernel/audit/types.js';
import { appendDrafted, createGroupCommit, type ChainLog, type ChainSpec, type Drafter } from '../../kernel/audit/index.js';
import type { Db } from '../../kernel/db/index.js';
import type { Executor } from './store.js';
import { newId } from '../../kernel/ids.js';
import { sha256 as sha256Of } from '../../kernel/digest.js';

/** One exchange as the message log keeps it: who called what, why, how it ended, digests. */
export interface LoggedExchange {
  readonly at: Date;
  readonly messageId: string;
  readonly requestId: string | undefined;
  readonly client: string | undefined;
  readonly service: string | undefined;
  readonly method: string;
  readonly path: string;
  readonly userId: string | undefined;
  readonly issue: string | undefined;
  readonly status: number;
  /** `ok` when the provider answered (whatever its status), else the mediator's error code. */
  readonly outcome: string;
  readonly requestDigest: string;
  readonly responseDigest: string;
  readonly requestBytes: number;
  readonly responseBytes: number;
  readonly durationMs: number;
  readonly providerMs: number | undefined;
}

export const sha256 = (body: Buffer | undefined): string => `sha256:${sha256Of(body ?? Buffer.alloc(0), 'base64url')}`;

/** Version 1 of what a message log record's hash covers. Never change it; add a version instead. */
function canonical(row: Readonly<Record<string, unknown>>): unknown {
  return {
    v: 1, at: row.at, messageId: row.message_id, requestId: row.request_id, client: row.client, service: row.service,
    method: row.method, path: row.path, userId: row.user_id, issue: row.issue, status: row.status, outcome: row.outcome,
    request: [row.request_digest, row.request_bytes], response: [row.response_digest, row.response_bytes],
    durationMs: row.duration_ms, providerMs: row.provider_ms,
  };
}

export const MESSAGE_LOG: ChainSpec = {
  name: 'mediator.messages',
  tables: { records: 'mediator_message_log', heads: 'mediator_message_log_head', checkpoints: 'mediator_message_log_checkpoint' },
  canonical,
};

const cap = (value: string | undefined, length: number) => (value === undefined ? null : value.slice(0, length));

export interface MessageLog {
  readonly chain: ChainLog;
  /**
   * Appends the exchange, the audit records of the people whose data it carried and whatever
   * `also` writes (the sealed bodies) in one transaction: all are there, or none. Resolves once
   * that transaction has committed; rejects if it did not.
   */
  write(exchange: LoggedExchange, personReads?: readonly AuditEvent[], also?: (tx: Executor) => Promise<void>): Promise<void>;
  /** Records appended and the transactions that committed them, since start (group commit at work). */
  stats(): { readonly records: number; readonly transactions: number };
}

interface Pending {
  /** The message-log record's id and the audit records', fixed before the first try (a retry writes the same rows). */
  readonly id: string;
  readonly auditIds: readonly string[];
  readonly exchange: LoggedExchange;
  readonly personReads: readonly AuditEvent[];
  readonly also: ((tx: Executor) => Promise<void>) | undefined;
}

/**
 * Records per batch statement. Each column is one array parameter (ADR 38), so this no longer
 * guards PostgreSQL's 65,535 parameters; it bounds one statement's size and the wait of the
 * exchanges whose answers it holds.
 */
const MAX_BATCH = 500;

const columnsOf = (e: LoggedExchange) => ({
  at: e.at, message_id: e.messageId, request_id: cap(e.requestId, 128), client: cap(e.client, 300), service: cap(e.service, 400),
  method: e.method, path: cap(e.path, 2000), user_id: cap(e.userId, 200), issue: cap(e.issue, 500), status: e.status, outcome: e.outcome,
  request_digest: e.requestDigest, response_digest: e.responseDigest, request_bytes: e.requestBytes, response_bytes: e.responseBytes,
  duration_ms: e.durationMs, provider_ms: e.providerMs ?? null,
});

/**
 * Group commit (docs/adr/0016-mediator-performance.md, the kernel's group-commit.ts): while one
 * batch commits, the exchanges that finish meanwhile queue, and the next transaction appends all of
 * them (one chain lock and one statement for the records, the same for the audit records). Nobody
 * waits for a timer: a lone exchange commits at once. Every caller is answered only after its own
 * batch committed, so an answered exchange is never missing from the log. If a batch fails, the
 * exchanges found in the log all the same are answered (the commit's acknowledgement was lost) and
 * each of the others is tried alone with the same record ids, so one bad record fails only its own
 * call and no exchange is logged twice; a database that is down fails them all.
 */
export function createMessageLog(db: Db, audit: AuditTrail, options: { readonly concurrency?: number } = {}): MessageLog {
  const chain = audit.createLog(MESSAGE_LOG);
  const committer = createGroupCommit<Pending>({
    db,
    maxBatch: MAX_BATCH,
    ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
    // One statement for the batch's records and audit records, from heads held in memory
    // (docs/adr/0037-one-statement-appends.md); a transaction only when bodies are sealed with them.
    transaction: false,
    async write(executor, batch) {
      const drafters: Drafter[] = [(x, lock) => chain.draft(x, batch[0]?.exchange.messageId, batch.map((p) => columnsOf(p.exchange)), batch.map((p) => p.id), { lock })];
      const reads = batch.flatMap((p) => p.personReads);
      if (reads.length > 0) drafters.push((x, lock) => audit.draft(x, reads, batch.flatMap((p) => p.auditIds), { lock }));
      const withBodies = batch.filter((p) => p.also);
      await appendDrafted(executor, drafters, withBodies.length === 0 ? {} : {
        within: async (tx) => { for (const p of withBodies) await p.also?.(tx); },
      });
    },
    // The exchange's record, its audit record and its bodies commit together: one is all.
    async present(executor, items) {
      const there = await chain.present(executor, items.map((p) => p.id));
      return new Set(items.filter((p) => there.has(p.id)));
    },
  });

  return {
    chain,
    stats: () => committer.stats(),
    write: (exchange, personReads = [], also) => committer.submit({ id: newId(), auditIds: personReads.map(() => newId()), exchange, personReads, also }),
  };
}
