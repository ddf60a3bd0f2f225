import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * Runs the real `tongban` command line (through tsx) with exactly these settings, as an operator
 * would: nothing from the test's own environment leaks in except PATH.
 */
export function runTongban(settings: Readonly<Record<string, string>>, ...args: string[]) {
  return run(process.execPath, ['--import', 'tsx', 'bin/tongban.ts', ...args], { env: { PATH: process.env.PATH, ...settings } });
}
