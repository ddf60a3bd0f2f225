import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { PGlite } from '@electric-sql/pglite';
import type { Command } from 'commander';
import pg from 'pg';
import { loadConfig, type Config } from '../kernel/config/index.js';
import { MIGRATION_FILE } from '../kernel/db/index.js';
import { migrationSources } from '../modules/index.js';
import { BackupError, digestFile, headerFor, openBackup, type BackupManifest } from './backup-file.js';
import { standardOutput, type CliOutput } from './output.js';

/** One SQL connection, whichever database it is. */
interface Sql {
  rows<T>(text: string): Promise<T[]>;
}

const fromPg = (client: pg.Client): Sql => ({ rows: async <T>(text: string) => (await client.query(text)).rows as T[] });
const fromPglite = (db: PGlite): Sql => ({ rows: async <T>(text: string) => (await db.query<T>(text)).rows });
const ident = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** What a database holds: every table with its row count, and every migration that has run. */
export interface DatabaseState {
  readonly tables: Record<string, number>;
  readonly migrations: string[];
}

const MIGRATION_TABLE = /^tb_migrations_(.+)$/;

export async function databaseState(sql: Sql): Promise<DatabaseState> {
  const list = await sql.rows<{ schema: string; name: string }>(`select table_schema as schema, table_name as name
    from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')
    order by table_schema, table_name`);
  const tables: Record<string, number> = {};
  const migrations: string[] = [];
  for (const { schema, name } of list) {
    const [row] = await sql.rows<{ n: string }>(`select count(*)::text as n from ${ident(schema)}.${ident(name)}`);
    tables[schema === 'public' ? name : `${schema}.${name}`] = Number(row?.n ?? 0);
    const history = schema === 'public' && !name.endsWith('_lock') ? MIGRATION_TABLE.exec(name)?.[1] : undefined;
    if (history) {
      for (const m of await sql.rows<{ name: string }>(`select name from ${ident(name)} order by name`)) migrations.push(`${history}/${m.name}`);
    }
  }
  return { tables, migrations: migrations.sort() };
}

/** Opens the configured database (PostgreSQL, or a PGlite folder) just to read its state. */
export async function readDatabaseState(config: Pick<Config, 'database'>): Promise<DatabaseState> {
  const cfg = config.database;
  if (cfg.kind === 'pglite-memory') throw new BackupError('an in-memory database has no state to read from outside');
  if (cfg.kind === 'pglite') {
    const db = await PGlite.create(cfg.dataDir);
    try { return await databaseState(fromPglite(db)); } finally { await db.close(); }
  }
  const client = new pg.Client({ connectionString: cfg.url });
  await client.connect();
  try { return await databaseState(fromPg(client)); } finally { await client.end(); }
}

/** The migrations this build of Tongban knows, as `history/name`. */
function knownMigrations(): Set<string> {
  const known = new Set<string>();
  for (const source of migrationSources) {
    for (const file of readdirSync(source.folder)) {
      if (MIGRATION_FILE.test(file)) known.add(`${source.name}/${file.replace(/\.ts$/, '')}`);
    }
  }
  return known;
}

function packageVersion(name = '../../package.json'): string {
  const parsed = JSON.parse(readFileSync(new URL(name, import.meta.url), 'utf8')) as { version?: unknown };
  return typeof parsed.version === 'string' ? parsed.version : '0.0.0';
}

function pgliteVersion(): string {
  return `@electric-sql/pglite ${packageVersion('../../node_modules/@electric-sql/pglite/package.json')}`;
}

/**
 * A PostgreSQL client program: in `--pg-bin`'s folder when given, else the newest Debian install
 * (/usr/lib/postgresql/<major>/bin: pg_dump must be at least as new as the server), else PATH.
 */
export function pgTool(name: 'pg_dump' | 'pg_restore', binDir?: string): string {
  if (binDir) return join(binDir, name);
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const majors = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
    for (const major of majors) {
      const path = join(root, major, 'bin', name);
      if (existsSync(path)) return path;
    }
  }
  return name;
}

