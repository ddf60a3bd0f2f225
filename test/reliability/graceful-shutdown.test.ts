import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { submission, SERVICE } from '../../bench/scenarios/submissions.js';
import { accessToken, createBenchDatabase, startPreparedTongban, type BenchDatabase, type RunningTongban } from '../../bench/lib/tongban.js';
import { seedDemoClient } from '../../src/kernel/auth/machine/index.js';
import { DESK, SCOPES } from '../crash/trial.js';
import { postgresAdminUrl, testDatabaseKinds } from '../helpers/databases.js';

/** One request of the load and how it ended: an HTTP status, or the network error it met. */
interface Outcome {
  readonly kind: 'submit' | 'page';
  readonly sentBeforeSigterm: boolean;
  readonly status?: number;
  readonly error?: string;
  /** When it was sent and when it ended, in ms after SIGTERM (negative: before). */
  readonly sentMs: number;
  readonly endedMs: number;
}

const CLIENTS = 4;
/**
 * The drain this test asks for (TONGBAN_SHUTDOWN_DRAIN_MS). Longer than the 2 s default: on a
 * loaded CI machine this process can be starved for seconds, and `/readyz` must still be asked
 * while the server drains.
 */
const DRAIN_MS = 6_000;

function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? String(error);
}

/**
 * Graceful shutdown (issue 9): `tongban serve` in its own process takes submissions (database
 * writes) and page views from several keep-alive clients; SIGTERM comes in the middle. Every
 * request sent before the signal gets a real answer (2xx/3xx, or 503 if the server was already
 * closing when it read it), never a cut connection; during the drain after the signal (answers
 * say `Connection: close`) every request is answered; the process exits 0 within 30 s.
 */
for (const kind of testDatabaseKinds) {
  describe(`tongban serve on SIGTERM under load [${kind}]`, () => {
    let database: BenchDatabase;
    let tongban: RunningTongban & { prepared: Awaited<ReturnType<typeof seedDemoClient>> };

    beforeAll(async () => {
      database = await createBenchDatabase(kind, postgresAdminUrl);
      const draining = { ...database, env: { ...database.env, TONGBAN_SHUTDOWN_DRAIN_MS: String(DRAIN_MS) } };
      tongban = await startPreparedTongban(draining, (cli) => seedDemoClient(cli.kernel.db, { clientId: DESK.clientId, name: 'Front desk (shutdown test)', organisation: DESK.organisation, scopes: SCOPES }));
    });
    afterAll(async () => {
      await tongban.server.stop();
      await database.dispose();
    });

    it('answers every request it accepted and exits with 0 within 30 s', async () => {
      const base = tongban.server.url;
      const token = await accessToken(base, { clientId: DESK.clientId, privateJwk: tongban.prepared.privateJwk }, SCOPES);
      const submitUrl = `${base}/govstack/registration/services/${SERVICE}/applications`;
      const headers = { authorization: `Bearer ${token}`, 'information-mediator-client': DESK.organisation, 'content-type': 'application/json', accept: 'application/json' };
      const outcomes: Outcome[] = [];
      let sigtermSent = false;
      let person = 500_000;
      let gone = false;
      let signalledAt = Number.POSITIVE_INFINITY;
      const client = async (n: number) => {
        // Until the server is gone: after SIGTERM a client goes on until it is refused a connection.
        for (let i = 0; !gone; i += 1) {
          const submit = (i + n) % 2 === 0;
          const sentBeforeSigterm = !sigtermSent;
          const sentAt = performance.now();
          const times = () => ({ sentMs: Math.round(sentAt - signalledAt), endedMs: Math.round(performance.now() - signalledAt) });
          const kindOf = submit ? 'submit' as const : 'page' as const;
          try {
            const response = submit
              ? await fetch(submitUrl, { method: 'POST', headers, body: submission(person++) })
              : await fetch(`${base}/`, { headers: { accept: 'text/html' }, redirect: 'manual' });
            await response.arrayBuffer();
            outcomes.push({ kind: kindOf, sentBeforeSigterm, status: response.status, ...times() });
          } catch (error) {
            outcomes.push({ kind: kindOf, sentBeforeSigterm, error: errorCode(error), ...times() });
            if (sigtermSent) return;
          }
          if (sigtermSent) await sleep(20);
        }
      };
      const running = Array.from({ length: CLIENTS }, (_, n) => client(n));
      // Under load until some submissions have gone through, so that SIGTERM finds work in flight.
      const loadedBy = performance.now() + 60_000;
      while (outcomes.filter((o) => o.kind === 'submit' && o.status === 200).length < 3 && performance.now() < loadedBy) await sleep(100);
      sigtermSent = true;
      signalledAt = performance.now();
      process.kill(tongban.server.pid, 'SIGTERM');
      // `/readyz` fails as soon as the drain starts (the balancer stops sending), while the server
      // still answers: asked until the signal is handled, it says 503 before the listener closes.
      let readyz: number | string;
      do {
        try {
          const answer = await fetch(`${base}/readyz`, { headers: { accept: 'application/json' } });
          await answer.arrayBuffer();
          readyz = answer.status;
        } catch (error) {
          readyz = errorCode(error);
        }
        if (readyz === 200) await sleep(10);
      } while (readyz === 200);
      const exit = await tongban.server.exited;
      const exitMs = performance.now() - signalledAt;
      gone = true;
      await Promise.all(running);

      const before = outcomes.filter((o) => o.sentBeforeSigterm);
      const after = outcomes.filter((o) => !o.sentBeforeSigterm);
      const okStatus = (s: number | undefined) => s !== undefined && ((s >= 200 && s < 400) || s === 503);
      expect(before.filter((o) => o.kind === 'submit' && o.status === 200).length).toBeGreaterThanOrEqual(3);
      expect(before.filter((o) => !okStatus(o.status)), 'requests sent before SIGTERM that failed').toEqual([]);
      // During the drain the server still takes requests: each gets a real answer. Once the drain is
      // over the listener closes, so a request sent then was never accepted: it is refused, or (a
      // connection racing the close) reset; the server logged nothing of it.
      // A request sent in the drain's last moments can race the listener's close on a loaded machine
      // (its connection opened just before, its bytes read just after): it counts as not accepted.
      const RACE_MS = 500;
      const inDrain = after.filter((o) => o.sentMs < DRAIN_MS - RACE_MS);
      expect(inDrain.filter((o) => !okStatus(o.status)), 'requests sent during the drain that failed').toEqual([]);
      const notAccepted = new Set(['ECONNREFUSED', 'ECONNRESET']);
      expect(after.filter((o) => o.sentMs >= DRAIN_MS - RACE_MS && !(okStatus(o.status) || (o.error !== undefined && notAccepted.has(o.error)))), 'requests after the drain that failed otherwise').toEqual([]);
      expect(readyz, '/readyz once SIGTERM was handled').toBe(503);
      expect(exit).toEqual({ code: 0, signal: null });
      expect(exitMs).toBeLessThan(30_000);
    }, 180_000);
  });
}
