import { randomInt } from 'node:crypto';
import { canonicalJson } from './canonical.js';
import type { ChainSpec, UnsignedRow } from './chain.js';
import { sha256, sha256Bytes } from '../digest.js';

/** The previous hash of every chain's first record. */
export const GENESIS_HASH = '0'.repeat(64);

/** Which chain a key lands in: stable across instances and restarts. */
export function chainFor(key: string | undefined, chains: number): number {
  if (key === undefined) return randomInt(chains);
  return sha256Bytes(key).readUInt32BE(0) % chains;
}

/** SHA-256 over the log name, position, previous hash and the canonical record. */
export function recordHash(spec: Pick<ChainSpec, 'name' | 'canonical'>, row: UnsignedRow): string {
  const input = { log: spec.name, id: row.id, chain: row.chain, seq: row.seq, prev: row.prev_hash, record: spec.canonical(row) };
  return sha256(canonicalJson(input), 'hex');
}

/** The bytes a checkpoint's signature covers. */
export function checkpointMessage(log: string, checkpoint: { id: string; at: Date; heads: unknown; publicKey: string }): string {
  return canonicalJson({ log, id: checkpoint.id, at: checkpoint.at, heads: checkpoint.heads, publicKey: checkpoint.publicKey });
}

