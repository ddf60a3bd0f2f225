import { sql, type Kysely } from 'kysely';
import type { ChainRow, ChainSpec } from './chain.js';
import { checkpointMessage, GENESIS_HASH, recordHash } from './hashing.js';
import { verifySignature } from './signing.js';
import type { BadEntry, CheckpointRef, VerifyFrom, VerifyResult } from './types.js';

const PAGE = 500;

interface CheckpointRow { id: string; at: Date; heads: unknown; public_key: string; signature: string }
interface Head { chain: number; seq: number; hash: string }
/** What a checkpoint says a chain held at one seq. */
interface Pin { seq: number; hash: string; checkpoint: string }

function isHeadList(value: unknown): value is Head[] {
  return Array.isArray(value) && value.every((h: unknown) => {
    const head = h as Partial<Head> | null;
    return typeof head === 'object' && head !== null && Number.isInteger(head.chain) && Number.isInteger(head.seq) && typeof head.hash === 'string';
  });
}

/**
 * The keys a log's checkpoints may be signed by, oldest first: the retired ones, then the current
 * one (ADR 39). A checkpoint signed by a key older than one an earlier checkpoint was signed by is
 * refused: a retired key, stolen or leaked later, cannot sign a checkpoint after its successor.
 */
export interface TrustedKeys {
  readonly current: string;
  readonly retired?: readonly string[];
}

function checkpointProblem(log: string, cp: CheckpointRow, keys: readonly string[], newest: number): string | undefined {
  const index = keys.indexOf(cp.public_key);
  if (index < 0) return keys.length === 1 ? 'checkpoint is signed by a key other than the audit signing key' : 'checkpoint is signed by a key other than the audit signing key and the retired ones';
  if (index < newest) return 'checkpoint is signed by a retired key after a newer key had signed one';
  const message = checkpointMessage(log, { id: cp.id, at: cp.at, heads: cp.heads, publicKey: cp.public_key });
  if (!verifySignature(cp.public_key, message, cp.signature)) return 'checkpoint signature is not valid';
  if (!isHeadList(cp.heads)) return 'checkpoint heads are malformed';
  return undefined;
}

/** The checkpoint a verification starts at: the one named, or the first at or after the time (none: genesis). */
function startOf(cps: readonly CheckpointRow[], from: VerifyFrom | undefined): CheckpointRow | undefined | 'unknown' {
  if (!from) return undefined;
  if ('checkpoint' in from) return cps.find((cp) => cp.id === from.checkpoint.toLowerCase()) ?? 'unknown';
  return cps.find((cp) => cp.at.getTime() >= from.at.getTime());
}

/**
 * Walks every chain in seq order and checks each link, each signed checkpoint, and each head.
 * Reads checkpoints, then heads, then records, without one long transaction (PGlite runs one
 * at a time): records and heads commit together, so whatever a head says is already visible.
 *
 * With `from` (ADR 35), the walk is anchored at a signed checkpoint instead of the genesis hash:
 * each chain's records up to the checkpoint's head may be missing from the start (a detached,
 * archived partition), but those still present must run without a gap up to that head and hash
 * to it, and everything after is walked as before.
 */
export async function verifyLog(db: Kysely<object>, spec: ChainSpec, trusted: TrustedKeys, from?: VerifyFrom): Promise<VerifyResult> {
  const keys = [...(trusted.retired ?? []).filter((k) => k !== trusted.current), trusted.current];
  const { records, heads, checkpoints } = spec.tables;
  const cps = (await sql<CheckpointRow>`select id, at, heads, public_key, signature from ${sql.table(checkpoints)} order by at, id`.execute(db)).rows;
  const start = startOf(cps, from);
  if (start === 'unknown' && from && 'checkpoint' in from) {
    return { ok: false, records: 0, firstBad: { chain: -1, seq: -1, id: undefined, checkpoint: from.checkpoint, reason: 'no such checkpoint in this log' } };
  }
  const anchor: CheckpointRef | undefined = start && start !== 'unknown' ? { id: start.id, at: start.at } : undefined;
  const pins = new Map<number, Map<number, Pin>>();
  let newest = 0;
  for (const cp of cps) {
    const problem = checkpointProblem(spec.name, cp, keys, newest);
    newest = Math.max(newest, keys.indexOf(cp.public_key));
    if (problem) return { ok: false, records: 0, firstBad: { chain: -1, seq: -1, id: cp.id, checkpoint: cp.id, reason: problem } };
    for (const h of cp.heads as Head[]) {
      if (h.seq < 1) continue;
      const byChain = pins.get(h.chain) ?? new Map<number, Pin>();
      pins.set(h.chain, byChain);
      const earlier = byChain.get(h.seq);
      // Two checkpoints pinning one position differently cannot both be right.
      if (earlier && earlier.hash !== h.hash) {
        return { ok: false, records: 0, firstBad: { chain: h.chain, seq: h.seq, id: undefined, checkpoint: cp.id, reason: `checkpoint disagrees with checkpoint ${earlier.checkpoint}` } };
      }
      byChain.set(h.seq, { seq: h.seq, hash: h.hash, checkpoint: cp.id });
    }
  }
  const headRows = (await sql<Head>`select chain, seq, hash from ${sql.table(heads)}`.execute(db)).rows;
  const headOf = new Map(headRows.map((h) => [h.chain, h]));
  const recordChains = (await sql<{ chain: number }>`select chain from ${sql.table(records)} group by chain`.execute(db)).rows;
  const chains = [...new Set([...headRows.map((h) => h.chain), ...recordChains.map((r) => r.chain), ...pins.keys()])].sort((a, b) => a - b);

  const anchors = new Map<number, Head>(start && start !== 'unknown' ? (start.heads as Head[]).map((h) => [h.chain, h]) : []);
  let total = 0;
  for (const chain of chains) {
    const head = headOf.get(chain) ?? { chain, seq: 0, hash: GENESIS_HASH };
    const walked = await walkChain(db, spec, head, pins.get(chain) ?? new Map<number, Pin>(), anchors.get(chain));
    total += walked.records;
    if (walked.bad) return { ok: false, records: total, firstBad: walked.bad };
  }
  return { ok: true, records: total, checkpoints: cps.length, ...(anchor ? { from: anchor } : {}) };
}

