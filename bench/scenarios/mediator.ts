import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { seedDemoClient, type DemoClient } from '../../src/kernel/auth/machine/index.js';
import { CALL_SCOPE, MEDIATOR_DEMO as DEMO } from '../../src/modules/mediator/index.js';
import { pacedCommits } from '../lib/commit-floor.js';
import { load, type LoadResult } from '../lib/load.js';
import { paced } from '../lib/paced.js';
import { freePort } from '../lib/ports.js';
import { cpuMs, forkServer, machineCpu, type ChildServer } from '../lib/processes.js';
import { makeTlsMaterial } from '../lib/tls-material.js';
import { accessToken, startPreparedTongban } from '../lib/tongban.js';
import { tlsRequest } from '../../src/modules/mediator/test-tls.js';
import { added, figure } from '../report.js';
import type { Scenario } from '../scenario.js';

const PERSON = '110101199003072359';
const PROVIDER = fileURLToPath(new URL('../servers/provider.ts', import.meta.url));
const BARE_PROXY = fileURLToPath(new URL('../servers/bare-proxy.ts', import.meta.url));
const MB = 1024 * 1024;
/** The first warm-up of each server, whatever `--warmup` says (see where it is used). */
const STEADY_WARMUP_SECONDS = 12;

/**
 * Mediated calls (issue 4, issue 8 scenario 2): the demo civil affairs system reads a person from
 * the population service through `/r1/...` (token check, client check, access right, forward,
 * hash-chained message log and the person's audit record), against a bare Node proxy forwarding
 * the same request to the same provider. Then the same call on the mediator's TLS port with a
 * registered client certificate instead of a token (ADR 43), against the bare proxy over the same
 * mutual TLS.
 */
