import type { Command } from 'commander';
import { generateSigningKey, signerFromPkcs8 } from '../kernel/audit/signing.js';
import type { VerifiableLog, VerifyFrom, VerifyResult } from '../kernel/audit/types.js';
import { RAW_ED25519_PUBLIC_KEY } from '../kernel/config/index.js';
import type { Kernel } from '../kernel/context.js';
import { UUID } from '../kernel/ids.js';
import { standardOutput, type CliOutput } from './output.js';

const count = (n: number, noun: string) => `${n} ${noun}${n === 1 ? '' : 's'}`;

function describeFailure(name: string, result: Extract<VerifyResult, { ok: false }>): string {
  const bad = result.firstBad;
  const where = bad.checkpoint !== undefined
    ? `checkpoint ${bad.checkpoint}`
    : `chain ${bad.chain} seq ${bad.seq}${bad.id !== undefined ? ` (record ${bad.id})` : ''}`;
  return `${name}: FAILED after ${count(result.records, 'good record')}: first bad entry is ${where}: ${bad.reason}`;
}

const DATE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * What `--from` means for each log: a checkpoint id anchors its own log there and every other log
 * at its first checkpoint at or after that time; a date (UTC midnight) or time anchors every log
 * at its first checkpoint at or after it (ADR 35). A message instead if it names nothing.
 */
async function anchorsFor(logs: readonly VerifiableLog[], from: string): Promise<Map<VerifiableLog, VerifyFrom> | string> {
  if (UUID.test(from)) {
    for (const owner of logs) {
      const cp = await owner.findCheckpoint(from);
      if (cp) return new Map(logs.map((log) => [log, log === owner ? { checkpoint: cp.id } : { at: cp.at }]));
    }
    return `--from: no log has a checkpoint ${from}`;
  }
  const at = DATE.test(from) ? new Date(from.length === 10 ? `${from}T00:00:00Z` : from) : undefined;
  if (!at || Number.isNaN(at.getTime())) return `--from: "${from}" is neither a checkpoint id nor a date (2027-01-01 or 2027-01-01T00:10:00Z)`;
  return new Map(logs.map((log) => [log, { at }]));
}

function describeSuccess(name: string, result: Extract<VerifyResult, { ok: true }>, asked: VerifyFrom | undefined): string {
  const verified = `${name}: ${count(result.records, 'record')} and ${count(result.checkpoints, 'checkpoint')} verified`;
  if (result.from) return `${verified} from signed checkpoint ${result.from.id} (${result.from.at.toISOString()})`;
  return asked ? `${verified} from the first record (no checkpoint at or after ${'at' in asked ? asked.at.toISOString() : asked.checkpoint})` : verified;
}

/**
 * `tongban audit verify` checks every hash-chained log (the audit trail, then any log a module
 * created through kernel.audit.createLog) and exits 1 on the first failure;
 * `tongban audit checkpoint` signs every log's chain heads now (run it from cron or a job);
 * `tongban audit new-key` prints a new signing key for a rotation (ADR 39).
 */
export function registerAuditCommands(
  program: Command,
  open: () => Promise<{ kernel: Pick<Kernel, 'audit'>; close(): Promise<void> }>,
  output: CliOutput = standardOutput,
): void {
  const audit = program.command('audit').description('the hash-chained audit trail and message logs');

  audit.command('verify').description('check every record and signed checkpoint; exit 1 on tampering')
    .option('--from <checkpoint|date>', 'start at a signed checkpoint (its id, or the first at or after a date): older records may be archived away')
    .option('--public-key <key>', 'the Ed25519 public key (base64url) checkpoints must be signed by, instead of the configured signing key')
    .action(async (options: { from?: string; publicKey?: string }) => {
    if (options.publicKey !== undefined && !RAW_ED25519_PUBLIC_KEY.test(options.publicKey)) {
      output.err('--public-key: expected a raw Ed25519 public key, 43 characters of base64url (as `tongban audit checkpoint` prints it)');
      process.exitCode = 2;
      return;
    }
    const opened = await open();
    const { kernel } = opened;
    try {
      const logs = kernel.audit.logs();
      const anchors = options.from === undefined ? new Map<VerifiableLog, VerifyFrom>() : await anchorsFor(logs, options.from);
      if (typeof anchors === 'string') {
        output.err(anchors);
        process.exitCode = 2;
        return;
      }
      for (const log of logs) {
        const from = anchors.get(log);
        const result = await log.verify({ ...(from ? { from } : {}), ...(options.publicKey ? { publicKey: options.publicKey } : {}) });
        if (result.ok) {
          output.out(describeSuccess(log.name, result, from));
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

  // Needs no database: the operator puts the key in the settings (ADR 39 says how to switch).
  audit.command('new-key').description('make a new Ed25519 audit signing key, and say how to switch to it').action(() => {
    const key = generateSigningKey();
    output.out(`TONGBAN_AUDIT_SIGNING_KEY=${key}`);
    output.out(`public key: ${signerFromPkcs8(key).publicKey}`);
    output.out('To switch: run `tongban audit checkpoint` with the current key, append the public key it prints');
    output.out('to TONGBAN_AUDIT_RETIRED_PUBLIC_KEYS (comma-separated, oldest first), then set the new key on every instance.');
  });
}
