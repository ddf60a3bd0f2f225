import { sql, type Kysely, type RawBuilder } from 'kysely';
import { randomInt } from 'node:crypto';
import { PREPARED } from '../db/index.js';
import { TongbanError } from '../http/errors.js';
import { newId, UUID } from '../ids.js';
import { jsonRoundTrip } from './canonical.js';
import { AuditErrors } from './errors.js';
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
  /**
   * Links rows to a chain from the head this process holds in memory, without locking it: the
   * parts of one statement that `appendTogether` (append-together.ts, docs/adr/0037) runs with
   * other logs' drafts. The chain is `key`'s, as for `linkMany`, unless another draft of this
   * process holds it: then one that none holds. Reads the head (one query, no lock) when the
   * process holds none for that chain. With `lock` in a transaction, it reads the head `for update`
   * instead (waiting for whoever holds it): the draft cannot meet a moved head.
   */
  draft(executor: Kysely<object>, key: string | undefined, rows: readonly Readonly<Record<string, unknown>>[], ids: readonly string[], options?: { readonly lock?: boolean }): Promise<ChainDraft>;
}

/** Rows linked from a head held in memory, waiting for `appendTogether` to write them. */
export interface ChainDraft {
  readonly log: string;
  readonly chain: number;
  readonly rows: readonly ChainRow[];
  /**
   * `update head … where` it is still the head the rows were linked from `returning chain`; with
   * `after`, the update also waits for that CTE (a fixed lock order across logs).
   */
  headUpdate(after: string | undefined): RawBuilder<unknown>;
  /** `insert` of the rows, each taking its chain from the head update `head`: none if that found the head moved. */
  insert(head: string): RawBuilder<unknown>;
  /**
   * What the text of `headUpdate` and `insert` depends on (the tables, and the columns with their
   * types), so that `appendTogether` can reuse a statement's text compiled once (ADR 38).
   */
  readonly shape: string;
  /** The values of `headUpdate`'s parameters, then of `insert`'s, in the order of their placeholders. */
  readonly parameters: { readonly head: readonly unknown[]; readonly insert: readonly unknown[] };
  /** The statement's outcome: committed, the new head is the process's; else the head is read again next time. Releases the chain. */
  settle(committed: boolean): void;
}

export interface ChainDeps {
  readonly db: Kysely<object>;
  readonly now: () => Date;
  readonly signer: () => Promise<Signer>;
  /** The public keys that signed checkpoints before the signer's, oldest first (ADR 39). */
  readonly retiredKeys?: readonly string[];
}

export interface HeadEntry { readonly chain: number; readonly seq: number; readonly hash: string }

