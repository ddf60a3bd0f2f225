import { Ajv, type ValidateFunction } from 'ajv';
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrationSources } from '../../src/modules/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { familiesOf, fuzzRunsOverride, reportFigure, scaled, shardNote } from '../helpers/scale.js';
import { pathValue, queryFor, valueFor, type Schema } from './fuzz-arbitraries.js';
import { securityApp, type SecurityApp } from './harness.js';
import { invalidApplications } from './stored.js';
import { leakIn } from './leak.js';
import type { Role } from './matrix.js';

/**
 * Property-based fuzzing of every JSON API the OpenAPI document lists (issue 9): bodies, query
 * strings and path parameters generated from the schemas, valid-ish and broken, sent as a caller
 * who may use the route. Never a 5xx, never an internal detail, always problem+json on a 4xx.
 * A family is one operation (method and path); `test:long --shards N` gives each process a share
 * of them (TONGBAN_FUZZ_SHARD, scale.ts). TONGBAN_FUZZ_RUNS sets the runs per family for a
 * measurement (neither `npm test` nor `test:long` sets it).
 */
const RUNS = fuzzRunsOverride ?? scaled(12, 10_000);
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

interface Operation { method: string; path: string; body?: Schema; query: { name: string; schema?: Schema }[]; pathParams: string[]; answers: Record<string, Schema | undefined> }
interface OpenApi { paths: Record<string, Partial<Record<typeof METHODS[number], { requestBody?: { content?: Record<string, { schema?: Schema }> }; parameters?: { name: string; in: string; schema?: Schema }[]; responses?: Record<string, { content?: Record<string, { schema?: Schema }> }> }>>> }

function fail(message: string): never {
  throw new Error(message);
}

/** User and system CPU time, in ms. */
function cpuMs(usage: NodeJS.CpuUsage): number {
  return (usage.user + usage.system) / 1000;
}

function operations(doc: OpenApi): Operation[] {
  return Object.entries(doc.paths).flatMap(([path, item]) => METHODS.flatMap((method) => {
    const op = item[method];
    if (!op) return [];
    const params = op.parameters ?? [];
    return [{
      method: method.toUpperCase(), path, body: op.requestBody?.content?.['application/json']?.schema,
      query: params.filter((p) => p.in === 'query'), pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
      answers: Object.fromEntries(Object.entries(op.responses ?? {}).map(([status, r]) => [status, r.content?.['application/json']?.schema])),
    }];
  }));
}

/** A caller the route is meant for, so the fuzz reaches the handler rather than the guard. */
function callerFor(path: string): Role {
  if (/^\/(govstack|r1|listClients)/.test(path)) return 'machine';
  if (path.startsWith('/api/workflow')) return 'officer';
  if (path.startsWith('/api/payments/counter')) return 'clerk';
  if (/^\/api\/(consent|mediator)/.test(path)) return 'agencyAdmin';
  return 'platformAdmin';
}

