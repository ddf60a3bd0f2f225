import { sql, type Kysely } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import { jsonRoundTrip } from './canonical.js';
import { chainFor, checkpointMessage, GENESIS_HASH, recordHash } from './hashing.js';
import type { Signer } from './signing.js';
import type { CheckpointInfo, VerifiableLog } from './types.js';
import { verifyLog } from './verify.js';

/**
 * Partitioned hash chains, shared by the audit trail and any other append-only log (the
 * mediator's message log). See docs/adr/0003-audit-chain.md.
 *
 * A log owns three tables, created by its own migration:
 *   records      id uuid primary key, chain integer, seq bigint, prev_hash text, hash text,
 *                unique (chain, seq), plus the log's own columns;
 *   heads        chain integer primary key, seq bigint, hash text;
 *   checkpoints  id uuid primary key, at timestamptz, heads jsonb, public_key text, signature text.
 * Records and checkpoints get the `tb_audit_reject_change()` triggers of the audit migration.
 */
export const DEFAULT_CHAINS = 16;
export { chainFor, checkpointMessage, GENESIS_HASH, recordHash };

export interface ChainTables {
  readonly records: string;
  readonly heads: string;
  readonly checkpoints: string;
}

export interface ChainSpec {
  /** Bound into every hash and signature, so records cannot be moved from one log to another. */
  readonly name: string;
  readonly tables: ChainTables;
  /** How many independent chains appends spread over; safe to change later (ADR 0003). */
  readonly chains?: number;
  /**
   * The log's own columns of a row as the value to hash. Given the row about to be inserted or
   * the row read back, it must return equal values: never hash a column added later.
   */
  readonly canonical: (row: Readonly<Record<string, unknown>>) => unknown;
}

/** A row before its hash is known: the chain columns plus the log's own. */
export interface UnsignedRow {
  readonly id: string;
  readonly chain: number;
  readonly seq: number;
  readonly prev_hash: string;
  readonly [column: string]: unknown;
}

/** A stored row. */
export interface ChainRow extends UnsignedRow {
  readonly hash: string;
}

export interface ChainLog extends VerifiableLog {
  /**
   * Appends one record in `executor`'s transaction (or a transaction of its own when given the
   * database). The chain's head stays locked until that transaction ends, so keep it short.
   * `key` picks the chain; records with the same key land in the same chain.
   */
  link(executor: Kysely<object>, key: string | undefined, columns: Readonly<Record<string, unknown>>): Promise<ChainRow>;
  /**
   * Appends several records to one chain (picked by `key`) in order: one head lock and one
   * statement for all of them (group commit, docs/adr/0016-mediator-performance.md). Every row
   * must have the same columns. `ids`, when given, are the records' ids (one per row, fixed before
   * the first try so that a retry cannot write a record twice: see group-commit.ts); otherwise new
   * UUIDv7s.
   */
  linkMany(executor: Kysely<object>, key: string | undefined, rows: readonly Readonly<Record<string, unknown>>[], ids?: readonly string[]): Promise<ChainRow[]>;
  /** Which of these record ids are stored (after a failed group commit: did it commit after all?). */
  present(executor: Kysely<object>, ids: readonly string[]): Promise<Set<string>>;
}

export interface ChainDeps {
  readonly db: Kysely<object>;
  readonly now: () => Date;
  readonly signer: () => Promise<Signer>;
}

export interface HeadEntry { readonly chain: number; readonly seq: number; readonly hash: string }

const RESERVED = new Set(['id', 'chain', 'seq', 'prev_hash', 'hash']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMN = /^[a-z][a-z0-9_]*$/;

// pg turns a JS array parameter into a PostgreSQL array; jsonb columns need the JSON text.
function toParam(value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return JSON.stringify(value);
  return value;
}

function normalise(value: unknown): unknown {
  if (value === undefined) return null;
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && !Buffer.isBuffer(value)) return jsonRoundTrip(value);
  return value;
}

