import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { openCli } from '../../src/cli/context.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { parseVmHwm } from './processes.js';

/** What an appender child reports over IPC when it is done. */
export interface AppendReport {
  readonly records: number;
  readonly seconds: number;
  readonly checkpoints: number;
  readonly peakRssBytes: number;
}

const PLAIN_TABLE = 'bench_plain_audit';

/**
 * The audit scenario's worker (bench/servers/audit-append.ts), in its own process so that its peak
 * RSS is its own. `chain`: `kernel.audit.append` given the database (hash chain, group-committed:
 * one transaction for the records arriving while the previous one commits), `chain-tx`: each
 * record in a transaction of its own (head lock, one commit each), by `concurrency` writers, and a signed checkpoint every second, as the job does. `plain`: the same
 * columns inserted into an unchained table, one autocommitted insert each.
 */
export async function runAppender(mode: 'chain' | 'chain-tx' | 'plain', seconds: number, concurrency: number): Promise<AppendReport> {
  const cli = await openCli(loadConfig(process.env));
  try {
    const { db, audit } = cli.kernel;
    if (mode === 'plain') {
      await sql`create table if not exists ${sql.table(PLAIN_TABLE)} (id uuid primary key, at timestamptz not null, actor_kind text not null,
        actor_id text not null, actor_organisation text, action text not null, subject text, resource_type text, resource_id text,
        purpose text, request_id text, details jsonb)`.execute(db);
    }
    const event = (n: number) => ({
      actor: { kind: 'client' as const, id: 'CN/GOV/110000-CAB/civil-system', organisation: 'CN/GOV/110000-CAB' },
      action: 'registry.record.read', subject: `person-${n % 1000}`, resource: { type: 'registry-record', id: String(n) },
      purpose: 'benchmark', requestId: randomUUID(), details: { fields: ['name', 'birthDate'] },
    });
    const until = performance.now() + seconds * 1000;
    let records = 0;
    let checkpoints = 0;
    const writer = async () => {
      while (performance.now() < until) {
        const n = records;
        // Given the database, append group-commits with the other writers' records (ADR 0027).
        if (mode === 'chain') await audit.append(db, event(n));
        // A record in a transaction of its own, as inside a business transaction: one commit each.
        else if (mode === 'chain-tx') await db.transaction().execute((tx) => audit.append(tx, event(n)));
        else {
          const e = event(n);
          await sql`insert into ${sql.table(PLAIN_TABLE)} (id, at, actor_kind, actor_id, actor_organisation, action, subject, resource_type, resource_id, purpose, request_id, details)
            values (${randomUUID()}, ${new Date()}, ${e.actor.kind}, ${e.actor.id}, ${e.actor.organisation}, ${e.action}, ${e.subject}, ${e.resource.type}, ${e.resource.id}, ${e.purpose}, ${e.requestId}, ${JSON.stringify(e.details)})`.execute(db);
        }
        records += 1;
      }
    };
    const signer = async () => {
      while (mode !== 'plain' && performance.now() < until) {
        await new Promise((resolve) => setTimeout(resolve, 1000));
        await audit.checkpoint();
        checkpoints += 1;
      }
    };
    const started = performance.now();
    await Promise.all([...Array.from({ length: concurrency }, writer), signer()]);
    const elapsed = (performance.now() - started) / 1000;
    if (mode !== 'plain') {
      const verified = await audit.verify();
      if (!verified.ok) throw new Error(`the audit trail does not verify after the run: ${JSON.stringify(verified.firstBad)}`);
    }
    return { records, seconds: elapsed, checkpoints, peakRssBytes: parseVmHwm(await readFile('/proc/self/status', 'utf8')) };
  } finally {
    await cli.close();
  }
}
