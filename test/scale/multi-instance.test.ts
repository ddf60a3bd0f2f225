import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBalancer } from '../../bench/lib/balancer.js';
import { startCluster, type Cluster, type Instance } from '../../bench/lib/cluster.js';
import { forkServer, type ChildServer } from '../../bench/lib/processes.js';
import { accessToken, createBenchDatabase, type BenchDatabase } from '../../bench/lib/tongban.js';
import { submission, SERVICE } from '../../bench/scenarios/submissions.js';
import { openCli } from '../../src/cli/context.js';
import { seedDemoClient, type DemoClient } from '../../src/kernel/auth/machine/index.js';
import { createTestBrowser, csrfToken, signIn, type Injectable } from '../../src/kernel/auth/test-kit.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { CALL_SCOPE, MEDIATOR_DEMO as DEMO } from '../../src/modules/mediator/index.js';
import { REGISTRY_CHANNEL } from '../../src/modules/mediator/registry-cache.js';
import { DESK, SCOPES } from '../crash/trial.js';
import { runTongban } from '../helpers/cli.js';
import { postgresAdminUrl, testDatabaseKinds } from '../helpers/databases.js';
import { reportFigure, scaled } from '../helpers/scale.js';
import { httpTarget } from './http-target.js';
import { startSlowSmtpSink, type SlowSmtpSink } from './slow-smtp.js';

const PROVIDER = fileURLToPath(new URL('../../bench/servers/provider.ts', import.meta.url));
const PERSON = '110101199003072359';
const INSTANCES = 2;
/** Generous: the machine is shared; every wait is on a condition, never a fixed sleep. */
const PATIENCE_MS = 120_000;

interface Prepared {
  readonly desk: DemoClient;
  readonly cab: DemoClient;
  readonly rightId: string;
}

/** Polls `check` until it holds; fails with `what` after PATIENCE_MS. */
async function until(what: string, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + PATIENCE_MS;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`${what}: not within ${PATIENCE_MS / 1000} s`);
    await sleep(50);
  }
}

/** The test browser's transport, pointed at one instance or at the balancer as the test goes. */
function switchable(port: number): Injectable & { use(port: number): void } {
  let current = port;
  return { inject: (options) => httpTarget(current).inject(options), use(next) { current = next; } };
}

/**
 * The balancer the cluster sits behind, on any database: a tool whose failure would make the
 * tests below prove nothing (every request on one instance) is shown to spread connections.
 */
describe('the round-robin test balancer', () => {
  it('hands each new connection to the next backend, bytes and Host header untouched', async () => {
    const servers = await Promise.all([0, 1].map(async (n) => {
      const server = createServer((request, response) => response.end(`${n} ${request.headers.host ?? ''} ${request.headers.cookie ?? ''}`));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
      return server;
    }));
    const balancer = await startBalancer();
    try {
      const ports = servers.map((s) => (s.address() as AddressInfo).port);
      balancer.setBackends(ports);
      const target = httpTarget(balancer.port);
      const answers: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        answers.push(String((await target.inject({ method: 'GET', url: '/', headers: { host: 'tongban.example', cookie: 'a=1' } })).body));
      }
      expect(answers).toEqual(['0 tongban.example a=1', '1 tongban.example a=1', '0 tongban.example a=1', '1 tongban.example a=1']);
      expect([...balancer.connectionsPerBackend().values()]).toEqual([2, 2]);
    } finally {
      await balancer.close();
      for (const server of servers) await new Promise<void>((resolve) => { server.close(() => resolve()); });
    }
  });
});

/**
 * Several `tongban serve` processes on one PostgreSQL database behind a round-robin balancer
 * (issue 8, Scale): sessions, durable jobs, SLA deadlines, the audit chains and the mediator's
 * registry cache stay correct when requests and jobs land on any instance. PostgreSQL only: PGlite
 * is one process's embedded database, so there is no second instance to start on it.
 */
