import { Command } from 'commander';
import type { CliOutput } from './output.js';

/** What a command printed, and the exit code it set (undefined: success). */
export interface CliRun {
  readonly lines: string[];
  readonly errors: string[];
  readonly exitCode: string | number | undefined;
}

/**
 * Runs `tongban <args>` with the commands `register` adds, as the binary would, collecting what
 * they print instead of writing it; `process.exitCode` is read and put back to undefined.
 */
export async function runCli(register: (program: Command, output: CliOutput) => void, args: readonly string[]): Promise<CliRun> {
  const lines: string[] = [];
  const errors: string[] = [];
  const program = new Command('tongban').exitOverride();
  register(program, { out: (l) => lines.push(l), err: (l) => errors.push(l) });
  process.exitCode = undefined;
  await program.parseAsync([...args], { from: 'user' });
  const exitCode = process.exitCode;
  process.exitCode = undefined;
  return { lines, errors, exitCode };
}