export const mediatorScenario: Scenario = {
  name: 'mediator',
  summary: 'mediated calls through /r1 vs a bare node:http + undici proxy to the same provider',
  async run(context) {
    const kind = context.database.kind;
    const started: ChildServer[] = [];
    const tls = await makeTlsMaterial();
    try {
      const provider = await forkServer(PROVIDER);
      started.push(provider);
      const proxy = await forkServer(BARE_PROXY, [provider.url, '/p']);
      started.push(proxy);
      const tlsProxy = await forkServer(BARE_PROXY, [provider.url, '/p', tls.server.certFile, tls.server.keyFile]);
      started.push(tlsProxy);
      const tlsPort = await freePort();
      context.note(`[mediator/${kind}] provider ${provider.url}, bare proxy ${proxy.url}; preparing Tongban…`);

      const tongban = await startPreparedTongban(context.database, async (cli): Promise<DemoClient> => {
        const admin = { actor: { kind: 'system', id: 'bench' }, may: () => true } as const;
        const current = (await cli.services.mediator.listServices()).find((s) => s.id === DEMO.psb.service);
        if (!current) throw new Error(`the demo seed did not register ${DEMO.psb.service}`);
        await cli.services.mediator.saveService({ subsystemId: DEMO.psb.subsystem, code: 'persons', name: current.name, baseUrl: provider.url, openapi: current.openapi }, admin);
        await cli.services.mediator.addCertificate({ subsystemId: DEMO.cab.subsystem, pem: tls.client.cert }, admin);
        // Idempotent: returns the demo system's key the seed stored, for its client assertions.
        return seedDemoClient(cli.kernel.db, { clientId: DEMO.cab.clientId, name: 'Civil affairs case system (demo)', organisation: DEMO.cab.subsystem, scopes: [CALL_SCOPE] });
      }, { TONGBAN_MEDIATOR_TLS_PORT: String(tlsPort), TONGBAN_MEDIATOR_TLS_CERT_FILE: tls.server.certFile, TONGBAN_MEDIATOR_TLS_KEY_FILE: tls.server.keyFile });
      started.push(tongban.server);
      const client = { clientId: DEMO.cab.clientId, privateJwk: tongban.prepared.privateJwk };
      context.note(`[mediator/${kind}] Tongban ${tongban.server.url} (pid ${tongban.server.pid})`);

      const bareUrl = `${proxy.url}/p/persons/${PERSON}`;
      const mediatedUrl = `${tongban.server.url}/r1/${DEMO.psb.service}/persons/${PERSON}`;
      const mediatedHeaders = async () => ({
        authorization: `Bearer ${await accessToken(tongban.server.url, client, [CALL_SCOPE])}`,
        'information-mediator-client': DEMO.cab.subsystem,
        'x-road-issue': 'benchmark',
      });
      await expectRecord(bareUrl, {});
      await expectRecord(mediatedUrl, await mediatedHeaders());
      // The same path on the TLS ports: no token, the registered client certificate says who calls.
      const tlsPath = `/r1/${DEMO.psb.service}/persons/${PERSON}`;
      const certificateHeaders = { 'information-mediator-client': DEMO.cab.subsystem, 'x-road-issue': 'benchmark' };
      const tlsBareUrl = `${tlsProxy.url}/p/persons/${PERSON}`;
      const tlsMediatedUrl = `https://127.0.0.1:${tlsPort}${tlsPath}`;
      await expectTlsRecord(new URL(tlsBareUrl), {}, tls);
      await expectTlsRecord(new URL(tlsMediatedUrl), certificateHeaders, tls);

      const { options } = context;
      const seconds = options.durationSeconds;
      const mtls = { clientCertificate: { cert: tls.client.cert, key: tls.client.key } };
      const run = async (label: string, url: string, headers: Record<string, string>, overallRate?: number, tlsClient: typeof mtls | Record<string, never> = {}): Promise<LoadResult> => {
        const result = overallRate ? await paced({ url, headers, seconds, rate: overallRate }) : await load({ url, headers, seconds, connections: options.connections, ...tlsClient });
        context.note(`[mediator/${kind}] ${label}: ${result.rps.toFixed(0)} req/s, p50 ${result.p50Ms.toFixed(2)} ms, p99 ${result.p99Ms.toFixed(2)} ms, ${result.failed} failed`);
        return result;
      };

      const warm = Math.min(options.warmupSeconds, seconds);
      // The mediator reaches its steady state only after 12-15 s of load (JIT tiering of its many
      // code paths, PGlite's WebAssembly too): measured after 2 s it used 35-50 % more CPU per
      // exchange than after 15 s (docs/performance.md, ninth pass). A bare proxy has little to
      // warm; both get the same first warm-up, so the two are compared as long-running servers.
      const firstWarm = Math.max(warm, STEADY_WARMUP_SECONDS);
      await load({ url: bareUrl, seconds: firstWarm, connections: options.connections });
      await load({ url: mediatedUrl, headers: await mediatedHeaders(), seconds: firstWarm, connections: options.connections });

      // CPU time per answered request (user + system of the server process only): unlike req/s it
      // barely depends on what else the machine's cores are doing while the bench runs.
      // The whole machine's too (every process: load generator, provider, PostgreSQL, server), and
      // how busy its cores were: when they are all busy, the rate is bound by the machine's CPU per
      // request, whatever one process could do on cores of its own.
      const cpuOf = async (server: ChildServer, work: () => Promise<LoadResult>) => {
        const before = await cpuMs(server.pid);
        const machineBefore = await machineCpu();
        const result = await work();
        const machineAfter = await machineCpu();
        const answered = Math.max(1, result.ok);
        const machineBusyMs = machineAfter.busyMs - machineBefore.busyMs;
        return {
          result,
          cpuMsPerRequest: ((await cpuMs(server.pid)) - before) / answered,
          machineCpuMsPerRequest: machineBusyMs / answered,
          machineBusyPercent: (100 * machineBusyMs) / Math.max(1, machineAfter.totalMs - machineBefore.totalMs),
        };
      };
      const bare = await cpuOf(proxy, () => run('bare proxy, flat out', bareUrl, {}));
      const commitsBefore = await commits(context.database.env.DATABASE_URL);
      const mediated = await cpuOf(tongban.server, async () => run('mediated, flat out', mediatedUrl, await mediatedHeaders()));
      const commitsAfter = await commits(context.database.env.DATABASE_URL);
      const bareMax = bare.result;
      const mediatedMax = mediated.result;
      const name = (what: string) => `mediator.${kind}.${what}`;
      context.report(figure(name('throughput'), mediatedMax.rps, 'req/s', bareMax.rps, { on: 'ratio', atLeast: 0.5 }));
      context.report(figure(name('cpu-per-request'), mediated.cpuMsPerRequest, 'ms', bare.cpuMsPerRequest));
      context.report(figure(name('machine-cpu-per-request'), mediated.machineCpuMsPerRequest, 'ms', bare.machineCpuMsPerRequest));
      context.report(figure(name('machine-busy'), mediated.machineBusyPercent, '%', bare.machineBusyPercent));
      if (commitsBefore !== undefined && commitsAfter !== undefined) {
        // Group commit at work: database transactions per mediated exchange (1 or more without it).
        context.report(figure(name('commits-per-exchange'), (commitsAfter - commitsBefore) / Math.max(1, mediatedMax.ok), 'commits', null));
      }

      // Mutual TLS (ADR 43): both sides pay the handshakes and the encryption; the mediator checks
      // the certificate registered for the client instead of a token. No aim of its own: issue 4's
      // aim is read on the plain figures above.
      await load({ url: tlsBareUrl, seconds: warm, connections: options.connections, ...mtls });
      await load({ url: tlsMediatedUrl, headers: certificateHeaders, seconds: warm, connections: options.connections, ...mtls });
      const bareTls = await cpuOf(tlsProxy, () => run('bare proxy over mutual TLS, flat out', tlsBareUrl, {}, undefined, mtls));
      const mediatedTls = await cpuOf(tongban.server, () => run('mediated over mutual TLS (client certificate), flat out', tlsMediatedUrl, certificateHeaders, undefined, mtls));
      context.report(figure(name('mtls.throughput'), mediatedTls.result.rps, 'req/s', bareTls.result.rps));
      context.report(figure(name('mtls.cpu-per-request'), mediatedTls.cpuMsPerRequest, 'ms', bareTls.cpuMsPerRequest));

      // Moderate load: the configured rate, but never above a quarter of what the mediator managed
      // flat out in this run. On a machine whose cores are busy with other work a fixed rate would
      // measure a queue (minutes of backlog), not the latency the mediator adds.
      const rate = Math.max(1, Math.min(options.rate, Math.floor(mediatedMax.rps / 4)));
      if (rate < options.rate) context.note(`[mediator/${kind}] latency at ${rate} req/s, a quarter of the mediated maximum (asked for ${options.rate})`);
      const bareRate = await run(`bare proxy at ${rate} req/s`, bareUrl, {}, rate);
      const mediatedRate = await run(`mediated at ${rate} req/s`, mediatedUrl, await mediatedHeaders(), rate);
      const at = `@${rate}rps`;
      context.report(figure(name(`p50${at}`), mediatedRate.p50Ms, 'ms', bareRate.p50Ms));
      context.report(figure(name(`p99${at}`), mediatedRate.p99Ms, 'ms', bareRate.p99Ms));
      context.report(added(name(`added-p50${at}`), mediatedRate.p50Ms, bareRate.p50Ms, 'ms'));
      context.report(added(name(`added-p99${at}`), mediatedRate.p99Ms, bareRate.p99Ms, 'ms', { on: 'value', atMost: 2 }));
      // What the durable log alone costs on this engine and disk at the same rate: the added
      // latency includes one such commit (see bench/lib/commit-floor.ts).
      const floor = await pacedCommits(context.database, { rate, seconds });
      context.note(`[mediator/${kind}] one committed insert at ${rate}/s: p50 ${floor.p50Ms.toFixed(2)} ms, p99 ${floor.p99Ms.toFixed(2)} ms, ${floor.failed} failed`);
      context.report(figure(name(`commit-p50${at}`), floor.p50Ms, 'ms', null));
      context.report(figure(name(`commit-p99${at}`), floor.p99Ms, 'ms', null));

      context.report(figure(name('peak-rss'), (await tongban.server.peakRssBytes()) / MB, 'MB', (await proxy.peakRssBytes()) / MB));
      const failed = (results: LoadResult[]) => results.reduce((sum, r) => sum + r.failed, 0);
      context.report(figure(name('failed'), failed([mediatedMax, mediatedRate, mediatedTls.result]), 'requests', failed([bareMax, bareRate, bareTls.result]), { on: 'value', atMost: 0 }));
    } finally {
      for (const server of started.reverse()) await server.stop();
      await tls.dispose();
    }
  },
};

/** Transactions committed in the bench's PostgreSQL database so far (its statistics, after they settle). */
async function commits(url: string | undefined): Promise<number | undefined> {
  if (url === undefined) return undefined;
  await sleep(1_000);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>('select xact_commit::text as n from pg_stat_database where datname = current_database()');
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/** Before measuring: both paths answer the provider's record, so the figures compare like with like. */
async function expectRecord(url: string, headers: Record<string, string>): Promise<void> {
  const response = await fetch(url, { headers });
  const text = await response.text();
  if (response.status !== 200 || !text.includes(PERSON)) throw new Error(`${url} answered ${response.status}: ${text.slice(0, 500)}`);
}

/** The same check over TLS, presenting the client certificate and trusting only the server's. */
async function expectTlsRecord(url: URL, headers: Record<string, string>, tls: { server: { cert: string }; client: { cert: string; key: string } }): Promise<void> {
  const answer = await tlsRequest(Number(url.port), { path: `${url.pathname}${url.search}`, serverCert: tls.server.cert, client: tls.client, headers });
  if (answer.status !== 200 || !answer.body.includes(PERSON)) throw new Error(`${url.href} answered ${answer.status}: ${answer.body.slice(0, 500)}`);
}
