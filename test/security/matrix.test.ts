import { afterAll, beforeAll, expect, it } from 'vitest';
import { migrationSources } from '../../src/modules/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { reportFigure } from '../helpers/scale.js';
import { securityApp, type SecurityApp } from './harness.js';
import { ROLES, ruleFor } from './matrix.js';
import { concrete, isDenial, outcomeOf } from './outcome.js';

/**
 * The authorisation matrix (issue 9): every route in Fastify's route table has a rule in
 * matrix.ts, and every role gets the outcome its rule says. GET routes are tried as every role;
 * state-changing routes as an anonymous caller (a signed-in write also needs a CSRF token and a
 * real resource, which the module tests exercise).
 */
describeEachDatabase('authorisation matrix', migrationSources, (use) => {
  let s: SecurityApp;
  beforeAll(async () => { s = await securityApp(use()); }, 240_000);
  afterAll(async () => { await s.close(); });

  it('has a rule for every route in the route table', () => {
    expect(s.routes.length).toBeGreaterThan(100);
    const missing = s.routes.filter((r) => !ruleFor(r.method, r.url)).map((r) => `${r.method} ${r.url}`);
    expect(missing).toEqual([]);
  });

  it('gives every role the outcome the matrix says, and logs every denial as a security event', async () => {
    const wrong: string[] = [];
    let requests = 0;
    let denials = 0;
    for (const route of s.routes.filter((r) => r.method !== 'HEAD')) {
      const rule = ruleFor(route.method, route.url);
      if (!rule) continue;
      const roles = route.method === 'GET' ? ROLES : (['anonymous'] as const);
      for (const role of roles) {
        const url = concrete(route.url);
        const before = s.logs.length;
        const res = await s.request(role, route.method, url, route.method === 'GET' ? undefined : {});
        requests += 1;
        const expected = rule.row[role];
        const actual = outcomeOf(res, expected);
        if (actual !== expected) wrong.push(`${route.method} ${route.url} as ${role}: expected ${expected}, got ${res.statusCode} (${rule.name})`);
        if (res.statusCode >= 500 && res.statusCode !== 501) wrong.push(`${route.method} ${route.url} as ${role}: ${res.statusCode}`);
        if (isDenial(res)) {
          denials += 1;
          // The line of this very request (joined by its request id), naming the route pattern, never the ids in the address.
          const logged = s.logs.slice(before).some((l) => l.event === 'security.denied' && l.msg === 'security.denied' && l.reqId === res.headers['x-request-id'] && l.route === route.url && typeof l.code === 'string');
          if (!logged) wrong.push(`${route.method} ${route.url} as ${role}: denied (${res.statusCode}) without a security.denied log line of its request`);
        }
      }
    }
    reportFigure(`authorisation matrix: ${s.routes.length} routes, ${requests} requests, ${denials} denials, all as the matrix says and logged`);
    expect(wrong).toEqual([]);
  }, 600_000);
});
