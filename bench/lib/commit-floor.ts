import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { LoadResult } from './load.js';
import { pacedSends } from './paced.js';
import type { BenchDatabase } from './tongban.js';

interface Spec {
  readonly rate: number;
  readonly seconds: number;
}

/**
 * The least a logged exchange waits for: one committed single-row insert, at the same steady rate
 * as the latency runs. The mediator answers only after its log record has committed (issue 4: an
 * answered exchange is never missing from the log), so its added latency includes one such commit
 * on the same database engine and disk; printed beside it so the two are read together.
 *
 * PostgreSQL: the bench's own database on the same server, over a small pool from this process.
 * PGlite: the server holds its data directory, so a second PGlite of the same version in a fresh
 * directory beside it (same file system), run in this process as Tongban runs its own.
 */
export async function pacedCommits(database: BenchDatabase, spec: Spec): Promise<LoadResult> {
  const url = database.env.DATABASE_URL;
  return url === undefined ? pgliteCommits(spec) : postgresCommits(url, spec);
}

const TABLE = 'create table if not exists bench_commit_floor (n integer not null)';
const INSERT = 'insert into bench_commit_floor (n) values ($1)';

async function measure(spec: Spec, insert: (n: number) => Promise<unknown>): Promise<LoadResult> {
  const warm = await pacedSends({ rate: spec.rate, seconds: 1 }, (n) => insert(n).then(() => true));
  if (warm.failed > 0) throw new Error(`the commit floor's inserts failed (${warm.failed} of ${warm.ok + warm.failed})`);
  return pacedSends(spec, (n) => insert(n).then(() => true));
}

async function postgresCommits(url: string, spec: Spec): Promise<LoadResult> {
  const pool = new pg.Pool({ connectionString: url, max: 8 });
  try {
    // A real table: a temporary one is not WAL-logged, so its commit would not wait for a flush.
    await pool.query(TABLE);
    return await measure(spec, (n) => pool.query(INSERT, [n]));
  } finally {
    await pool.query('drop table if exists bench_commit_floor').catch(() => undefined);
    await pool.end();
  }
}

async function pgliteCommits(spec: Spec): Promise<LoadResult> {
  const dir = await mkdtemp(join(tmpdir(), 'tongban-bench-floor-'));
  const db = new PGlite(dir);
  try {
    await db.query(TABLE);
    return await measure(spec, (n) => db.query(INSERT, [n]));
  } finally {
    await db.close();
    await rm(dir, { recursive: true, force: true });
  }
}
