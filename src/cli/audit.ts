import type { Command } from 'commander';
import type { VerifyResult } from '../kernel/audit/types.js';
import type { Kernel } from '../kernel/context.js';

/** Where the commands write; tests pass their own. */
export interface AuditCliOutput {
  out(line: string): void;
  err(line: string): void;
}

const standardOutput: AuditCliOutput = {
  out: (line) => { process.stdout.write(`${line}\n`); },
  err: (line) => { process.stderr.write(`${line}\n`); },
};

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function describeFailure(name: string, result: Extract<VerifyResult, { ok: false }>): string {
  const bad = result.firstBad;
  const where = bad.checkpoint !== undefined
    ? `checkpoint ${bad.checkpoint}`
    : `chain ${bad.chain} seq ${bad.seq}${bad.id !== undefined ? ` (record ${bad.id})` : ''}`;
  return `${name}: FAILED after ${count(result.records, 'good record')}: first bad entry is ${where}: ${bad.reason}`;
}

/**
 * `tongban audit verify` checks every hash-chained log (the audit trail, then any log a module
 * created through kernel.audit.createLog) and exits 1 on the first failure;
 * `tongban audit checkpoint` signs every log's chain heads now (run it from cron or a job).
 */
export function registerAuditCommands(
  program: Command,
  open: () => Promise<{ kernel: Pick<Kernel, 'audit'>; close(): Promise<void> }>,
  output: AuditCliOutput = standardOutput,
): void {
  const audit = program.command('audit').description('the hash-chained audit trail and message logs');

  audit.command('verify').description('check every record and signed checkpoint; exit 1 on tampering').action(async () => {
    const opened = await open();
    const { kernel } = opened;
    try {
      for (const log of kernel.audit.logs()) {
        const result = await log.verify();
        if (result.ok) {
          output.out(`${log.name}: ${count(result.records, 'record')} and ${count(result.checkpoints, 'checkpoint')} verified`);
        } else {
          output.err(describeFailure(log.name, result));
          process.exitCode = 1;
        }
      }
    } finally {
      await opened.close();
    }
  });

  audit.command('checkpoint').description('sign the current head of every chain').action(async () => {
    const opened = await open();
    const { kernel } = opened;
    try {
      for (const log of kernel.audit.logs()) {
        const cp = await log.checkpoint();
        output.out(`${log.name}: checkpoint ${cp.id} signed over ${count(cp.chains, 'chain')} and ${count(cp.records, 'record')} (key ${cp.publicKey})`);
      }
    } finally {
      await opened.close();
    }
  });
}