/**
 * The URL for a client program, without its password: that goes in a passfile readable only by
 * us (libpq's `passfile` parameter), so it never shows in the process list. `done` removes it.
 */
async function connection(url: string): Promise<{ dbname: string; done: () => Promise<void> }> {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  if (!password) return { dbname: url, done: async () => {} };
  parsed.password = '';
  const dir = await mkdtemp(join(tmpdir(), 'tongban-pgpass-'));
  const passfile = join(dir, 'pgpass');
  await writeFile(passfile, `*:*:*:*:${password.replaceAll('\\', '\\\\').replaceAll(':', '\\:')}\n`, { mode: 0o600 });
  parsed.searchParams.set('passfile', passfile);
  return { dbname: parsed.toString(), done: () => rm(dir, { recursive: true, force: true }) };
}

/** Runs a client program to completion; `input` is piped to its standard input. */
function runTool(path: string, args: readonly string[], input?: NodeJS.ReadableStream): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(path, [...args], { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-8000); });
    child.once('error', (error: NodeJS.ErrnoException) => {
      reject(new BackupError(error.code === 'ENOENT'
        ? `${path} was not found: install PostgreSQL's client programs (Debian: postgresql-client) or pass --pg-bin <folder>`
        : `${path} could not be started: ${error.message}`, { cause: error }));
    });
    if (input && child.stdin) {
      // pg_restore may stop reading early (on an error); its exit status says why, not the broken pipe.
      child.stdin.on('error', () => {});
      input.pipe(child.stdin);
    }
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new BackupError(`${path} failed (exit ${code ?? 'by signal'}):\n${stderr.trim()}`));
    });
  });
}

function summary(state: { tables: Record<string, number>; migrations: readonly string[] }): string {
  const rows = Object.values(state.tables).reduce((a, b) => a + b, 0);
  return `${Object.keys(state.tables).length} tables, ${rows} rows, ${state.migrations.length} migrations`;
}

async function isEmptyDir(dir: string): Promise<boolean> {
  try {
    return (await readdir(dir)).length === 0;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return true;
    throw error;
  }
}

/**
 * Writes the payload (produced by `dump` into a file beside the target) and the header into
 * `file`, atomically: a half-written backup never carries the final name.
 */
async function writeBackup(file: string, dump: (payloadPath: string) => Promise<Omit<BackupManifest, 'payload'>>): Promise<BackupManifest> {
  if (existsSync(file)) throw new BackupError(`${file} exists already: a backup never overwrites a file; choose another name`);
  const payloadPath = `${file}.payload.partial`;
  const partial = `${file}.partial`;
  try {
    const described = await dump(payloadPath);
    const manifest: BackupManifest = { ...described, payload: await digestFile(payloadPath) };
    await writeFile(partial, headerFor(manifest));
    await pipeline(createReadStream(payloadPath), createWriteStream(partial, { flags: 'a' }));
    const handle = await open(partial, 'r+');
    try { await handle.sync(); } finally { await handle.close(); }
    await rename(partial, file);
    return manifest;
  } finally {
    await rm(payloadPath, { force: true });
    await rm(partial, { force: true });
  }
}

export interface BackupOptions {
  /** Folder of pg_dump / pg_restore (else found: see pgTool). */
  readonly pgBin?: string;
}