export function createHashChain(spec: ChainSpec, deps: ChainDeps): ChainLog {
  const chains = spec.chains ?? DEFAULT_CHAINS;
  if (!Number.isInteger(chains) || chains < 1) throw new Error(`${spec.name}: the chain count must be a positive integer`);
  const records = sql.table(spec.tables.records);
  const heads = sql.table(spec.tables.heads);
  const checkpoints = sql.table(spec.tables.checkpoints);

  const lockHead = async (executor: Kysely<object>, chain: number) =>
    (await sql<{ seq: number; hash: string }>`select seq, hash from ${heads} where chain = ${chain} for update`.execute(executor)).rows[0];

  const linkMany = async (executor: Kysely<object>, key: string | undefined, rows: readonly Readonly<Record<string, unknown>>[], ids?: readonly string[]): Promise<ChainRow[]> => {
    if (rows.length === 0) return [];
    if (ids !== undefined && ids.length !== rows.length) throw new Error(`${spec.name}: ${ids.length} ids for ${rows.length} records`);
    if (!executor.isTransaction) return executor.transaction().execute((tx) => linkMany(tx, key, rows, ids));
    const first = rows[0] ?? {};
    const columns = Object.keys(first);
    for (const column of columns) {
      if (RESERVED.has(column) || !COLUMN.test(column)) throw new Error(`${spec.name}: column name ${column} is reserved or malformed`);
    }
    const shape = columns.join(',');
    if (rows.some((r) => Object.keys(r).join(',') !== shape)) throw new Error(`${spec.name}: records appended together must have the same columns`);
    const chain = chainFor(key, chains);
    let head = await lockHead(executor, chain);
    if (!head) {
      // A chain's first record creates its head; a concurrent creator waits here, then both lock it.
      await sql`insert into ${heads} (chain, seq, hash) values (${chain}, 0, ${GENESIS_HASH}) on conflict (chain) do nothing`.execute(executor);
      head = await lockHead(executor, chain);
      if (!head) throw new Error(`${spec.name}: head of chain ${chain} could not be created`);
    }
    let { seq, hash } = head;
    const linked: ChainRow[] = rows.map((columnsOfRow, i) => {
      const own: Record<string, unknown> = {};
      for (const column of columns) own[column] = normalise(columnsOfRow[column]);
      seq += 1;
      const unsigned = { ...own, id: ids?.[i] ?? uuidv7(), chain, seq, prev_hash: hash };
      const row: ChainRow = { ...unsigned, hash: recordHash(spec, unsigned) };
      hash = row.hash;
      return row;
    });
    const names = Object.keys(linked[0] ?? {});
    const values = linked.map((row) => sql`(${sql.join(names.map((n) => toParam(row[n])))})`);
    // One statement for the records and the head: one round trip whatever the batch size
    // (PostgreSQL runs a data-modifying WITH exactly once, referenced or not).
    await sql`with appended as (insert into ${records} (${sql.join(names.map((n) => sql.ref(n)))}) values ${sql.join(values)} returning 1)
      update ${heads} set seq = ${seq}, hash = ${hash} where chain = ${chain}`.execute(executor);
    return linked;
  };
  const link = async (executor: Kysely<object>, key: string | undefined, columns: Readonly<Record<string, unknown>>): Promise<ChainRow> => {
    const [row] = await linkMany(executor, key, [columns]);
    if (!row) throw new Error(`${spec.name}: nothing appended`);
    return row;
  };

  const present = async (executor: Kysely<object>, ids: readonly string[]): Promise<Set<string>> => {
    if (ids.length === 0) return new Set();
    const { rows } = await sql<{ id: string }>`select id from ${records} where id in (${sql.join(ids)})`.execute(executor);
    return new Set(rows.map((r) => r.id));
  };

  const checkpoint = async (): Promise<CheckpointInfo> => {
    const signer = await deps.signer();
    // One statement, one snapshot: every head read is committed together with its record.
    const current: HeadEntry[] = (await sql<HeadEntry>`select chain, seq, hash from ${heads} order by chain`.execute(deps.db)).rows
      .map((h) => ({ chain: h.chain, seq: h.seq, hash: h.hash }));
    const id = uuidv7();
    const at = deps.now();
    const signature = signer.sign(checkpointMessage(spec.name, { id, at, heads: current, publicKey: signer.publicKey }));
    await sql`insert into ${checkpoints} (id, at, heads, public_key, signature)
      values (${id}, ${at}, ${JSON.stringify(current)}, ${signer.publicKey}, ${signature})`.execute(deps.db);
    return { id, at, chains: current.length, records: current.reduce((n, h) => n + h.seq, 0), publicKey: signer.publicKey };
  };

  return {
    name: spec.name,
    link,
    linkMany,
    present,
    checkpoint,
    verify: async (options = {}) => verifyLog(deps.db, { ...spec, chains }, options.publicKey ?? (await deps.signer()).publicKey, options.from),
    async findCheckpoint(id) {
      // A malformed id would make PostgreSQL reject the uuid comparison; it simply names none.
      if (!UUID.test(id)) return undefined;
      const row = (await sql<{ id: string; at: Date }>`select id, at from ${checkpoints} where id = ${id.toLowerCase()}`.execute(deps.db)).rows[0];
      return row ? { id: row.id, at: row.at } : undefined;
    },
  };
}
