import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { sha256 } from '../kernel/digest.js';

/**
 * The Tongban backup file (ADR 0032): three text lines, then the database's own dump.
 *
 *     TONGBAN-BACKUP/1
 *     {"format":"pg_dump-custom",…,"payload":{"bytes":…,"sha256":"…"}}
 *     sha256 <hex digest of the manifest line>
 *     <payload: pg_dump -Fc archive, or PGlite's gzipped data directory>
 *
 * The manifest says what the payload is and what it held (tables with their row counts, the
 * migrations that had run); its digest and the payload's catch a changed or cut file before a
 * restore touches the target.
 */
export const BACKUP_MAGIC = 'TONGBAN-BACKUP/1';
/** A manifest longer than this is not one of ours (it lists tables and migrations: a few kB). */
const MAX_HEADER_BYTES = 4 * 1024 * 1024;

export type BackupFormat = 'pg_dump-custom' | 'pglite-datadir-tgz';

export interface BackupManifest {
  readonly format: BackupFormat;
  readonly database: 'postgres' | 'pglite';
  readonly tongbanVersion: string;
  readonly createdAt: string;
  /** The server's version (PostgreSQL's `server_version`, or PGlite's). */
  readonly serverVersion: string;
  /** What wrote the payload, with its version (`pg_dump (PostgreSQL) 15.19`, `@electric-sql/pglite 0.5.17`). */
  readonly tool: string;
  /** Every migration that had run, as `history/name`. */
  readonly migrations: readonly string[];
  /** Rows in every table, by name (`schema.table` outside `public`). */
  readonly tables: Readonly<Record<string, number>>;
  readonly payload: { readonly bytes: number; readonly sha256: string };
}

/** A backup that cannot be written or restored; the message says why and what to do. */
export class BackupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BackupError';
  }
}

export function manifestDigest(line: string): string {
  return sha256(line, 'hex');
}

/** The three header lines for a manifest. */
export function headerFor(manifest: BackupManifest): Buffer {
  const line = JSON.stringify(manifest);
  return Buffer.from(`${BACKUP_MAGIC}\n${line}\nsha256 ${manifestDigest(line)}\n`, 'utf8');
}

/** SHA-256 and length of a file's bytes from `start` to the end. */
export async function digestFile(path: string, start = 0): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path, { start })) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { bytes, sha256: hash.digest('hex') };
}

export interface OpenedBackup {
  readonly manifest: BackupManifest;
  /** Where the payload starts in the file. */
  readonly payloadOffset: number;
}

function isManifest(value: unknown): value is BackupManifest {
  if (typeof value !== 'object' || value === null) return false;
  const m = value as Record<string, unknown>;
  const payload = m.payload as Record<string, unknown> | undefined;
  return (m.format === 'pg_dump-custom' || m.format === 'pglite-datadir-tgz')
    && (m.database === 'postgres' || m.database === 'pglite')
    && typeof m.tongbanVersion === 'string' && typeof m.createdAt === 'string'
    && Array.isArray(m.migrations) && m.migrations.every((x) => typeof x === 'string')
    && typeof m.tables === 'object' && m.tables !== null && Object.values(m.tables).every((n) => Number.isInteger(n) && (n as number) >= 0)
    && typeof payload === 'object' && payload !== null && Number.isInteger(payload.bytes) && typeof payload.sha256 === 'string';
}

/**
 * Reads and checks a backup file: the header, the manifest's digest, and the payload's length and
 * digest. Throws a BackupError naming the first problem; nothing is restored from a file that
 * fails any check.
 */
export async function openBackup(path: string): Promise<OpenedBackup> {
  const size = await stat(path).then((s) => s.size, (error: NodeJS.ErrnoException) => {
    throw new BackupError(`cannot read the backup file ${path}: ${error.code ?? error.message}`, { cause: error });
  });
  const handle = await open(path, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(Math.min(size, MAX_HEADER_BYTES));
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  const notOurs = `${path} is not a Tongban backup (it does not start with ${BACKUP_MAGIC})`;
  const first = head.indexOf(0x0a);
  if (first < 0 || head.subarray(0, first).toString('utf8') !== BACKUP_MAGIC) throw new BackupError(notOurs);
  const second = head.indexOf(0x0a, first + 1);
  const third = second < 0 ? -1 : head.indexOf(0x0a, second + 1);
  if (third < 0) throw new BackupError(`${path} is cut short: its manifest is incomplete`);
  const line = head.subarray(first + 1, second).toString('utf8');
  const digestLine = head.subarray(second + 1, third).toString('utf8');
  if (digestLine !== `sha256 ${manifestDigest(line)}`) throw new BackupError(`${path} has been changed: its manifest does not match the manifest's SHA-256`);
  let manifest: unknown;
  try {
    manifest = JSON.parse(line);
  } catch (error) {
    throw new BackupError(`${path}: the manifest is not valid JSON`, { cause: error });
  }
  if (!isManifest(manifest)) throw new BackupError(`${path}: the manifest lacks fields a restore needs (format, database, migrations, tables, payload)`);
  const payloadOffset = third + 1;
  const actual = await digestFile(path, payloadOffset);
  if (actual.bytes < manifest.payload.bytes) {
    throw new BackupError(`${path} is cut short: the database dump has ${actual.bytes} of its ${manifest.payload.bytes} bytes`);
  }
  if (actual.bytes !== manifest.payload.bytes || actual.sha256 !== manifest.payload.sha256) {
    throw new BackupError(`${path} has been changed: the database dump does not match the SHA-256 in its manifest`);
  }
  return { manifest, payloadOffset };
}
