import { Writable } from 'node:stream';
import type { LightMyRequestResponse } from 'fastify';
import { buildApp, type Built } from '../../src/app.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../src/kernel/auth/machine/index.js';
import { SESSION_COOKIE } from '../../src/kernel/auth/index.js';
import type { Principal } from '../../src/kernel/auth/index.js';
import { createTestBrowser, csrfToken, signIn, type TestBrowser } from '../../src/kernel/auth/test-kit.js';
import { CSRF_FIELD } from '../../src/kernel/http/security.js';
import { multipartBody, type TestFile } from '../../src/modules/applications/test-kit.js';
import { demoPersona } from '../../src/modules/identity/index.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { LANG_COOKIE } from '../../src/kernel/i18n/plugin.js';
import { createLogger } from '../../src/kernel/log.js';
import { modules } from '../../src/modules/index.js';
import type { TestDatabase } from '../helpers/databases.js';
import { ROLES, type Role } from './matrix.js';

export const PUBLIC_URL = 'http://tongban.test';

/** Every scope a machine API checks: the "machine client with the right" holds them all. */
export const ALL_SCOPES = [
  'mediator.call', 'payments:bills', 'consent:config', 'consent:service', 'consent:audit',
  'scheduler:read', 'scheduler:book', 'registration:read', 'registration:apply', 'registration:operate',
  'registries:read', 'registries:write', 'registries:usage', 'registries:schema', 'read:rights', 'write:rights', 'read:conf',
  'workflow:read', 'workflow:write', 'messaging:send',
];

export interface SecurityApp {
  readonly built: Built;
  /** Every log line the app wrote at warn or above, parsed. */
  readonly logs: Record<string, unknown>[];
  /** method + url of every route, from Fastify's route table. */
  readonly routes: { method: string; url: string }[];
  /** As a browser for a person's GET (HTML), unless `asApi`: then as a JSON client with the session cookie. */
  request(role: Actor, method: string, url: string, payload?: unknown, asApi?: boolean): Promise<LightMyRequestResponse>;
  /**
   * A form post as a signed-in person's browser sends it: urlencoded (or multipart, with any files),
   * with a valid CSRF token (`token`, read from the form's page, or one read from the account page).
   */
  form(role: Actor, url: string, fields: Record<string, string | string[]>, options?: { multipart?: boolean; files?: Record<string, TestFile>; token?: string }): Promise<LightMyRequestResponse>;
  /** The signed-in person's principal (for arranging real resources through the services). */
  principal(role: Actor): Promise<Principal>;
  close(): Promise<void>;
}

/** The route table, from `printRoutes` (Fastify has no list API once the app is ready). */
export function routeTable(printed: string): { method: string; url: string }[] {
  const stack: string[] = [];
  const out: { method: string; url: string }[] = [];
  for (const line of printed.split('\n')) {
    const m = /^([\s│├└─]*)(\S.*?)(?: \(([A-Z, ]+)\))?$/.exec(line);
    if (!m?.[2]) continue;
    const depth = Math.floor((m[1] ?? '').length / 4);
    const url = (stack[depth - 1] ?? '') + m[2];
    stack[depth] = url;
    stack.length = depth + 1;
    for (const method of (m[3] ?? '').split(',').map((s) => s.trim()).filter(Boolean)) out.push({ method, url });
  }
  return out;
}

/** The matrix roles, plus an officer of one agency only (the transport bureau) for real resources. */
export type Actor = Role | 'otherAgencyOfficer';

export async function securityApp(test: TestDatabase): Promise<SecurityApp> {
  const logs: Record<string, unknown>[] = [];
  const sink = new Writable({ write(chunk: Buffer, _enc, done) { for (const l of chunk.toString().split('\n')) if (l) logs.push(JSON.parse(l) as Record<string, unknown>); done(); } });
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:', TONGBAN_API_RATE_PER_MINUTE: '10000000', TONGBAN_SIGNIN_RATE_PER_MINUTE: '10000000', LOG_LEVEL: 'warn' });
  const config = { ...base, database: test.config.database };
  const built = await buildApp({ config, database: test.database, logger: createLogger(base, sink) });
  await built.app.ready();
  for (const mod of modules) await mod.seed?.({ kernel: built.kernel, services: built.services });
  const routes = routeTable(built.app.printRoutes({ commonPrefix: false }));

  const browsers = new Map<Actor, TestBrowser>();
  for (const [role, persona] of Object.entries(PERSONAS) as [Actor, string][]) {
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    browser.setCookie(LANG_COOKIE, 'en');
    await signIn(browser, persona);
    browsers.set(role, browser);
  }
  const token = async (clientId: string, scopes: string[]) => {
    const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation: `CN/GOV/110000-PSB/${clientId}`, scopes });
    const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const answer = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, scopes) });
    return answer.json<{ access_token: string }>().access_token;
  };
  const bearer: Partial<Record<Role, string>> = {
    machine: await token('matrix-system', ALL_SCOPES),
    machineNoScope: await token('matrix-system-unscoped', ['matrix:nothing']),
  };
  const host = new URL(PUBLIC_URL).host;
  const csrf = new Map<Actor, string>();

  return {
    built, logs, routes,
    async request(role, method, url, payload, asApi = false) {
      const browser = browsers.get(role);
      if (browser && method === 'GET' && !asApi) return browser.get(url);
      const cookie = browser ? [SESSION_COOKIE, 'tb_csrf'].flatMap((n) => { const v = browser.cookie(n); return v ? [`${n}=${v}`] : []; }).join('; ') : undefined;
      const auth = bearer[role as Role];
      return built.app.inject({
        method: method as 'GET', url,
        headers: { host, accept: 'application/json', ...(cookie ? { cookie } : {}), ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
      });
    },
    async form(role, url, fields, options = {}) {
      const browser = browsers.get(role);
      const cookie = browser ? [SESSION_COOKIE, 'tb_csrf', LANG_COOKIE].flatMap((n) => { const v = browser.cookie(n); return v ? [`${n}=${v}`] : []; }).join('; ') : '';
      let token = options.token ?? csrf.get(role);
      if (browser && token === undefined) {
        token = csrfToken((await browser.get('/account')).body);
        csrf.set(role, token);
      }
      const all = { ...fields, ...(token ? { [CSRF_FIELD]: token } : {}) };
      const body = options.multipart ? multipartBody(all, options.files ?? {}) : { payload: formBody(all), contentType: 'application/x-www-form-urlencoded' };
      return built.app.inject({ method: 'POST', url, payload: body.payload, headers: { host, accept: 'text/html', cookie, 'content-type': body.contentType } });
    },
    async principal(role) {
      const subject = PERSONAS[role];
      const found = subject ? await built.services.identity.principal(demoPersona(subject).accountId) : undefined;
      if (!found) throw new Error(`no principal for ${role}`);
      return found;
    },
    close: () => built.app.close(),
  };
}

function formBody(fields: Record<string, string | string[]>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) params.append(name, v);
  return params.toString();
}

const PERSONAS: Partial<Record<Actor, string>> = {
  citizen: 'citizen', otherCitizen: 'business', clerk: 'clerk', officer: 'officer',
  agencyAdmin: 'agency-admin', platformAdmin: 'platform-admin', otherAgencyOfficer: 'transport-officer',
};
export { ROLES };