/** `tongban backup <file>`: the configured database into one checked file. */
export async function backup(config: Pick<Config, 'database'>, file: string, options: BackupOptions = {}): Promise<BackupManifest> {
  const cfg = config.database;
  const common = { tongbanVersion: packageVersion(), createdAt: new Date().toISOString() };
  switch (cfg.kind) {
    case 'pglite-memory':
      throw new BackupError('TONGBAN_DATA_DIR=:memory: holds nothing to back up');
    case 'pglite':
      return writeBackup(file, async (payloadPath) => {
        if (!existsSync(join(cfg.dataDir, 'PG_VERSION'))) throw new BackupError(`${cfg.dataDir} holds no PGlite database (TONGBAN_DATA_DIR)`);
        // PGlite is one process's database: the server must be stopped (docs/operations.md).
        const db = await PGlite.create(cfg.dataDir);
        try {
          const state = await databaseState(fromPglite(db));
          const [version] = await fromPglite(db).rows<{ server_version: string }>('show server_version');
          const tarball = await db.dumpDataDir('gzip');
          await writeFile(payloadPath, Buffer.from(await tarball.arrayBuffer()));
          return { format: 'pglite-datadir-tgz', database: 'pglite', ...common, serverVersion: version?.server_version ?? '', tool: pgliteVersion(), ...state };
        } finally {
          await db.close();
        }
      });
    case 'postgres':
      return writeBackup(file, async (payloadPath) => {
        const pgDump = pgTool('pg_dump', options.pgBin);
        const tool = (await runTool(pgDump, ['--version'])).trim();
        const { dbname, done } = await connection(cfg.url);
        const client = new pg.Client({ connectionString: cfg.url });
        try {
          await client.connect();
          // One snapshot for the counts and the dump: the server may go on writing meanwhile.
          await client.query('begin isolation level repeatable read read only');
          const snapshot = (await client.query<{ id: string }>('select pg_export_snapshot() as id')).rows[0]?.id;
          if (!snapshot) throw new BackupError('PostgreSQL exported no snapshot');
          const state = await databaseState(fromPg(client));
          const version = (await client.query<{ server_version: string }>('show server_version')).rows[0]?.server_version ?? '';
          await runTool(pgDump, ['--format=custom', `--snapshot=${snapshot}`, `--file=${payloadPath}`, `--dbname=${dbname}`]);
          await client.query('commit');
          return { format: 'pg_dump-custom', database: 'postgres', ...common, serverVersion: version, tool, ...state };
        } finally {
          await client.end();
          await done();
        }
      });
  }
}

/** The differences between what the manifest says and what the restored database holds. */
export function compareState(manifest: Pick<BackupManifest, 'tables' | 'migrations'>, restored: DatabaseState): string[] {
  const problems: string[] = [];
  const names = new Set([...Object.keys(manifest.tables), ...Object.keys(restored.tables)]);
  for (const name of [...names].sort()) {
    const want = manifest.tables[name];
    const got = restored.tables[name];
    if (want === undefined) problems.push(`${name}: not in the backup but in the restored database (${got} rows)`);
    else if (got === undefined) problems.push(`${name}: ${want} rows in the backup, missing from the restored database`);
    else if (want !== got) problems.push(`${name}: ${want} rows in the backup, ${got} restored`);
  }
  if (manifest.migrations.join('\n') !== restored.migrations.join('\n')) problems.push('the migrations recorded differ from the backup\'s');
  return problems;
}

