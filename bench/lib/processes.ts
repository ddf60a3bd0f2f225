import { fork, spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A server running in its own process, so its memory is its own and measurable. */
export interface ChildServer {
  readonly url: string;
  readonly pid: number;
  /** Peak resident set size so far (VmHWM of /proc/<pid>/status), in bytes. */
  peakRssBytes(): Promise<number>;
  stop(): Promise<void>;
}

/** VmHWM from a /proc/<pid>/status text, in bytes (Linux reports kB). */
export function parseVmHwm(status: string): number {
  const match = /^VmHWM:\s+(\d+)\s+kB/m.exec(status);
  if (!match?.[1]) throw new Error('no VmHWM in /proc status (Linux only)');
  return Number(match[1]) * 1024;
}

/** CPU time (user + system) a process has used so far, in milliseconds, from /proc/<pid>/stat. */
export async function cpuMs(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces, hence the last ')'): utime is the 12th, stime the 13th, in clock ticks.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return ticks * 10;
}

/** The whole machine's CPU time so far, all cores together, in milliseconds, from /proc/stat. */
export interface MachineCpu {
  /** Time the cores spent working (user, nice, system, irq, softirq, steal). */
  readonly busyMs: number;
  /** Busy plus idle and iowait: the cores' wall time. */
  readonly totalMs: number;
}

/** Parses the first (`cpu `) line of a /proc/stat text; Linux counts in ticks of 10 ms. */
export function parseMachineCpu(stat: string): MachineCpu {
  const line = /^cpu\s+([\d ]+)$/m.exec(stat);
  if (!line?.[1]) throw new Error('no cpu line in /proc/stat (Linux only)');
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line[1].trim().split(/\s+/).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busyMs: busy * 10, totalMs: (busy + idle + iowait) * 10 };
}

export async function machineCpu(): Promise<MachineCpu> {
  return parseMachineCpu(await readFile('/proc/stat', 'utf8'));
}

async function peakRss(pid: number): Promise<number> {
  return parseVmHwm(await readFile(`/proc/${pid}/status`, 'utf8'));
}

function stopper(child: ChildProcess): () => Promise<void> {
  return async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const late = setTimeout(() => child.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(late);
  };
}

/**
 * Forks one of bench/servers/*.ts (through tsx); it listens on 127.0.0.1:0 and reports its port
 * over IPC as `{ port }`.
 */
export async function forkServer(file: string, args: readonly string[] = []): Promise<ChildServer> {
  const child = fork(file, [...args], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { port, scheme } = await new Promise<{ port: number; scheme: string }>((resolve, reject) => {
    child.once('message', (message: { port?: number; scheme?: 'http' | 'https' }) => (message.port ? resolve({ port: message.port, scheme: message.scheme ?? 'http' }) : reject(new Error(`${file}: no port`))));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} before listening`)));
    child.once('error', reject);
  });
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${file}: no pid`);
  return { url: `${scheme}://127.0.0.1:${port}`, pid, peakRssBytes: () => peakRss(pid), stop: stopper(child) };
}

export interface TongbanProcessOptions {
  readonly port: number;
  /** The whole environment of the server: nothing of the bench's own leaks in except PATH. */
  readonly env: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}

/**
 * `tongban serve --seed` as an operator starts it, in a child process: node itself runs
 * bin/tongban.ts through tsx's loader, so the child's pid is the server's (an `npx tsx` wrapper
 * would put another process in between and hide the server's memory).
 */
/** How a server process ended (for the shutdown test: SIGTERM must end it with code 0). */
export interface ProcessExit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
}

export async function startTongban(options: TongbanProcessOptions): Promise<ChildServer & { readonly exited: Promise<ProcessExit> }> {
  // TONGBAN_BENCH_PROFILE_DIR=dir: the server writes a V8 CPU profile there when it stops.
  const profileDir = process.env.TONGBAN_BENCH_PROFILE_DIR;
  const profile = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', 'bin/tongban.ts', 'serve', '--seed'], {
    env: { PATH: process.env.PATH ?? '', ...options.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4000); });
  const exited = new Promise<ProcessExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const pid = child.pid;
  if (pid === undefined) throw new Error('tongban serve: no pid');
  const url = `http://127.0.0.1:${options.port}`;
  const stop = stopper(child);
  const deadline = Date.now() + (options.readyTimeoutMs ?? 120_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`tongban serve exited with ${child.exitCode}:\n${stderr}`);
    const ready = await fetch(`${url}/readyz`).then((r) => r.ok, () => false);
    if (ready) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`tongban serve was not ready within the time allowed:\n${stderr}`);
    }
    await sleep(250);
  }
  return { url, pid, peakRssBytes: () => peakRss(pid), stop, exited };
}

/**
 * Runs one of bench/servers/*.ts to completion with the given environment (nothing of the bench's
 * own but PATH) and returns the one message it sends over IPC.
 */
export async function runJob<T>(file: string, args: readonly string[], env: Readonly<Record<string, string>>): Promise<T> {
  const child = fork(file, [...args], { execArgv: ['--import', 'tsx'], env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise<T>((resolve, reject) => {
    child.once('message', (message: T) => resolve(message));
    child.once('exit', (code) => reject(new Error(`${file} exited with ${code} without reporting`)));
    child.once('error', reject);
  });
}
