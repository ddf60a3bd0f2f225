import { fileURLToPath } from 'node:url';
import { createSessionStore } from '../../src/kernel/auth/sessions.js';
import { load, type LoadResult } from '../lib/load.js';
import { forkServer, type ChildServer } from '../lib/processes.js';
import { startPreparedTongban } from '../lib/tongban.js';
import { figure } from '../report.js';
import type { Scenario } from '../scenario.js';

const HELLO = fileURLToPath(new URL('../servers/hello.ts', import.meta.url));
const PERSON_ID_NUMBER = '110101199003072359';
const SERVICE = 'residence-certificate';
const MB = 1024 * 1024;

/**
 * Pages (issue 8 scenario 4): the home page, a service's start page and the first form page of a
 * draft, rendered for the signed-in demo citizen 张伟 (a real session: cookie, session lookup, the
 * person's principal, CSRF token, both languages' messages), against a hello-world Fastify route.
 */
export const pagesScenario: Scenario = {
  name: 'pages',
  summary: 'signed-in pages (home, service start, form page) vs a hello-world route',
  async run(context) {
    const kind = context.database.kind;
    const started: ChildServer[] = [];
    try {
      const hello = await forkServer(HELLO);
      started.push(hello);
      const tongban = await startPreparedTongban(context.database, async (cli) => {
        const account = await cli.services.identity.accountByIdNumber(PERSON_ID_NUMBER);
        if (!account) throw new Error(`the demo seed has no account for ${PERSON_ID_NUMBER}`);
        const person = await cli.services.identity.principal(account.id);
        if (!person) throw new Error('no principal for the demo citizen');
        const draft = await cli.services.applications.startOnline(SERVICE, person, 'zh-CN');
        const version = await cli.services.catalog.getCurrentService(SERVICE);
        const firstPage = version?.definition.form.pages[0]?.id;
        if (!firstPage) throw new Error(`${SERVICE} has no form page`);
        const session = await createSessionStore(cli.kernel.db, () => new Date()).create({ accountId: account.id, issuer: 'bench', idToken: undefined });
        return { cookie: `tongban_session=${session.id}`, formPage: `/applications/${draft.id}/pages/${firstPage}` };
      });
      started.push(tongban.server);
      const headers = { cookie: tongban.prepared.cookie, accept: 'text/html' };
      const pages = [['home', '/'], ['start', `/services/${SERVICE}`], ['form', tongban.prepared.formPage]] as const;
      for (const [, path] of pages) await expectPage(`${tongban.server.url}${path}`, headers);

      const { options } = context;
      const run = async (label: string, url: string, h: Record<string, string>): Promise<LoadResult> => {
        await load({ url, headers: h, seconds: Math.min(options.warmupSeconds, options.durationSeconds), connections: options.connections });
        const result = await load({ url, headers: h, seconds: options.durationSeconds, connections: options.connections });
        context.note(`[pages/${kind}] ${label}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.failed} failed`);
        return result;
      };
      const baseline = await run('hello world', `${hello.url}/`, {});
      const name = (what: string) => `pages.${kind}.${what}`;
      let failed = 0;
      for (const [label, path] of pages) {
        const result = await run(label, `${tongban.server.url}${path}`, headers);
        failed += result.failed;
        context.report(figure(name(`${label}.throughput`), result.rps, 'req/s', baseline.rps, { on: 'ratio', atLeast: 0.3 }));
        context.report(figure(name(`${label}.p99`), result.p99Ms, 'ms', baseline.p99Ms));
      }
      context.report(figure(name('peak-rss'), (await tongban.server.peakRssBytes()) / MB, 'MB', (await hello.peakRssBytes()) / MB));
      context.report(figure(name('failed'), failed, 'requests', baseline.failed, { on: 'value', atMost: 0 }));
    } finally {
      for (const server of started.reverse()) await server.stop();
    }
  },
};

/** Before measuring: the page answers 200 with the signed-in person's page, not a sign-in redirect. */
async function expectPage(url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers, redirect: 'manual' });
  const text = await response.text();
  if (response.status !== 200 || !text.includes('张伟')) throw new Error(`${url} answered ${response.status} without the person's name: ${text.slice(0, 300)}`);
}
