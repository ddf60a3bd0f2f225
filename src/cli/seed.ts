import { InvalidArgumentError, type Command } from 'commander';
import type { Kernel } from '../kernel/context.js';
import type { Services } from '../modules/index.js';
import { seedDemo } from './context.js';

/** Where the command writes; tests pass their own. */
export interface SeedCliOutput {
  out(line: string): void;
  /** The progress bar's stream: redrawn in place on a terminal, one line per step elsewhere (logs, tests). */
  progress: { write(text: string): void; readonly isTTY?: boolean | undefined };
}

const standardOutput: SeedCliOutput = { out: (line) => { process.stdout.write(`${line}\n`); }, progress: process.stderr };
const WIDTH = 30;

/** A small text progress bar: `[#####.....]  50%  500000/1000000  41000/s  ETA 12s`. */
export function progressLine(done: number, total: number, elapsedMs: number): string {
  const share = total === 0 ? 1 : done / total;
  const filled = Math.round(share * WIDTH);
  const rate = elapsedMs > 0 ? (done * 1000) / elapsedMs : 0;
  const eta = rate > 0 ? Math.ceil((total - done) / rate) : 0;
  return `[${'#'.repeat(filled)}${'.'.repeat(WIDTH - filled)}] ${String(Math.floor(share * 100)).padStart(3)}%  ${done}/${total}  ${Math.round(rate)}/s  ETA ${eta}s`;
}

function parseCount(value: string): number {
  const n = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(n) || n < 0 || n > 100_000_000) throw new InvalidArgumentError('give a whole number from 0 to 100000000');
  return n;
}

/**
 * `tongban seed [--persons N]`: the demo data (idempotent), then, with --persons, N synthetic
 * persons in the population register, in batches, with a progress bar on stderr. Person i is
 * always the same person, so running it again adds nobody twice.
 */
export function registerSeedCommand(
  program: Command,
  open: () => Promise<{ kernel: Kernel; services: Services; close(): Promise<void> }>,
  output: SeedCliOutput = standardOutput,
): void {
  program.command('seed').description('load the demo data (idempotent); --persons N adds N synthetic persons to the population register')
    .option('--persons <count>', 'synthetic persons to generate', parseCount)
    .option('--batch <size>', 'persons per INSERT statement', parseCount, 10_000)
    .action(async (options: { persons?: number; batch: number }) => {
      const cli = await open();
      try {
        output.out(`seeded: ${(await seedDemo(cli.kernel, cli.services)).join(', ') || 'nothing'}`);
        const total = options.persons;
        if (total === undefined) return;
        const started = Date.now();
        let lastLine = 0;
        const { added } = await cli.services.registries.generatePersons(total, {
          batchSize: Math.max(1, options.batch),
          progress: (done) => {
            const now = Date.now();
            if (output.progress.isTTY) output.progress.write(`\r${progressLine(done, total, now - started)}`);
            else if (done === total || now - lastLine >= 2000) {
              output.progress.write(`${progressLine(done, total, now - started)}\n`);
              lastLine = now;
            }
          },
        });
        if (output.progress.isTTY) output.progress.write('\n');
        const seconds = (Date.now() - started) / 1000;
        output.out(`persons: ${added} added, ${total - added} there already, in ${seconds.toFixed(1)} s (${Math.round(total / Math.max(seconds, 0.001))}/s)`);
      } finally {
        await cli.close();
      }
    });
}