interface WalkStart { expected: number; prev: string | undefined; last: number }

/**
 * Where a chain's walk begins. From genesis: seq 1 linking to the genesis hash. From a signed
 * head (seq n, hash h): the lowest record still present if it is at or below n (its own link is
 * taken as it is: the records up to n are bound to h by their hashes, checked on the way), else
 * seq n + 1 linking to h.
 */
async function walkStart(db: Kysely<object>, spec: ChainSpec, chain: number, anchor: Head | undefined): Promise<WalkStart> {
  if (!anchor || anchor.seq < 1) return { expected: 1, prev: GENESIS_HASH, last: 0 };
  const lowest = (await sql<{ seq: number | string | null }>`select min(seq) as seq from ${sql.table(spec.tables.records)} where chain = ${chain}`.execute(db)).rows[0]?.seq;
  if (lowest !== null && lowest !== undefined && Number(lowest) <= anchor.seq) return { expected: Number(lowest), prev: undefined, last: Number(lowest) - 1 };
  return { expected: anchor.seq + 1, prev: anchor.hash, last: anchor.seq };
}

async function walkChain(db: Kysely<object>, spec: ChainSpec, head: Head, pins: Map<number, Pin>, anchor: Head | undefined): Promise<{ records: number; bad?: BadEntry }> {
  const { chain } = head;
  const table = sql.table(spec.tables.records);
  const begin = await walkStart(db, spec, chain, anchor);
  let expected = begin.expected;
  let prev = begin.prev;
  let last: { seq: number; id: string | undefined } = { seq: begin.last, id: undefined };
  let count = 0;
  // From genesis every row is read, so a stray one at seq 0 or below is reported, not skipped.
  let cursor = begin.prev === GENESIS_HASH
    ? { seq: Number.MIN_SAFE_INTEGER, id: '00000000-0000-0000-0000-000000000000' }
    : { seq: begin.expected - 1, id: 'ffffffff-ffff-ffff-ffff-ffffffffffff' };
  for (;;) {
    const page = (await sql<ChainRow>`select * from ${table}
      where chain = ${chain} and seq <= ${head.seq} and (seq, id) > (${cursor.seq}::bigint, ${cursor.id}::uuid)
      order by seq, id limit ${PAGE}`.execute(db)).rows;
    for (const row of page) {
      const bad = (reason: string) => ({ records: count, bad: { chain, seq: row.seq, id: row.id, reason } });
      if (row.seq < expected) return bad(`seq ${row.seq} appears twice or out of order`);
      if (row.seq > expected) {
        return { records: count, bad: { chain, seq: expected, id: undefined, reason: `record missing: seq ${expected} is absent (the next record is seq ${row.seq})` } };
      }
      if (prev !== undefined && row.prev_hash !== prev) return bad('record does not link to the previous record of its chain');
      if (recordHash(spec, row) !== row.hash) return bad('record hash does not match its contents');
      const pin = pins.get(row.seq);
      if (pin && pin.hash !== row.hash) return bad(`chain up to this record differs from signed checkpoint ${pin.checkpoint}`);
      prev = row.hash;
      last = { seq: row.seq, id: row.id };
      expected += 1;
      count += 1;
    }
    const end = page.at(-1);
    if (!end || page.length < PAGE) break;
    cursor = { seq: end.seq, id: end.id };
  }
  const missing = (reason: string) => ({ records: count, bad: { chain, seq: last.seq + 1, id: undefined, reason } });
  if (last.seq < head.seq) return missing(`records missing: seq ${last.seq + 1} to ${head.seq} are absent (the chain head is at seq ${head.seq})`);
  if (prev !== head.hash) return { records: count, bad: { chain, seq: last.seq, id: last.id, reason: 'chain head does not match the last record' } };
  const pinned = [...pins.values()].reduce<Pin | undefined>((top, p) => (top && top.seq >= p.seq ? top : p), undefined);
  if (pinned && pinned.seq > last.seq) {
    return missing(`records missing: signed checkpoint ${pinned.checkpoint} covers this chain up to seq ${pinned.seq}`);
  }
  // One statement, one snapshot: a record committed with its head is never beyond it.
  const beyond = (await sql<{ id: string; seq: number }>`select id, seq from ${table} r
    where r.chain = ${chain} and r.seq > coalesce((select h.seq from ${sql.table(spec.tables.heads)} h where h.chain = ${chain}), 0)
    order by seq, id limit 1`.execute(db)).rows[0];
  if (beyond) return { records: count, bad: { chain, seq: beyond.seq, id: beyond.id, reason: 'record lies beyond the chain head: it was not appended through the log' } };
  return { records: count };
}