describeEachDatabase('fuzzing the JSON APIs', migrationSources, (use) => {
  let s: SecurityApp;
  let ops: Operation[];
  beforeAll(async () => {
    s = await securityApp(use());
    ops = operations((await s.built.app.inject({ url: '/openapi.json' })).json<OpenApi>());
  }, 240_000);
  afterAll(async () => { await s.close(); });

  it('refuses a NUL byte in an id or query with a 400, not a database error (found by this fuzzing)', async () => {
    for (const [role, url] of [
      ['machine', '/govstack/consent/service/individual/record/data-agreement/%00/'],
      ['machine', '/govstack/registries/data/mypersonalDataUsage?userId=%00&databaseId=x'],
      ['agencyAdmin', '/api/mediator/registry?member=%00'],
      ['platformAdmin', '/api/catalog/services/%00'],
      ['anonymous', '/api/catalog/services?lifeEvent=%00'],
      ['anonymous', '/govstack/registration/services?name=a%00b'],
      ['anonymous', '/services?q=%00'],
      ['anonymous', '/%00'],
    ] as const) {
      const res = await s.request(role, 'GET', url, undefined, true);
      expect(res.statusCode, url).toBe(400);
      // Pages answer a browser with the HTML error page; the APIs with problem+json.
      if (!url.startsWith('/services') && url !== '/%00') expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    }
  });

  it('never answers a generated request with a 5xx or an internal detail', async () => {
    expect(ops.length).toBeGreaterThan(20);
    // Reported, never asserted: the cost of a generated request on whatever machine runs it.
    const started = performance.now();
    // CPU time of this process too (the app, PGlite and the harness; not PostgreSQL's server):
    // less at the mercy of a shared machine's load than the wall time.
    const cpu = process.cpuUsage();
    let requests = 0;
    let acceptedChecked = 0;
    const failures: string[] = [];
    // An accepted request's answer (what was stored, as the API reports it) must satisfy the schema
    // the operation documents for that status: never invalid data accepted (issue 9).
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    const validators = new Map<Schema, ValidateFunction | undefined>();
    const validatorFor = (schema: Schema) => {
      if (!validators.has(schema)) {
        try { validators.set(schema, ajv.compile(schema)); } catch { validators.set(schema, undefined); }
      }
      return validators.get(schema);
    };
    const mine = familiesOf(ops, (op) => `${op.method} ${op.path}`);
    for (const op of mine) {
      const request = fc.record({
        params: fc.tuple(...op.pathParams.map(() => pathValue)),
        query: queryFor(op.query),
        body: op.body ? valueFor(op.body) : fc.constant(undefined),
      });
      // The OAuth token endpoint answers errors as RFC 6749 §5.2 says: JSON with `error`.
      const errorType = op.path === '/oauth/token' ? /^application\/json/ : /^application\/problem\+json/;
      await fc.assert(fc.asyncProperty(request, async ({ params, query, body }) => {
        let i = 0;
        const path = op.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(params[i++] ?? 'x')));
        const url = query ? `${path}?${query}` : path;
        const payload = op.method === 'GET' || op.method === 'DELETE' ? undefined : JSON.stringify(body ?? null);
        const res = await s.request(callerFor(op.path), op.method, url, payload, true);
        requests += 1;
        // Plain checks that throw (fast-check reports the message as the failure): chai's expect
        // on every one of 10,000 answers per family cost more than the checks themselves.
        const where = () => `${op.method} ${url.slice(0, 200)} → ${res.statusCode}`;
        if (res.statusCode >= 500 && res.statusCode !== 501) fail(`${where()}: ${res.body.slice(0, 500)}`);
        // The problem's instance echoes the URL (a generated segment `pg` is no driver name).
        const leak = leakIn(res.body, [url]);
        if (leak !== undefined) fail(`${where()} leaks ${JSON.stringify(leak)}: ${res.body.slice(0, 500)}`);
        const type = String(res.headers['content-type']);
        if (res.statusCode >= 400 && !errorType.test(type)) fail(`${where()}: content type ${type}, expected ${String(errorType)}`);
        // An empty path parameter can address another documented route (`/instances/{id}` with ''
        // is `/instances/`, the list): its answer is that route's, not this one's to check.
        const another = params.some((value) => String(value) === '');
        const documented = another ? undefined : op.answers[String(res.statusCode)];
        const validate = res.statusCode < 300 && documented && /json/.test(type) ? validatorFor(documented) : undefined;
        if (validate) {
          acceptedChecked += 1;
          if (!validate(res.json())) fail(`${where()} answered outside its schema: ${ajv.errorsText(validate.errors)}`);
        }
      }), { numRuns: RUNS }).catch((error: unknown) => {
        const e = error as Error & { cause?: Error };
        failures.push(`${op.method} ${op.path}: ${(e.cause?.message ?? e.message).slice(0, 400)}`);
      });
    }
    reportFigure(`API fuzzing (${shardNote(mine.length, ops.length)}): ${mine.length} route families, ${RUNS} generated requests each, ${requests} in all, no 5xx, no leak (${((performance.now() - started) / Math.max(requests, 1)).toFixed(1)} ms per request with generation and checks, ${(cpuMs(process.cpuUsage(cpu)) / Math.max(requests, 1)).toFixed(1)} ms of this process's CPU); ${acceptedChecked} accepted answers valid against their documented schema`);
    expect(failures).toEqual([]);
  }, 3_600_000);

  it('never stores invalid data: every submitted application\'s answers satisfy its service\'s JSON Schema', async () => {
    const { checked, wrong } = await invalidApplications(s);
    reportFigure(`API fuzzing: stored applications re-read and checked against their service schema: ${checked}`);
    expect(wrong).toEqual([]);
  }, 300_000);
});
