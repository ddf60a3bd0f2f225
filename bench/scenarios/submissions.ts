import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { seedDemoClient } from '../../src/kernel/auth/machine/index.js';
import { jpeg, pdf } from '../../src/modules/applications/test-kit.js';
import { load, type LoadResult } from '../lib/load.js';
import { forkServer, type ChildServer } from '../lib/processes.js';
import { accessToken, startPreparedTongban } from '../lib/tongban.js';
import { figure } from '../report.js';
import type { Scenario } from '../scenario.js';

const BASELINE = fileURLToPath(new URL('../servers/jsonb-insert.ts', import.meta.url));
/** The demo sole-trader business licence, applied for through the GovStack Registration API. */
export const SERVICE = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const DESK = { clientId: 'bench-cab-front-desk', organisation: 'CN/GOV/110000-CAB/front-desk' };
const SCOPES = ['registration:apply'];
const MB = 1024 * 1024;
/** Fewer connections than the read scenarios: each submission is a long transaction. */
const CONNECTIONS = 8;

const dataUrl = (type: string, name: string, content: Buffer) => `data:${type};name=${name};base64,${content.toString('base64')}`;
const DOCUMENTS = [dataUrl('application/pdf', 'premises_proof', pdf('lease')), dataUrl('image/jpeg', 'operator_id', jpeg())];

/** A valid resident ID number (GB 11643 check digit), a different person for each n. */
export function residentId(n: number): string {
  const body = `110101${19900101 + (n % 28)}${String(Math.floor(n / 28) % 1000).padStart(3, '0')}`;
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((total, digit, i) => total + Number(digit) * (weights[i] ?? 0), 0);
  return `${body}${'10X98765432'[sum % 11] ?? ''}`;
}

/**
 * One submission for the n-th person: each request applies for someone else, because the API
 * resumes a person's open draft, and two concurrent submissions for one person conflict (409).
 */
export function submission(n: number): string {
  const id = residentId(n);
  return JSON.stringify({
    applicantId: id,
    formData: {
      data: {
        operator: { operator_name: '张伟', operator_id_number: id, operator_phone: '13800138000' },
        business: {
          organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
          business_scope: ['retail'], scope_detail: 'Selling fruit', employees: 2, capital: { amount: 500000, currency: 'CNY' },
        },
      },
    },
    documentUrls: DOCUMENTS,
  });
}

/**
 * Submissions (issue 8 scenario 1): a front-desk system applies for a person through the GovStack
 * Registration API (`POST /govstack/registration/services/{id}/applications`: token, validation,
 * documents, application, workflow start, audit record and outbox job in one transaction), against
 * a bare Fastify route inserting the same JSON as one jsonb row into the same kind of database.
 */
export const submissionsScenario: Scenario = {
  name: 'submissions',
  summary: 'applications submitted through the API vs a bare route inserting one jsonb row',
  async run(context) {
    const kind = context.database.kind;
    const started: ChildServer[] = [];
    const baselineDir = kind === 'pglite' ? await mkdtemp(join(tmpdir(), 'tongban-bench-jsonb-')) : undefined;
    try {
      const where = kind === 'postgres' ? context.database.env.DATABASE_URL : baselineDir;
      if (!where) throw new Error('no database for the baseline');
      const baselineServer = await forkServer(BASELINE, [kind, where]);
      started.push(baselineServer);
      const tongban = await startPreparedTongban(context.database, (cli) => seedDemoClient(cli.kernel.db, { clientId: DESK.clientId, name: 'Front desk (bench)', organisation: DESK.organisation, scopes: SCOPES }));
      started.push(tongban.server);
      const token = await accessToken(tongban.server.url, { clientId: DESK.clientId, privateJwk: tongban.prepared.privateJwk }, SCOPES);
      const url = `${tongban.server.url}/govstack/registration/services/${SERVICE}/applications`;
      const headers = { authorization: `Bearer ${token}`, 'information-mediator-client': DESK.organisation, 'content-type': 'application/json', accept: 'application/json' };
      // Twice: the measured runs repeat the same submission, so a second one must be accepted too.
      for (let i = 0; i < 2; i += 1) {
        const sent = performance.now();
        const answer = await fetch(url, { method: 'POST', headers, body: submission(1_000_000 + i) });
        context.note(`[submissions/${kind}] a single submission: ${answer.status} in ${(performance.now() - sent).toFixed(0)} ms`);
        if (answer.status !== 200) throw new Error(`a submission was refused (${answer.status}): ${(await answer.text()).slice(0, 500)}`);
      }

      const { options } = context;
      let next = 0;
      const body = () => submission(next++);
      const run = async (label: string, target: string, h: Record<string, string>): Promise<LoadResult> => {
        await load({ url: target, headers: h, body, seconds: Math.min(options.warmupSeconds, options.durationSeconds), connections: CONNECTIONS });
        const result = await load({ url: target, headers: h, body, seconds: options.durationSeconds, connections: CONNECTIONS });
        context.note(`[submissions/${kind}] ${label}: ${result.rps.toFixed(1)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.failed} failed${result.problems ? ` (${result.problems})` : ''}`);
        return result;
      };
      const bare = await run('bare jsonb insert', `${baselineServer.url}/submissions`, { 'content-type': 'application/json' });
      const submitted = await run('API submissions', url, headers);
      const name = (what: string) => `submissions.${kind}.${what}`;
      context.report(figure(name('throughput'), submitted.rps, 'req/s', bare.rps, { on: 'ratio', atLeast: 0.3 }));
      context.report(figure(name('p99'), submitted.p99Ms, 'ms', bare.p99Ms));
      context.report(figure(name('peak-rss'), (await tongban.server.peakRssBytes()) / MB, 'MB', (await baselineServer.peakRssBytes()) / MB));
      context.report(figure(name('failed'), submitted.failed, 'requests', bare.failed, { on: 'value', atMost: 0 }));
    } finally {
      for (const server of started.reverse()) await server.stop();
      if (baselineDir) await rm(baselineDir, { recursive: true, force: true });
    }
  },
};
