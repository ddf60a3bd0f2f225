import { cpus } from 'node:os';
import { seedDemoClient } from '../../src/kernel/auth/machine/index.js';
import { startCluster } from '../lib/cluster.js';
import { load, type LoadResult } from '../lib/load.js';
import { accessToken } from '../lib/tongban.js';
import { figure } from '../report.js';
import type { Scenario } from '../scenario.js';
import { submission, SERVICE } from './submissions.js';

const DESK = { clientId: 'bench-instances-front-desk', organisation: 'CN/GOV/110000-CAB/front-desk' };
const SCOPES = ['registration:apply'];
/** An even number, so that two instances get the same share of the balancer's connections. */
const CONNECTIONS = 8;

/**
 * Many instances (issue 8, Scale): two `tongban serve` processes on one PostgreSQL database behind
 * the round-robin TCP balancer (bench/lib/balancer.ts), first with every connection sent to one
 * instance, then spread over both: API submissions (database-bound) and the home page (CPU-bound).
 * The baseline is the single instance behind the same balancer, so the balancer's own cost is in
 * both. PostgreSQL only: PGlite is one process's embedded database.
 */
export const instancesScenario: Scenario = {
  name: 'instances',
  summary: 'two instances vs one behind the same balancer: submissions and the home page (PostgreSQL only)',
  async run(context) {
    const kind = context.database.kind;
    if (kind !== 'postgres') {
      context.note(`[instances/${kind}] not run: a second instance needs a database server`);
      return;
    }
    const cluster = await startCluster({
      database: context.database,
      instances: 2,
      prepare: (cli) => seedDemoClient(cli.kernel.db, { clientId: DESK.clientId, name: 'Front desk (bench, instances)', organisation: DESK.organisation, scopes: SCOPES }),
    });
    try {
      const [first] = cluster.instances;
      if (!first) throw new Error('no instance started');
      const token = await accessToken(cluster.balancer.url, { clientId: DESK.clientId, privateJwk: cluster.prepared.privateJwk }, SCOPES);
      const submitHeaders = { authorization: `Bearer ${token}`, 'information-mediator-client': DESK.organisation, 'content-type': 'application/json', accept: 'application/json' };
      const submitUrl = `${cluster.balancer.url}/govstack/registration/services/${SERVICE}/applications`;
      const pageUrl = `${cluster.balancer.url}/`;
      let next = 3_000_000;
      const body = () => submission(next++);
      const { durationSeconds } = context.options;
      context.note(`[instances/${kind}] ${cpus().length} cores for the instances, PostgreSQL, the balancer and the load generator together`);

      const measure = async (label: string, run: (seconds: number) => Promise<LoadResult>): Promise<LoadResult> => {
        await run(Math.min(context.options.warmupSeconds, durationSeconds));
        const result = await run(durationSeconds);
        context.note(`[instances/${kind}] ${label}: ${result.rps.toFixed(1)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.failed} failed${result.problems ? ` (${result.problems})` : ''}`);
        return result;
      };
      const submissions = (seconds: number) => load({ url: submitUrl, headers: submitHeaders, body, seconds, connections: CONNECTIONS });
      const pages = (seconds: number) => load({ url: pageUrl, headers: { accept: 'text/html' }, seconds, connections: CONNECTIONS });

      // Each instance must accept a submission before anything is measured: a run of refusals measures nothing.
      for (const instance of cluster.instances) {
        cluster.balancer.setBackends([instance.port]);
        const answer = await fetch(submitUrl, { method: 'POST', headers: submitHeaders, body: body() });
        if (answer.status !== 200) throw new Error(`instance ${instance.url} refused a submission (${answer.status}): ${(await answer.text()).slice(0, 500)}`);
      }

      cluster.balancer.setBackends([first.port]);
      const oneSubmit = await measure('submissions, 1 instance', submissions);
      const onePage = await measure('home page, 1 instance', pages);
      cluster.balancer.setBackends(cluster.instances.map((i) => i.port));
      const twoSubmit = await measure('submissions, 2 instances', submissions);
      const twoPage = await measure('home page, 2 instances', pages);

      const name = (what: string) => `instances.${kind}.${what}`;
      // No aim: on 2 cores shared with PostgreSQL and the load generator, a second instance has little to gain.
      context.report(figure(name('submissions-2-vs-1'), twoSubmit.rps, 'req/s', oneSubmit.rps));
      context.report(figure(name('pages-2-vs-1'), twoPage.rps, 'req/s', onePage.rps));
      const failed = [twoSubmit, twoPage].reduce((sum, r) => sum + r.failed, 0);
      context.report(figure(name('failed'), failed, 'requests', oneSubmit.failed + onePage.failed, { on: 'value', atMost: 0 }));
    } finally {
      await cluster.stop();
    }
  },
};