for (const kind of testDatabaseKinds.filter((k) => k === 'postgres')) describe(`${INSTANCES} instances on one database behind a balancer [${kind}]`, () => {
  let database: BenchDatabase;
  let smtp: SlowSmtpSink;
  let provider: ChildServer;
  let cluster: Cluster<Prepared>;
  let sql: pg.Client;
  let one: Instance;
  let two: Instance;
  /** Applications acknowledged in the concurrent-submissions test (the deadlines test reuses them). */
  const acknowledged: string[] = [];

  beforeAll(async () => {
    database = await createBenchDatabase(kind, postgresAdminUrl);
    smtp = await startSlowSmtpSink(20);
    provider = await forkServer(PROVIDER);
    cluster = await startCluster<Prepared>({
      database,
      instances: INSTANCES,
      env: { TONGBAN_JOBS: 'on', TONGBAN_JOBS_POLL_MS: '200', TONGBAN_SMTP_URL: smtp.url, TONGBAN_SIGNIN_RATE_PER_MINUTE: '1000' },
      async prepare(cli) {
        const admin = { actor: { kind: 'system', id: 'multi-instance-test' }, may: () => true } as const;
        const persons = (await cli.services.mediator.listServices()).find((s) => s.id === DEMO.psb.service);
        if (!persons) throw new Error(`the demo seed did not register ${DEMO.psb.service}`);
        await cli.services.mediator.saveService({ subsystemId: DEMO.psb.subsystem, code: 'persons', name: persons.name, baseUrl: provider.url, openapi: persons.openapi }, admin);
        const right = (await cli.services.mediator.listRights({ serviceId: DEMO.psb.service, clientId: DEMO.cab.subsystem }))[0];
        if (!right) throw new Error('the demo seed granted the civil affairs system no right to the persons service');
        const desk = await seedDemoClient(cli.kernel.db, { clientId: DESK.clientId, name: 'Front desk (multi-instance test)', organisation: DESK.organisation, scopes: SCOPES });
        const cab = await seedDemoClient(cli.kernel.db, { clientId: DEMO.cab.clientId, name: 'Civil affairs case system (demo)', organisation: DEMO.cab.subsystem, scopes: [CALL_SCOPE] });
        return { desk, cab, rightId: right.id };
      },
    });
    [one, two] = cluster.instances as [Instance, Instance];
    sql = new pg.Client({ connectionString: cluster.env.DATABASE_URL });
    await sql.connect();
  }, 600_000);

  afterAll(async () => {
    await sql?.end();
    await cluster?.stop();
    await provider?.stop();
    await smtp?.close();
    await database?.dispose();
  }, 120_000);

  const count = async (text: string, values: unknown[] = []) => Number((await sql.query<{ n: string }>(`select count(*)::text as n from (${text}) q`, values)).rows[0]?.n);

  it('a person signed in through one instance is signed in on the other, and signing out on one ends it on both', async () => {
    const transport = switchable(cluster.balancer.port);
    const browser = createTestBrowser(transport, cluster.balancer.url);
    // Through the balancer, one connection per request: the sign-in's steps (attempt, IdP
    // interaction, login form with its CSRF token, callback) alternate between the instances.
    const before = cluster.balancer.connectionsPerBackend();
    const landed = await signIn(browser, 'citizen');
    expect(landed.statusCode).toBe(200);
    expect(landed.body).toContain('张伟');
    const after = cluster.balancer.connectionsPerBackend();
    for (const instance of cluster.instances) expect(after.get(instance.port) ?? 0).toBeGreaterThan(before.get(instance.port) ?? 0);

    for (const instance of [one, two]) {
      transport.use(instance.port);
      const page = await browser.get('/account');
      expect(page.statusCode, `the account page on the instance at ${instance.port}`).toBe(200);
      expect(page.body).toContain('张伟');
    }
    const cookie = browser.cookie('tongban_session');
    expect(cookie).toBeDefined();

    transport.use(one.port);
    const account = await browser.get('/account');
    const signedOut = await browser.post('/auth/signout', { _csrf: csrfToken(account.body) });
    expect(signedOut.statusCode).toBe(303);
    // The old cookie, kept (as a copied or stolen one would be), is worth nothing on the other instance.
    browser.setCookie('tongban_session', cookie ?? '');
    transport.use(two.port);
    const refused = await browser.get('/account');
    expect(refused.statusCode).toBe(303);
    expect(refused.headers.location).toMatch(/^\/auth\/signin\?/);
  });

  it('sign-in attempts from one address draw from one allowance, whichever instance answers them', async () => {
    const attempt = async (instance: Instance) => {
      const res = await httpTarget(instance.port).inject({ method: 'GET', url: '/auth/signin' });
      expect(res.statusCode).toBe(303);
      return Number(res.headers['x-ratelimit-remaining']);
    };
    // A minute's window may start again between two attempts: then the pair is taken again.
    let pair: [number, number] = [0, 0];
    for (let i = 0; i < 3; i++) {
      await attempt(one);
      await attempt(one);
      pair = [await attempt(one), await attempt(two)];
      if (pair[0] !== 999 && pair[1] !== 999) break;
    }
    expect(pair[1]).toBe(pair[0] - 1);
    // Counted in the database, where both instances read it.
    const hits = await sql.query<{ hits: number }>(`select hits from kernel_rate_limit where key like 'GET /auth/signin %'`);
    expect(hits.rows.map((r) => 1000 - r.hits)).toContain(pair[1]);
  });

  it('concurrent submissions through the balancer to both instances are all kept', async () => {
    const clients = 6;
    const each = scaled(8, 40);
    const token = await accessToken(cluster.balancer.url, { clientId: DESK.clientId, privateJwk: cluster.prepared.desk.privateJwk }, SCOPES);
    const url = `${cluster.balancer.url}/govstack/registration/services/${SERVICE}/applications`;
    const headers = { authorization: `Bearer ${token}`, 'information-mediator-client': DESK.organisation, 'content-type': 'application/json', accept: 'application/json' };
    const refused: string[] = [];
    const before = cluster.balancer.connectionsPerBackend();
    let person = 2_000_000;
    await Promise.all(Array.from({ length: clients }, async () => {
      for (let i = 0; i < each; i += 1) {
        const response = await fetch(url, { method: 'POST', headers, body: submission(person++) });
        const text = await response.text();
        if (response.ok) acknowledged.push((JSON.parse(text) as { fileId: string }).fileId);
        else refused.push(`${response.status} ${text.slice(0, 200)}`);
      }
    }));
    expect(refused).toEqual([]);
    expect(acknowledged).toHaveLength(clients * each);
    // Both instances took connections (so both wrote): keep-alive connections are spread at connect time.
    const after = cluster.balancer.connectionsPerBackend();
    for (const instance of cluster.instances) expect(after.get(instance.port) ?? 0).toBeGreaterThan(before.get(instance.port) ?? 0);
    expect(await count(`select id from applications where status = 'submitted' and id = any($1::uuid[])`, [acknowledged])).toBe(acknowledged.length);
    reportFigure(`multi-instance: ${acknowledged.length} submissions through ${INSTANCES} instances, all found`);
  }, 600_000);

  it('every SLA deadline that falls due escalates its case exactly once', async () => {
    expect(acknowledged.length).toBeGreaterThan(0);
    expect(await count(`select id from kernel_job where queue = 'workflow.sla' and state = 'pending' and key = any($1::text[])`, [acknowledged])).toBe(acknowledged.length);
    // Time passes: each case's deadline (and the job waiting for it) is moved into the past at once,
    // and both instances' workers, polling every 200 ms, race to run the jobs.
    await sql.query('begin');
    await sql.query(`update workflow_cases set due_at = now() - interval '1 minute' where id = any($1::uuid[])`, [acknowledged]);
    await sql.query(`update kernel_job set run_at = now() - interval '1 minute' where queue = 'workflow.sla' and key = any($1::text[])`, [acknowledged]);
    await sql.query('commit');
    await until('every SLA job finished', async () => (await count(`select id from kernel_job where queue = 'workflow.sla' and state in ('pending', 'running') and key = any($1::text[])`, [acknowledged])) === 0);
    expect(await count(`select id from kernel_job where queue = 'workflow.sla' and key = any($1::text[]) and not (state = 'done' and attempts = 1)`, [acknowledged])).toBe(0);
    expect(await count(`select id from workflow_cases where escalated and id = any($1::uuid[])`, [acknowledged])).toBe(acknowledged.length);
    // One escalation entry in each case's history: never two from two instances.
    const entries = await sql.query<{ case_id: string; n: string }>(
      `select case_id, count(*)::text as n from workflow_actions where action in ('escalate', 'sla_breach') and case_id = any($1::uuid[]) group by case_id`, [acknowledged]);
    expect(entries.rows).toHaveLength(acknowledged.length);
    expect(entries.rows.filter((r) => r.n !== '1')).toEqual([]);
  }, 600_000);

  it('notification jobs enqueued in bulk are each delivered once, by the workers of both instances', async () => {
    const total = scaled(120, 600);
    const cli = await openCli(loadConfig(cluster.env), { migrate: false });
    const ids: string[] = [];
    try {
      // Another process (as a CLI run or a third instance would) queues them in batches.
      for (let start = 0; start < total; start += 40) {
        await cli.kernel.db.transaction().execute(async (tx) => {
          for (let i = start; i < Math.min(total, start + 40); i += 1) {
            const { id } = await cli.services.messaging.notify(tx, { email: `person-${i}@tongban.example`, template: 'applicationSubmitted', locale: 'zh-CN', params: { reference: `TB-SCALE-${i}`, service: '个体工商户登记' } });
            ids.push(id);
          }
        });
      }
    } finally {
      await cli.close();
    }
    // Which workers hold deliveries while they run (a finished job's lock is cleared).
    const workers = new Set<string>();
    await until('every notification sent', async () => {
      const running = await sql.query<{ locked_by: string }>(`select distinct locked_by from kernel_job where queue = 'messaging.deliver' and state = 'running' and locked_by is not null`);
      for (const row of running.rows) workers.add(row.locked_by);
      return (await count(`select id from messaging_messages where status = 'sent' and id = any($1::uuid[])`, [ids])) === total;
    });
    const host = new URL(cluster.balancer.url).hostname;
    const expected = ids.map((id) => `<${id}@${host}>`).sort();
    // The same mail sink also got the supervisors' mails of the escalations above: count these only.
    const mine = new Set(expected);
    expect([...smtp.messageIds].filter((id) => mine.has(id)).sort()).toEqual(expected);
    const theirJobs = `select id from kernel_job where queue = 'messaging.deliver' and payload->>'messageId' = any($1::text[])`;
    expect(await count(`${theirJobs} and not (state = 'done' and attempts = 1)`, [ids])).toBe(0);
    expect(await count(`${theirJobs} and state = 'done'`, [ids])).toBe(total);
    expect(workers.size, `workers seen delivering: ${[...workers].join(', ')}`).toBeGreaterThanOrEqual(INSTANCES);
    reportFigure(`multi-instance: ${total} notifications delivered once each by ${workers.size} workers`);
  }, 600_000);

  it('an access right revoked through one instance is refused by the other (LISTEN/NOTIFY clears its cache)', async () => {
    const token = await accessToken(cluster.balancer.url, { clientId: DEMO.cab.clientId, privateJwk: cluster.prepared.cab.privateJwk }, [CALL_SCOPE]);
    const call = async (instance: Instance) => {
      const response = await fetch(`${instance.url}/r1/${DEMO.psb.service}/persons/${PERSON}`, {
        headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem, 'x-road-issue': 'multi-instance test' },
      });
      await response.arrayBuffer();
      return response.status;
    };
    // Each instance listens on the registry channel once it has mediated a call (and only then caches).
    await until('both instances listening for registry changes', async () => {
      for (const instance of [one, two]) expect(await call(instance)).toBe(200);
      return (await count(`select pid from pg_stat_activity where datname = current_database() and query = $1`, [`listen ${REGISTRY_CHANNEL}`])) >= INSTANCES;
    });
    const listener = new pg.Client({ connectionString: cluster.env.DATABASE_URL });
    await listener.connect();
    let notified = 0;
    listener.on('notification', () => { notified += 1; });
    await listener.query(`listen ${REGISTRY_CHANNEL}`);
    try {
      // The PSB administrator revokes the right in the registry pages, on the first instance.
      const transport = switchable(one.port);
      const admin = createTestBrowser(transport, cluster.balancer.url);
      await signIn(admin, 'agency-admin', { returnTo: '/admin/mediator/registry' });
      const confirm = await admin.get(`/admin/mediator/registry/rights/${cluster.prepared.rightId}/revoke`);
      expect(confirm.statusCode).toBe(200);
      // The second instance has just answered from its cache (a fresh entry, well within its lifetime).
      expect(await call(two)).toBe(200);
      const revoked = await admin.post(`/admin/mediator/registry/rights/${cluster.prepared.rightId}/revoke`, { _csrf: csrfToken(confirm.body) });
      expect(revoked.statusCode).toBe(303);
      const at = Date.now();
      expect(await call(one)).toBe(403);
      await until('the second instance refuses the revoked right', async () => (await call(two)) === 403);
      reportFigure(`multi-instance: the other instance refused the revoked right ${Date.now() - at} ms after the revoke was answered (not asserted; the cache's safety-net lifetime is 5 s)`);
      await until('the revoke announced on the registry channel', () => Promise.resolve(notified > 0));
      expect(notified).toBeGreaterThan(0);
    } finally {
      await listener.end();
    }
  }, 600_000);

  it('the audit trail and the message log verify after both instances wrote to them', async () => {
    // Exit 0, or runTongban rejects with what it printed.
    const result = await runTongban(cluster.env, 'audit', 'verify');
    expect(result.stdout).toMatch(/verified/);
    // Both instances appended to the one audit trail: far more records than submissions.
    expect(await count(`select id from tb_audit_record`)).toBeGreaterThan(acknowledged.length);
  }, 300_000);
});
