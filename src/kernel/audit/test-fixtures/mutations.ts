import { sql } from 'kysely';
import { v7 as uuidv7 } from 'uuid';
import type { Db } from '../../db/index.js';
import { recordHash, type ChainRow, type ChainSpec } from '../chain.js';
import type { VerifyResult } from '../types.js';

/**
 * The mutation suite (issue 9): what an attacker with write access to the database does to a
 * hash-chained log, at random places. Each trial restores the log from a snapshot, applies one
 * mutation and asks the verifier; a mutation it does not catch is reported with what it did.
 *
 * Not included, because no hash chain can catch it and the signed checkpoints bound it instead:
 * records appended after the last checkpoint with the chain head moved along (ADR 3).
 */
export const MUTATIONS = ['change', 'change-and-rehash', 'delete', 'swap', 'insert', 'rewind'] as const;
export type Mutation = (typeof MUTATIONS)[number];

export interface MutationReport {
  readonly trials: number;
  readonly caught: number;
  readonly byKind: Readonly<Record<Mutation, number>>;
  readonly missed: readonly string[];
}

/** A small seeded generator, so a failing trial can be replayed from its seed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CHAIN_COLUMNS = new Set(['id', 'chain', 'seq', 'prev_hash', 'hash']);

export async function runMutations(db: Db, spec: ChainSpec, verify: () => Promise<VerifyResult>, options: { trials: number; seed: number }): Promise<MutationReport> {
  const { records, heads, checkpoints } = spec.tables;
  const snapshot = `${records}_mutation_snapshot`;
  const headSnapshot = `${heads}_mutation_snapshot`;
  const run = (text: string) => sql.raw(text).execute(db);
  const columnTypes = new Map((await sql<{ column_name: string; data_type: string }>`
    select column_name, data_type from information_schema.columns where table_name = ${records}`.execute(db)).rows.map((r) => [r.column_name, r.data_type]));
  const own = [...columnTypes.keys()].filter((c) => !CHAIN_COLUMNS.has(c));

  await run(`drop table if exists ${snapshot}`);
  await run(`drop table if exists ${headSnapshot}`);
  await run(`create table ${snapshot} as select * from ${records}`);
  await run(`create table ${headSnapshot} as select * from ${heads}`);
  const rows = (await sql<ChainRow>`select * from ${sql.table(snapshot)} order by chain, seq`.execute(db)).rows;
  if (rows.length < 10) throw new Error('seed the log with at least 10 records first');
  const next = random(options.seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const chains = [...new Set(rows.map((r) => r.chain))].filter((c) => rows.filter((r) => r.chain === c).length >= 3);

  const restore = async () => {
    await run(`delete from ${records}`);
    await run(`insert into ${records} select * from ${snapshot}`);
    await run(`delete from ${heads}`);
    await run(`insert into ${heads} select * from ${headSnapshot}`);
  };
  const changed = (row: ChainRow, column: string): ReturnType<typeof sql> => {
    const type = columnTypes.get(column) ?? 'text';
    const ref = sql.ref(column);
    if (row[column] === null) return type.includes('timestamp') ? sql`now()` : type === 'jsonb' ? sql`'{"forged":true}'::jsonb` : type.includes('int') || type === 'numeric' ? sql`7` : sql`'forged'`;
    if (type.includes('timestamp')) return sql`${ref} + interval '1 millisecond'`;
    if (type === 'jsonb') return sql`${ref} || '{"forged":true}'::jsonb`;
    if (type.includes('int') || type === 'numeric' || type === 'double precision') return sql`${ref} + 1`;
    if (type === 'uuid') return sql`${uuidv7()}::uuid`;
    return sql`${ref} || 'x'`;
  };
  const insertRow = async (row: ChainRow) => {
    const names = Object.keys(row);
    const value = (v: unknown) => (v !== null && typeof v === 'object' && !(v instanceof Date) ? JSON.stringify(v) : v);
    await sql`insert into ${sql.table(records)} (${sql.join(names.map((n) => sql.ref(n)))}) values (${sql.join(names.map((n) => value(row[n])))})`.execute(db);
  };
  const readRow = async (chain: number, seq: number) => (await sql<ChainRow>`select * from ${sql.table(records)} where chain = ${chain} and seq = ${seq}`.execute(db)).rows[0];

  const apply = async (kind: Mutation): Promise<string> => {
    const chain = pick(chains);
    const inChain = rows.filter((r) => r.chain === chain);
    const target = pick(inChain);
    const where = sql`chain = ${target.chain} and seq = ${target.seq}`;
    switch (kind) {
      case 'change':
      case 'change-and-rehash': {
        const column = pick(own);
        await sql`update ${sql.table(records)} set ${sql.ref(column)} = ${changed(target, column)} where ${where}`.execute(db);
        if (kind === 'change-and-rehash') {
          const row = await readRow(target.chain, target.seq);
          await sql`update ${sql.table(records)} set hash = ${recordHash(spec, row!)} where ${where}`.execute(db);
        }
        return `${kind} ${column} at ${target.chain}/${target.seq}`;
      }
      case 'delete':
        await sql`delete from ${sql.table(records)} where ${where}`.execute(db);
        return `delete ${target.chain}/${target.seq}`;
      case 'swap': {
        const other = pick(inChain.filter((r) => r.seq !== target.seq));
        await sql`update ${sql.table(records)} set seq = -1 where ${where}`.execute(db);
        await sql`update ${sql.table(records)} set seq = ${target.seq} where chain = ${chain} and seq = ${other.seq}`.execute(db);
        await sql`update ${sql.table(records)} set seq = ${other.seq} where chain = ${chain} and seq = -1`.execute(db);
        return `swap ${chain}/${target.seq} with ${other.seq}`;
      }
      case 'insert': {
        // Make room at the target's place and forge a record there whose own hash is right.
        const later = inChain.filter((r) => r.seq >= target.seq).sort((a, b) => b.seq - a.seq);
        for (const r of later) await sql`update ${sql.table(records)} set seq = ${r.seq + 1} where chain = ${chain} and seq = ${r.seq}`.execute(db);
        const previous = inChain.find((r) => r.seq === target.seq - 1);
        const unsigned = { ...target, id: uuidv7(), prev_hash: previous?.hash ?? target.prev_hash };
        await insertRow({ ...unsigned, hash: recordHash(spec, unsigned) });
        return `insert before ${chain}/${target.seq}`;
      }
      case 'rewind': {
        // Remove the newest records of a chain and move its head back to match: only a signed
        // checkpoint can tell.
        const newest = Math.max(...inChain.map((r) => r.seq));
        const keep = Math.max(0, Math.min(target.seq, newest - 1));
        await sql`delete from ${sql.table(records)} where chain = ${chain} and seq > ${keep}`.execute(db);
        const head = inChain.find((r) => r.seq === keep);
        await sql`update ${sql.table(heads)} set seq = ${keep}, hash = ${head?.hash ?? inChain[0]!.prev_hash} where chain = ${chain}`.execute(db);
        return `rewind ${chain} to ${keep}`;
      }
    }
  };

  const byKind = Object.fromEntries(MUTATIONS.map((m) => [m, 0])) as Record<Mutation, number>;
  const missed: string[] = [];
  let caught = 0;
  await run(`alter table ${records} disable trigger user`);
  await run(`alter table ${checkpoints} disable trigger user`);
  try {
    for (let trial = 0; trial < options.trials; trial++) {
      await restore();
      const kind = MUTATIONS[trial % MUTATIONS.length]!;
      const what = await apply(kind);
      byKind[kind] += 1;
      const result = await verify();
      if (result.ok) missed.push(`${what} (seed ${options.seed}, trial ${trial})`);
      else caught += 1;
    }
    await restore();
  } finally {
    await run(`alter table ${records} enable trigger user`);
    await run(`alter table ${checkpoints} enable trigger user`);
    await run(`drop table if exists ${snapshot}`);
    await run(`drop table if exists ${headSnapshot}`);
  }
  return { trials: options.trials, caught, byKind, missed };
}