const RESERVED = new Set(['id', 'chain', 'seq', 'prev_hash', 'hash']);
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

  // Drafts (docs/adr/0037): the heads this process last committed, and the chains a draft holds.
  const known = new Map<number, { readonly seq: number; readonly hash: string }>();
  const held = new Set<number>();
  // When a key's chain is held, each process tries the others in its own order, so that instances rarely draft on the same head.
  const preference = Array.from({ length: chains }, (_, i) => i);
  for (let i = chains - 1; i > 0; i -= 1) {
    const j = randomInt(i + 1);
    [preference[i], preference[j]] = [preference[j] as number, preference[i] as number];
  }

  const linkMany = async (executor: Kysely<object>, key: string | undefined, rows: readonly Readonly<Record<string, unknown>>[], ids?: readonly string[]): Promise<ChainRow[]> => {
    if (rows.length === 0) return [];
    if (ids !== undefined && ids.length !== rows.length) throw new Error(`${spec.name}: ${ids.length} ids for ${rows.length} records`);
    if (!executor.isTransaction) return executor.transaction().execute((tx) => linkMany(tx, key, rows, ids));
    const chain = chainFor(key, chains);
    known.delete(chain); // a draft on this chain reads the head again rather than fail on a moved one
    const head = await readHead(executor, chain, true);
    const linked = linkFrom(chain, head, rows, ids);
    const last = linked[linked.length - 1] as ChainRow;
    // One statement for the records and the head: one round trip whatever the batch size
    // (PostgreSQL runs a data-modifying WITH exactly once, referenced or not).
    await sql`${sql.raw(PREPARED)}with appended as (${insertRows(linked, undefined, await typesOf(executor))} returning 1)
      update ${heads} set seq = ${last.seq}, hash = ${last.hash} where chain = ${chain}`.execute(executor);
    return linked;
  };

  /** The rows hashed into a chain after `head`, in order. */
  const linkFrom = (chain: number, head: { readonly seq: number; readonly hash: string }, rows: readonly Readonly<Record<string, unknown>>[], ids: readonly string[] | undefined): ChainRow[] => {
    const columns = Object.keys(rows[0] ?? {});
    for (const column of columns) {
      if (RESERVED.has(column) || !COLUMN.test(column)) throw new Error(`${spec.name}: column name ${column} is reserved or malformed`);
    }
    const sameColumns = (keys: readonly string[]) => keys.length === columns.length && keys.every((key, i) => key === columns[i]);
    if (!rows.every((r) => sameColumns(Object.keys(r)))) throw new Error(`${spec.name}: records appended together must have the same columns`);
    let { seq, hash } = head;
    // One object per row, built in place (this runs for every record of every batch).
    return rows.map((columnsOfRow, i) => {
      const row: Record<string, unknown> = {};
      for (const column of columns) row[column] = normalise(columnsOfRow[column]);
      seq += 1;
      row.id = ids?.[i] ?? newId();
      row.chain = chain;
      row.seq = seq;
      row.prev_hash = hash;
      hash = recordHash(spec, row as UnsignedRow);
      row.hash = hash;
      return row as ChainRow;
    });
  };

  /**
   * The records table's column types (`format_type`, e.g. `timestamp with time zone`), read once:
   * the insert passes each column as one typed array, so its text is the same whatever the batch
   * size (docs/adr/0038-fixed-statements.md).
   */
  let columnTypes: Promise<ReadonlyMap<string, string>> | undefined;
  const typesOf = (executor: Kysely<object>): Promise<ReadonlyMap<string, string>> => {
    columnTypes ??= sql<{ name: string; type: string }>`select attname as name, format_type(atttypid, atttypmod) as type
        from pg_attribute where attrelid = ${spec.tables.records}::regclass and attnum > 0 and not attisdropped`.execute(executor)
      .then(({ rows }) => new Map(rows.map((r) => [r.name, r.type])));
    columnTypes.catch(() => { columnTypes = undefined; });
    return columnTypes;
  };

  /** The columns passed as arrays (all but `chain` when it comes from a head update), with their types. */
  const unnestedOf = (linked: readonly ChainRow[], head: string | undefined, types: ReadonlyMap<string, string>) =>
    Object.keys(linked[0] ?? {}).filter((n) => !(n === 'chain' && head !== undefined)).map((n) => {
      const type = types.get(n);
      if (type === undefined) throw new Error(`${spec.name}: ${spec.tables.records} has no column ${n}`);
      return { name: n, type, values: linked.map((row) => toParam(row[n])) };
    });
  /**
   * `insert into records (…) select … from unnest($1::type[], $2::type[], …)`: one array parameter
   * per column rather than one parameter per value, so the statement's text (and its plan) does
   * not change with the number of rows. With `head`, each row's chain is read from that CTE (null,
   * refused, if it updated nothing).
   */
  const insertRows = (linked: readonly ChainRow[], head: string | undefined, types: ReadonlyMap<string, string>): RawBuilder<unknown> => {
    const names = Object.keys(linked[0] ?? {});
    const columns = unnestedOf(linked, head, types);
    const unnested = columns.map((c) => c.name);
    const arrays = columns.map((c) => sql`${c.values}::${sql.raw(c.type)}[]`);
    const selected = names.map((n) => (n === 'chain' && head !== undefined ? sql`(select chain from ${sql.table(head)})` : sql.ref(`u.${n}`)));
    return sql`insert into ${records} (${sql.join(names.map((n) => sql.ref(n)))})
      select ${sql.join(selected)} from unnest(${sql.join(arrays)}) as u(${sql.join(unnested.map((n) => sql.ref(n)))})`;
  };

  /** A chain's head, `for update` with `lock`. A chain's first record creates its head; a concurrent creator waits, then both read it. */
  const readHead = async (executor: Kysely<object>, chain: number, lock: boolean) => {
    const read = async () => (await sql<{ seq: number; hash: string }>`select seq, hash from ${heads} where chain = ${chain}${lock ? sql` for update` : sql``}`.execute(executor)).rows[0];
    let head = await read();
    if (!head) {
      await sql`insert into ${heads} (chain, seq, hash) values (${chain}, 0, ${GENESIS_HASH}) on conflict (chain) do nothing`.execute(executor);
      head = await read();
      if (!head) throw new Error(`${spec.name}: head of chain ${chain} could not be created`);
    }
    return { seq: Number(head.seq), hash: head.hash };
  };

  const draft = async (executor: Kysely<object>, key: string | undefined, rows: readonly Readonly<Record<string, unknown>>[], ids: readonly string[], options: { readonly lock?: boolean } = {}): Promise<ChainDraft> => {
    if (rows.length === 0 || ids.length !== rows.length) throw new Error(`${spec.name}: a draft needs one id per record, and records`);
    const keyed = chainFor(key, chains);
    const chain = !held.has(keyed) ? keyed : (preference.find((c) => !held.has(c)) ?? keyed);
    held.add(chain);
    try {
      const lock = options.lock === true && executor.isTransaction;
      const head = (lock ? undefined : known.get(chain)) ?? (await readHead(executor, chain, lock));
      const linked = linkFrom(chain, head, rows, ids);
      const last = linked[linked.length - 1] as ChainRow;
      const types = await typesOf(executor);
      let settled = false;
      return {
        log: spec.name,
        chain,
        rows: linked,
        headUpdate: (after) => sql`update ${heads} set seq = ${last.seq}, hash = ${last.hash}
          where chain = ${chain} and seq = ${head.seq} and hash = ${head.hash}${after === undefined ? sql`` : sql` and exists (select 1 from ${sql.table(after)})`}
          returning chain`,
        insert: (headName) => insertRows(linked, headName, types),
        shape: `${spec.tables.heads}>${spec.tables.records}(${Object.keys(last).map((n) => `${n} ${types.get(n) ?? '?'}`).join(',')})`,
        parameters: {
          head: [last.seq, last.hash, chain, head.seq, head.hash],
          insert: unnestedOf(linked, 'head', types).map((c) => c.values),
        },
        settle(committed) {
          if (settled) return;
          settled = true;
          if (committed) known.set(chain, { seq: last.seq, hash: last.hash });
          else known.delete(chain);
          held.delete(chain);
        },
      };
    } catch (error) {
      held.delete(chain);
      throw error;
    }
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
    // While instances roll to a new key (ADR 39), one still on the old key must not sign after the
    // new key has: verification would refuse that checkpoint. A key it knows as retired is older.
    const last = (await sql<{ public_key: string }>`select public_key from ${checkpoints} order by at desc, id desc limit 1`.execute(deps.db)).rows[0]?.public_key;
    if (last !== undefined && last !== signer.publicKey && !(deps.retiredKeys ?? []).includes(last)) {
      throw new TongbanError(AuditErrors.TB_AUDIT_SIGNING_KEY_RETIRED, {
        detail: `${spec.name}: its last checkpoint is signed by ${last}, neither this instance's key nor a retired one: an instance on an old key needs the current TONGBAN_AUDIT_SIGNING_KEY; a new key needs that one in TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS (ADR 39)`,
      });
    }
    // One statement, one snapshot: every head read is committed together with its record.
    const current: HeadEntry[] = (await sql<HeadEntry>`select chain, seq, hash from ${heads} order by chain`.execute(deps.db)).rows
      .map((h) => ({ chain: h.chain, seq: h.seq, hash: h.hash }));
    const id = newId();
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
    draft,
    checkpoint,
    verify: async (options = {}) => verifyLog(deps.db, { ...spec, chains }, {
      current: options.publicKey ?? (await deps.signer()).publicKey, retired: options.retiredKeys ?? deps.retiredKeys ?? [],
    }, options.from),
    async findCheckpoint(id) {
      // A malformed id would make PostgreSQL reject the uuid comparison; it simply names none.
      if (!UUID.test(id)) return undefined;
      const row = (await sql<{ id: string; at: Date }>`select id, at from ${checkpoints} where id = ${id.toLowerCase()}`.execute(deps.db)).rows[0];
      return row ? { id: row.id, at: row.at } : undefined;
    },
  };
}
