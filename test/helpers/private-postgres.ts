import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../../bench/lib/ports.js';

/**
 * A PostgreSQL cluster of the test's own, for trials that kill PostgreSQL itself (issue 9,
 * ADR 0025): `initdb` into a temporary folder and `postgres -D … -p <free port>` from the newest
 * /usr/lib/postgresql/<major>/bin. The shared server on 127.0.0.1:5432 is never touched: other
 * tests use it. PostgreSQL refuses to run as root, so as root (CI) the programs run as the
 * `postgres` OS user through `setpriv`, which execs: the child's pid is the postmaster's.
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres`: create databases from here. */
  readonly adminUrl: string;
  readonly port: number;
  /** The running postmaster's pid. */
  postmasterPid(): number;
  /** SIGKILL to the postmaster, then to every backend it had: a crash, with no shutdown at all. */
  crash(): Promise<void>;
  /** Starts the cluster again (crash recovery replays the WAL) and waits until it takes connections. */
  start(): Promise<void>;
  /** Fast shutdown, then the folder is deleted. */
  dispose(): Promise<void>;
}

function binDir(): string {
  const root = '/usr/lib/postgresql';
  const majors = existsSync(root) ? readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const major of majors) {
    if (existsSync(join(root, major, 'bin', 'postgres'))) return join(root, major, 'bin');
  }
  throw new Error('no PostgreSQL server programs in /usr/lib/postgresql/<major>/bin (Debian: postgresql)');
}

const asRoot = process.getuid?.() === 0;

/** The command line running `program` as the postgres OS user when we are root. */
function command(program: string, args: readonly string[]): [string, string[]] {
  return asRoot ? ['setpriv', ['--reuid=postgres', '--regid=postgres', '--init-groups', '--', program, ...args]] : [program, [...args]];
}

const env = () => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' });

function alive(pid: number): boolean {
  try {
    const state = /^State:\s+(\S)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return state !== undefined && state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function accepting(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binDir();
  const root = await mkdtemp(join(tmpdir(), 'tongban-crash-pg-'));
  const data = join(root, 'data');
  const sockets = join(root, 'sockets');
  await mkdir(data);
  await mkdir(sockets);
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    for (const dir of [root, data, sockets]) await chown(dir, uid, gid);
  }
  const [initdb, initArgs] = command(join(bin, 'initdb'), ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
  execFileSync(initdb, initArgs, { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });

  const port = await freePort();
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let child: ChildProcess | undefined;
  let stderr = '';

  const launch = () => {
    // fsync stays on: durability across a crash is what the trials prove.
    const [program, args] = command(join(bin, 'postgres'), ['-D', data, '-p', String(port), '-k', sockets, '-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=60']);
    const started = spawn(program, args, { env: env(), stdio: ['ignore', 'ignore', 'pipe'] });
    started.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
    child = started;
    return started;
  };

  const start = async () => {
    const deadline = Date.now() + 120_000;
    for (;;) {
      const started = launch();
      const exited = new Promise<void>((resolve) => started.once('exit', () => resolve()));
      // Until it takes connections, or exits (e.g. backends of the killed postmaster still hold its shared memory: try again).
      for (;;) {
        if (started.exitCode !== null || started.signalCode !== null) break;
        if (await accepting(adminUrl)) return;
        if (Date.now() > deadline) throw new Error(`the private PostgreSQL did not start within 120 s:\n${stderr}`);
        await Promise.race([sleep(250), exited]);
      }
      if (Date.now() > deadline) throw new Error(`the private PostgreSQL did not start within 120 s:\n${stderr}`);
      await sleep(500);
    }
  };

  const postmasterPid = () => {
    const pid = child?.pid;
    if (pid === undefined || !child || child.exitCode !== null) throw new Error('the private PostgreSQL is not running');
    return pid;
  };

  const crash = async () => {
    const running = child;
    const pid = postmasterPid();
    const backends = childrenOf(pid);
    const exited = new Promise<void>((resolve) => running?.once('exit', () => resolve()));
    process.kill(pid, 'SIGKILL');
    for (const backend of backends) {
      try { process.kill(backend, 'SIGKILL'); } catch { /* gone already */ }
    }
    await exited;
    const deadline = Date.now() + 30_000;
    while (backends.some(alive) && Date.now() < deadline) await sleep(100);
  };

  const dispose = async () => {
    const running = child;
    if (running && running.exitCode === null && running.signalCode === null) {
      const exited = new Promise<void>((resolve) => running.once('exit', () => resolve()));
      running.kill('SIGINT');
      await exited;
    }
    await rm(root, { recursive: true, force: true });
  };

  try {
    await start();
  } catch (error) {
    await dispose();
    throw error;
  }
  return { adminUrl, port, postmasterPid, crash, start, dispose };
}