/** `tongban restore <file>`: into an empty database only (ADR 0032), then checked against the manifest. */
export async function restore(config: Pick<Config, 'database'>, file: string, options: BackupOptions = {}): Promise<{ manifest: BackupManifest; restored: DatabaseState }> {
  const { manifest, payloadOffset } = await openBackup(file);
  const cfg = config.database;
  const target = cfg.kind === 'pglite-memory' ? 'pglite' : cfg.kind;
  if (cfg.kind === 'pglite-memory') throw new BackupError('TONGBAN_DATA_DIR=:memory: cannot be restored into: set a folder');
  if (manifest.database !== target) {
    throw new BackupError(`${file} is a ${manifest.database} backup (${manifest.format}); the configured database is ${target === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : 'PGlite (TONGBAN_DATA_DIR)'}`);
  }
  const known = knownMigrations();
  const unknown = manifest.migrations.filter((m) => !known.has(m));
  if (unknown.length > 0) {
    throw new BackupError(`${file} was made by a newer Tongban (${manifest.tongbanVersion}): this one does not know its migrations ${unknown.slice(0, 5).join(', ')}; restore with that version or newer`);
  }
  let restored: DatabaseState;
  if (cfg.kind === 'pglite') {
    if (!(await isEmptyDir(cfg.dataDir))) {
      throw new BackupError(`${cfg.dataDir} is not empty: restore only into an empty or new folder (TONGBAN_DATA_DIR); move the old one aside first`);
    }
    const created = !existsSync(cfg.dataDir);
    await mkdir(cfg.dataDir, { recursive: true });
    try {
      const payload = await readFile(file);
      const db = await PGlite.create({ dataDir: cfg.dataDir, loadDataDir: new Blob([payload.subarray(payloadOffset)]) });
      try { restored = await databaseState(fromPglite(db)); } finally { await db.close(); }
    } catch (error) {
      // Leave the folder as it was found (empty), so a second attempt can run.
      if (created) await rm(cfg.dataDir, { recursive: true, force: true });
      else for (const entry of await readdir(cfg.dataDir)) await rm(join(cfg.dataDir, entry), { recursive: true, force: true });
      throw error instanceof BackupError ? error : new BackupError(`PGlite could not load the backup: ${(error as Error).message}`, { cause: error });
    }
  } else {
    const client = new pg.Client({ connectionString: cfg.url });
    await client.connect();
    try {
      const existing = await databaseState(fromPg(client));
      const count = Object.keys(existing.tables).length;
      if (count > 0) {
        throw new BackupError(`the database at DATABASE_URL is not empty (${count} tables): restore only into a new, empty database (createdb), never over live data`);
      }
    } finally {
      await client.end();
    }
    const { dbname, done } = await connection(cfg.url);
    try {
      // One transaction: a failed restore leaves the database as empty as it was.
      await runTool(pgTool('pg_restore', options.pgBin), ['--exit-on-error', '--single-transaction', '--no-owner', `--dbname=${dbname}`], createReadStream(file, { start: payloadOffset }));
    } finally {
      await done();
    }
    const after = new pg.Client({ connectionString: cfg.url });
    await after.connect();
    try { restored = await databaseState(fromPg(after)); } finally { await after.end(); }
  }
  const problems = compareState(manifest, restored);
  if (problems.length > 0) {
    throw new BackupError(`the restored database does not match the backup's manifest; do not use it:\n  - ${problems.slice(0, 20).join('\n  - ')}`);
  }
  return { manifest, restored };
}

/** `tongban backup <file>` and `tongban restore <file>` (issue 9, ADR 0032). */
export function registerBackupCommands(program: Command, output: CliOutput = standardOutput): void {
  const run = (work: () => Promise<void>) => work().catch((error: unknown) => {
    if (!(error instanceof BackupError)) throw error;
    output.err(`error: ${error.message}`);
    process.exitCode = 1;
  });
  program.command('backup').description('write the whole database into one checked file (pg_dump, or PGlite\'s data directory)')
    .argument('<file>', 'the backup file to create (never overwritten)')
    .option('--pg-bin <folder>', 'folder holding pg_dump (default: the newest /usr/lib/postgresql/*/bin, else PATH)')
    .action((file: string, options: { pgBin?: string }) => run(async () => {
      const manifest = await backup(loadConfig(), file, options);
      output.out(`backup ${file}: ${manifest.database} (${manifest.format}, ${manifest.payload.bytes} bytes), ${summary(manifest)}, Tongban ${manifest.tongbanVersion}`);
    }));
  program.command('restore').description('restore a backup into an empty database, then check its row counts against the backup')
    .argument('<file>', 'a file written by tongban backup')
    .option('--pg-bin <folder>', 'folder holding pg_restore (default: the newest /usr/lib/postgresql/*/bin, else PATH)')
    .action((file: string, options: { pgBin?: string }) => run(async () => {
      const { manifest, restored } = await restore(loadConfig(), file, options);
      output.out(`restored ${file} (made ${manifest.createdAt} by Tongban ${manifest.tongbanVersion}): ${summary(restored)}; every table's row count matches the backup`);
      output.out('next: tongban audit verify (with the same TONGBAN_AUDIT_SIGNING_KEY), then tongban serve');
    }));
}
