import { fileURLToPath } from 'node:url';
import type { AppendReport } from '../lib/appender.js';
import { runJob } from '../lib/processes.js';
import { tongbanEnv } from '../lib/tongban.js';
import { freePort } from '../lib/ports.js';
import { figure } from '../report.js';
import type { Scenario } from '../scenario.js';

const APPENDER = fileURLToPath(new URL('../servers/audit-append.ts', import.meta.url));
const WRITERS = 8;
const MB = 1024 * 1024;

/**
 * Audit append (issue 8 scenario 5): records per second through `kernel.audit.append` (hash chain
 * with its head lock, a signed checkpoint every second; given the database, group-committed; and
 * each record in a transaction of its own, as inside a business transaction) against plain
 * inserts of the same columns into an unchained table, each by 8 concurrent writers in a process
 * of its own. The chained run ends with `audit verify`, so a fast but broken chain cannot pass.
 */
export const auditScenario: Scenario = {
  name: 'audit',
  summary: 'audit appends with the hash chain and signed checkpoints vs plain inserts',
  async run(context) {
    const kind = context.database.kind;
    const env = tongbanEnv(await freePort(), context.database);
    const seconds = String(context.options.durationSeconds);
    const plain = await runJob<AppendReport>(APPENDER, ['plain', seconds, String(WRITERS)], env);
    const chained = await runJob<AppendReport>(APPENDER, ['chain', seconds, String(WRITERS)], env);
    const single = await runJob<AppendReport>(APPENDER, ['chain-tx', seconds, String(WRITERS)], env);
    const rate = (r: AppendReport) => r.records / r.seconds;
    context.note(`[audit/${kind}] plain: ${rate(plain).toFixed(0)} records/s; chained, group-committed: ${rate(chained).toFixed(0)} records/s with ${chained.checkpoints} checkpoints; one transaction each: ${rate(single).toFixed(0)} records/s; both verified`);
    const name = (what: string) => `audit.${kind}.${what}`;
    context.report(figure(name('append-rate'), rate(chained), 'records/s', rate(plain)));
    context.report(figure(name('append-rate-one-per-transaction'), rate(single), 'records/s', rate(plain)));
    context.report(figure(name('peak-rss'), chained.peakRssBytes / MB, 'MB', plain.peakRssBytes / MB));
  },
};
