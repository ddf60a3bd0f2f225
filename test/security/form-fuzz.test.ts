import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { compileForm } from '../../src/forms/form.js';
import { DEMO_PASSWORD } from '../../src/kernel/auth/idp/users.js';
import { createTestBrowser, csrfToken, type TestBrowser } from '../../src/kernel/auth/test-kit.js';
import { migrationSources } from '../../src/modules/index.js';
import { describeEachDatabase } from '../helpers/databases.js';
import { familiesOf, fuzzRunsOverride, fuzzSeed, fuzzShard, reportFigure, scaled, shardNote } from '../helpers/scale.js';
import { filesFor, formsOf, linksOf, queryFor, submissionFor, type FilePart, type FormField } from './forms.js';
import { invalidApplications, invalidFormRecords, trustedFileNames } from './stored.js';
import { leakIn } from './leak.js';
import { PUBLIC_URL, securityApp, type Actor, type SecurityApp } from './harness.js';
import { ruleFor, type Role } from './matrix.js';
import { concrete } from './outcome.js';
import { arrangers, arrangeStates, getArrangers, type Arranger } from './states.js';

/**
 * Property-based fuzzing of every HTML form endpoint (issue 9). The forms are found, not listed:
 * each role's browser walks the pages of the route table (in the states arranged by states.ts: a
 * draft, decided and pending cases, a request for information, an appointment, fees due and paid,
 * follow-ups, a consent, a data question, a registry report) and follows their links; every POST
 * form met gives a route family with its field list (inputs, options, selects, buttons). fast-check
 * then posts generated submissions (offered values, wrong shapes, hostile strings, missing and
 * repeated fields) as the person who saw the form, with a valid CSRF token, so the handler runs.
 * Never a 5xx, never an internal detail; a refusal is an HTML page (a form with a GOV.UK error
 * summary, or the error page). The built-in IdP's sign-in form is fuzzed the same way. Multipart
 * forms get generated file parts too (empty, oversize, wrong type, a type that disagrees with the
 * bytes, hostile names). The GET forms met on the walk (search, filters, the booking steps) get
 * generated query strings for their fields, under the same rules. What the forms stored is checked
 * afterwards: applications against their service's schema, the other forms' rows against their
 * services' rules, kept files' names against the rule that no client path survives (stored.ts).
 * A form that uses its state up (a draft submitted, an appointment cancelled, a fee paid, a case
 * decided...) meets a fresh one: before a family's runs, after each accepted post, and after a
 * refusal that says the state is gone (404, 409, 410) or every REREAD_EVERY other refusals, its page
 * is read again, and when the form is gone a new state is arranged (states.ts, `arrangers`) and the
 * form's address, CSRF token and hidden values are read from the fresh page; the figure line says
 * how often, per family. A GET form whose page no longer shows it is arranged the same way before
 * its runs (`getArrangers`). TONGBAN_FUZZ_RUNS sets the runs per family for a measurement,
 * TONGBAN_FUZZ_SEED fixes the seed (neither `npm test` nor `test:long` sets them).
 * `test:long --shards N` gives each process (with its own app, states and walk) a share of the
 * families, POST, sign-in and GET together (TONGBAN_FUZZ_SHARD, scale.ts).
 */
const RUNS = fuzzRunsOverride ?? scaled(6, 10_000);
/** Every family's runs, with TONGBAN_FUZZ_SEED's seed when a measurement fixes one. */
const PARAMETERS: fc.Parameters<unknown> = { numRuns: RUNS, ...(fuzzSeed === undefined ? {} : { seed: fuzzSeed }) };
const CRAWL_PER_ROLE = scaled(300, 800);
/** At most this many pages of one route per role (the arranged states give up to 8 of an `:id` route). */
const PER_ROUTE = 12;
const CRAWLERS: readonly Actor[] = ['citizen', 'clerk', 'officer', 'agencyAdmin', 'platformAdmin'];
/** The built-in IdP's sign-in form, fuzzed as one family. */
const SIGN_IN = 'POST /idp/interaction/:uid/login';
/** Refusals that say the state a form was made for is gone (not found, a conflict, gone): its page is read again at once. */
const STATE_GONE: ReadonlySet<number> = new Set([404, 409, 410]);
/**
 * Other refusals (a form with an error summary) re-read the page every so many, so a state a
 * refused post used up behind an ordinary refusal is met within this many posts, at one page read
 * per this many refusals.
 */
const REREAD_EVERY = 50;
/**
 * Posts that end the session (tested in the auth suite) or the account (closing it: tested in
 * src/modules/identity/closing.test.ts): fuzzing them would sign the crawler out for good.
 */
const SKIP = /^\/(auth\/signout|account\/close$|lang\/)/;

/**
 * A POST form route as the walk met it: its fields (every page's that showed it), the page it was
 * first shown on, and while fuzzing the live form's address, CSRF token and offered values (`now`),
 * re-read from its page, and how often its state was used up and arranged again.
 */
interface Family {
  route: string; role: Actor; url: string; multipart: boolean; fields: Map<string, FormField>;
  page?: string; token?: string; now: Map<string, readonly string[]>; rearranged: number; spent: boolean;
}

/**
 * The generated values with a hidden field's walk-time value (a task id, an idempotency key, a
 * slot, a return address) swapped for the live form's when the state changed under it: a value
 * the live form offers no longer is its state's past, not a generated one.
 */
function withLiveValues(family: Family, values: Record<string, string | string[]>): Record<string, string | string[]> {
  const out = { ...values };
  for (const [name, value] of Object.entries(values)) {
    const field = family.fields.get(name);
    const now = family.now.get(name) ?? [];
    if (field?.kind !== 'hidden' || now.length === 0 || field.options.some((o) => now.includes(o))) continue;
    const swap = (v: string) => { const i = field.options.indexOf(v); return i < 0 ? v : now[i % now.length] ?? v; };
    out[name] = Array.isArray(value) ? value.map(swap) : swap(value);
  }
  return out;
}

function matcher(routes: readonly { method: string; url: string }[]): (path: string) => string | undefined {
  const posts = routes.filter((r) => r.method === 'POST' && !r.url.includes('*')).map((r) => ({ url: r.url, re: new RegExp(`^${r.url.replace(/:\w+/g, '[^/]+').replace(/\*/g, '.*')}$`) }));
  // Static routes before parametric ones, as Fastify matches them.
  posts.sort((a, b) => (a.url.includes(':') ? 1 : 0) - (b.url.includes(':') ? 1 : 0));
  return (path) => posts.find((p) => p.re.test(path))?.url;
}

/** Every POST route a browser form could target: not the APIs, protocols or the catch-all. */
function formRoutesOf(routes: readonly { method: string; url: string }[]) {
  return routes.filter((r) => r.method === 'POST' && !/^\/(api|govstack|r1|oauth|listClients|payments\/webhooks|idp)\b|\*/.test(r.url) && !SKIP.test(r.url));
}

/** Whom a form route is for, by its address (used only for routes no page showed). */
function roleFor(url: string): Actor {
  if (/^\/(counter|payments\/counter|halls)/.test(url)) return 'clerk';
  if (/^\/(backoffice|payments\/refunds)/.test(url)) return 'officer';
  if (/^\/admin\/(consent|mediator|privacy)/.test(url)) return 'agencyAdmin';
  if (url.startsWith('/admin')) return 'platformAdmin';
  return 'citizen';
}

/** Checks one answer to a generated request (never a 5xx or a leak; a refusal is a page saying what is wrong) and counts it. */
function checker() {
  const counts = { requests: 0, accepted: 0 };
  /** `echoed`: the request's own texts (the URL, the values typed), which a page may show again. */
  const check = (where: string, res: LightMyRequestResponse, echoed: readonly string[]) => {
    counts.requests += 1;
    expect(res.statusCode >= 500, `${where} → ${res.statusCode}: ${res.body.slice(0, 400)}`).toBe(false);
    expect(leakIn(res.body, echoed), `${where} leaks: ${res.body.slice(0, 400)}`).toBeUndefined();
    if (res.statusCode < 400) { counts.accepted += 1; return; }
    expect(res.headers['content-type'], where).toMatch(/^text\/html/);
    // Bad input: the form again with a GOV.UK error summary, or the error page (its heading and reference).
    if (res.statusCode === 400 || res.statusCode === 422) expect(/class="tb-error-summary"|<h1[^>]*>[\s\S]*?Reference|参考编号|tb-heading-l/.test(res.body), `${where} → ${res.statusCode} without an error summary or error page`).toBe(true);
  };
  return { counts, check };
}

/** Runs a property, turning its failure into a line of `failures` so every family is tried. */
async function collect(failures: string[], label: string, run: Promise<void>): Promise<void> {
  await run.catch((error: unknown) => {
    const e = error as Error & { cause?: Error };
    failures.push(`${label}: ${(e.cause?.message ?? e.message).slice(0, 500)}`);
  });
}

describeEachDatabase('fuzzing the HTML forms', migrationSources, (use) => {
  let s: SecurityApp;
  const families = new Map<string, Family>();
  /** This process's family shard: POST, sign-in and GET families by name (all of them unless TONGBAN_FUZZ_SHARD). */
  const shard = () => new Set(familiesOf([...[...families.keys()].map((r) => `POST ${r}`), SIGN_IN, ...[...getForms.keys()].map((r) => `GET ${r}`)], (name) => name));
  /** The GET forms met on the walk, by the route of their action. */
  const getForms = new Map<string, Family>();
  let pagesSeen = 0;
  let draft = '';
  const blind: string[] = [];
  let routeOf: (path: string) => string | undefined = () => undefined;
  /** The GET route a page address or a GET form's action belongs to. */
  let getRouteOf: (url: string) => string | undefined = () => undefined;

  beforeAll(async () => {
    s = await securityApp(use());
    const states = await arrangeStates(s);
    draft = states.draft;
    const started = await s.built.services.applications.openDraft(draft, await s.principal('citizen'));
    const pages = compileForm(started.service.definition.form).pages.map((p) => `/applications/${draft}/pages/${p.id}`);
    routeOf = matcher(s.routes);
    const gets = s.routes.filter((r) => r.method === 'GET' && !/^\/(api|govstack|r1|oauth|docs|openapi|auth|idp|lang|metrics|healthz|readyz|\.well-known|demo-providers)/.test(r.url) && !/\.(csv|json|js|pdf)$|\*/.test(r.url));
    const seeds = [...pages, `/applications/${draft}/documents`, `/applications/${draft}/check`, ...states.seeds,
      ...gets.flatMap((r) => (r.url.includes(':id') ? states.ids.map((id) => r.url.replace(':id', id)) : [r.url])).map(concrete)];
    const getPatterns = gets.map((r) => ({ url: r.url, re: new RegExp(`^${r.url.replace(/:\w+/g, '[^/]+')}$`) }));
    getRouteOf = (url: string) => getPatterns.find((r) => r.re.test(url.split('?')[0] ?? ''))?.url;
    for (const role of CRAWLERS) {
      // The pages the matrix lets this role open, then whatever they link to.
      const queue = [...new Set(seeds)].filter((url) => {
        const route = getRouteOf(url);
        return !route || ruleFor('GET', route)?.row[role as Role] === 'allow';
      });
      const seen = new Set<string>();
      // Pages of one route look alike: a few of each (every arranged state's, and some linked) are
      // enough, so a long list of cases does not use up the walk.
      const perRoute = new Map<string, number>();
      let pages = 0;
      while (queue.length > 0 && pages < CRAWL_PER_ROLE) {
        const url = queue.shift() ?? '';
        if (seen.has(url) || /\.(csv|json|pdf)(\?|$)|^\/(auth|lang|api)\//.test(url)) continue;
        seen.add(url);
        const route = getRouteOf(url) ?? url;
        const visits = perRoute.get(route) ?? 0;
        if (visits >= PER_ROUTE) continue;
        perRoute.set(route, visits + 1);
        const res = await s.request(role, 'GET', url);
        if (res.statusCode !== 200 || !String(res.headers['content-type']).startsWith('text/html')) continue;
        pagesSeen += 1;
        pages += 1;
        for (const form of formsOf(res.body)) {
          const path = form.action.split('?')[0] ?? '';
          const route = routeOf(path);
          if (!route || SKIP.test(path)) continue;
          const family = families.get(route) ?? { route, role, url: form.action, multipart: form.multipart, fields: new Map<string, FormField>(), page: url, now: new Map<string, readonly string[]>(), rearranged: 0, spent: false };
          for (const field of form.fields) if (!family.fields.has(field.name)) family.fields.set(field.name, field);
          families.set(route, family);
        }
        for (const form of formsOf(res.body, 'get')) {
          const route = getRouteOf(form.action) ?? form.action.split('?')[0] ?? '';
          const family = getForms.get(route) ?? { route, role, url: form.action.split('?')[0] ?? '', multipart: false, fields: new Map<string, FormField>(), page: url, now: new Map<string, readonly string[]>(), rearranged: 0, spent: false };
          for (const field of form.fields) if (!family.fields.has(field.name)) family.fields.set(field.name, field);
          getForms.set(route, family);
        }
        for (const link of linksOf(res.body)) if (!seen.has(link)) queue.push(link);
      }
    }
    // Form routes no page showed (states the walk does not reach): fuzzed blind, as the role the
    // address suggests, on the real application, with generated fields only.
    for (const route of formRoutesOf(s.routes)) {
      if (families.has(route.url)) continue;
      blind.push(route.url);
      families.set(route.url, { route: route.url, role: roleFor(route.url), url: concrete(route.url.replace(':id', draft)), multipart: false, fields: new Map(), now: new Map(), rearranged: 0, spent: false });
    }
  }, 900_000);
  afterAll(async () => { await s.close(); });

  it('finds the forms of the route table: every form route is reached by a page (with the arranged states) and fuzzed with its fields', () => {
    const formRoutes = formRoutesOf(s.routes);
    reportFigure(`form discovery: ${pagesSeen} pages walked, ${formRoutes.length - blind.length} of ${formRoutes.length} form routes met on a page with their fields; blind: ${blind.join(', ')}`);
    expect(formRoutes.every((r) => families.has(r.url))).toBe(true);
    // A new form route that no page shows in the arranged states is fuzzed blind, and fails here:
    // arrange the state that shows it (states.ts).
    expect(blind).toEqual([]);
  });

  it('never answers a generated form post with a 5xx or an internal detail; refusals are pages that say what is wrong', async () => {
    expect(families.size).toBeGreaterThan(10);
    // Reported, never asserted: the cost of a generated post on whatever machine runs it.
    const started = performance.now();
    const failures: string[] = [];
    const { counts, check } = checker();
    let filesSent = 0;
    const arrangements = arrangers(s);
    /** Families whose state was used up with no arranger for it in states.ts, and arrangements that failed. */
    const unarranged: string[] = [];
    /** Re-reads the family's form from its page (address, offered values, CSRF token): false when the page no longer shows it. */
    const reread = async (family: Family): Promise<boolean> => {
      if (family.page === undefined) return true;
      const page = await s.request(family.role, 'GET', family.page);
      const forms = page.statusCode === 200 ? formsOf(page.body).filter((f) => routeOf(f.action.split('?')[0] ?? '') === family.route) : [];
      const [form] = forms;
      if (!form) return false;
      family.url = form.action;
      family.token = csrfToken(page.body);
      family.now = new Map();
      for (const field of forms.flatMap((f) => f.fields)) family.now.set(field.name, [...(family.now.get(field.name) ?? []), ...field.options]);
      return true;
    };
    const isLive = async (family: Family, arranger: Arranger | undefined) => (await reread(family)) && (arranger?.live ? await arranger.live(family.url) : true);
    /**
     * Before a family's runs, after each accepted post and after some refusals (below): when the state its form was made for is
     * gone (used up by the post, or by another family's), a fresh one is arranged and its page read.
     */
    const meetLiveState = async (family: Family): Promise<void> => {
      if (family.spent) return;
      const arranger = arrangements[family.route];
      try {
        if (await isLive(family, arranger)) return;
        if (!arranger) throw new Error('its state was used up and states.ts has no arranger for it');
        family.page = await arranger.arrange();
        family.rearranged += 1;
        if (!(await isLive(family, arranger))) throw new Error(`the state arranged again shows no live form on ${family.page}`);
      } catch (error) {
        family.spent = true;
        unarranged.push(`${family.route}: ${(error as Error).message}`);
      }
    };
    const mine = shard();
    const posts = [...families.values()].filter((family) => mine.has(`POST ${family.route}`));
    /** Refusals after which the page was read again, and those of them that found the state gone (arranged again). */
    const afterRefusal = { reread: 0, arranged: 0, ms: 0, byStatus: new Map<number, number>() };
    for (const family of posts) {
      await meetLiveState(family);
      let refusals = 0;
      const all = [...family.fields.values()];
      // A multipart form's file fields get file parts (none, one or several), its other fields text.
      const text = family.multipart ? all.filter((f) => f.kind !== 'file') : all;
      const files = family.multipart ? filesFor(all) : fc.constant<Record<string, FilePart>>({});
      await collect(failures, `POST ${family.route}`, fc.assert(fc.asyncProperty(submissionFor(text), files, async (fields, parts) => {
        filesSent += Object.keys(parts).length;
        const url = family.url;
        const sent = withLiveValues(family, fields);
        const res = await s.form(family.role, url, sent, { multipart: family.multipart, files: parts, ...(family.token ? { token: family.token } : {}) });
        check(`${family.role} POST ${url} (files: ${Object.entries(parts).map(([n, f]) => `${n}=${JSON.stringify(f.filename).slice(0, 60)} ${f.type} ${f.content.length} B`).join(', ')})`, res, [url, ...Object.values(sent).flat(), ...Object.values(parts).map((f) => f.filename)]);
        // Accepted (a redirect away included): the post may have used the state up. Refused: only
        // when the answer says the state is gone, or every REREAD_EVERY refusals, so a state used
        // up by a refused post is met at once or within a few posts, without a page read per post.
        if (res.statusCode < 400) {
          await meetLiveState(family);
        } else {
          afterRefusal.byStatus.set(res.statusCode, (afterRefusal.byStatus.get(res.statusCode) ?? 0) + 1);
          refusals += 1;
          if (STATE_GONE.has(res.statusCode) || refusals % REREAD_EVERY === 0) {
            const [before, at] = [family.rearranged, performance.now()];
            await meetLiveState(family);
            afterRefusal.reread += 1;
            afterRefusal.arranged += family.rearranged - before;
            afterRefusal.ms += performance.now() - at;
          }
        }
      }), PARAMETERS));
    }
    // Sign-in: an anonymous browser's login form at the built-in IdP, fuzzed like the others with
    // its real fields (persona, password). An interaction is reused until a post signs in (that
    // ends it; the next run starts a fresh browser and interaction).
    let login: { browser: TestBrowser; action: string; token: string; fields: FormField[] } | undefined;
    const interaction = async () => {
      const browser = createTestBrowser(s.built.app, PUBLIC_URL);
      const page = await browser.follow(await browser.get('/auth/signin?returnTo=/account'));
      const form = formsOf(page.body).find((f) => f.action.includes('/login'));
      if (!form) throw new Error(`no IdP login form (status ${page.statusCode})`);
      return { browser, action: form.action, token: csrfToken(page.body), fields: [...form.fields] };
    };
    const first = await interaction();
    const signInFields = [...first.fields, { name: 'password', kind: 'password', options: [DEMO_PASSWORD] }];
    login = first;
    let signedIn = 0;
    if (mine.has(SIGN_IN)) await collect(failures, SIGN_IN, fc.assert(fc.asyncProperty(submissionFor(signInFields), async (fields) => {
      login ??= await interaction();
      // URLSearchParams takes name/value pairs, so repeated fields go as a browser sends them.
      const pairs = Object.entries({ ...fields, _csrf: login.token }).flatMap(([name, value]) => [value].flat().map((v) => [name, v]));
      const res = await login.browser.post(login.action, pairs as unknown as Record<string, string>);
      check(`anonymous POST ${login.action}`, res, Object.values(fields).flat());
      if (res.statusCode === 303) { signedIn += 1; login = undefined; }
    }), PARAMETERS));
    reportFigure(mine.has(SIGN_IN) ? `sign-in fuzzing: ${RUNS} generated posts to the built-in IdP's login form, ${signedIn} signed in` : `sign-in fuzzing: in another family shard (${shardNote(0, 1)})`);
    // Found by this fuzzing: a NUL byte in the persona reached PostgreSQL and gave a 500; now
    // refused by the kernel for every body (src/kernel/http/nul-bytes.ts): the error page names it.
    const fresh = await interaction();
    const nul = await fresh.browser.post(fresh.action, { _csrf: fresh.token, persona: 'citizen\u0000', password: 'x' });
    expect(nul.statusCode).toBe(400);
    expect(nul.body).toMatch(/\(NUL\)|（NUL）/);
    // Found by this fuzzing on both databases: a long persona name (a wrong password's audit
    // record then held more than its 4 KB of details) answered 500; now refused like any unknown one.
    const long = await interaction();
    const longPersona = await long.browser.post(long.action, { _csrf: long.token, persona: 'Ω'.repeat(5000), password: 'x' });
    expect(longPersona.statusCode).toBe(400);
    expect(longPersona.body).toContain('tb-error-summary');
    // Found by this fuzzing on PostgreSQL: a NUL byte in a question about a use of one's data.
    const used = (await s.built.services.privacy.accesses(await s.principal('citizen'), {})).items[0];
    expect(used).toBeDefined();
    const asked = await s.form('citizen', `/my-data/accesses/${used?.id ?? ''}/question`, { question: 'Why?\u0000' });
    expect(asked.statusCode).toBe(400);
    expect(asked.body).toMatch(/\(NUL\)|（NUL）/);
    const multipart = [...families.values()].filter((f) => f.multipart).map((f) => f.route);
    const rearranged = [...families.values()].filter((f) => f.rearranged > 0);
    reportFigure(`form fuzzing (${shardNote(posts.length, families.size)}): ${posts.length} form route families, ${RUNS} generated posts each, ${counts.requests} in all (${counts.accepted} accepted), ${filesSent} generated files to ${multipart.length} multipart families (${multipart.join(', ')}), no 5xx, no leak; ${((performance.now() - started) / Math.max(counts.requests, 1)).toFixed(1)} ms per post with generation and checks; pages read again after a refusal (${[...STATE_GONE].join('/')} or every ${REREAD_EVERY}th): ${afterRefusal.reread} (${(afterRefusal.ms / Math.max(afterRefusal.reread, 1)).toFixed(1)} ms each, ${(afterRefusal.ms / Math.max(counts.requests, 1)).toFixed(1)} ms per post), ${afterRefusal.arranged} of them arranged again (refusals: ${[...afterRefusal.byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status} ${n}`).join(', ')}); states used up and arranged again (times): ${rearranged.length} families, ${rearranged.map((f) => `${f.route} ${f.rearranged}`).join(', ')}`);
    expect(multipart.length).toBeGreaterThan(0);
    // The multipart families are in one family shard or another: files are sent where they are.
    if (posts.some((family) => family.multipart)) expect(filesSent).toBeGreaterThan(0);
    expect(failures).toEqual([]);
    // A form whose state the fuzzing used up is arranged again (states.ts, arrangers), so every
    // generated post met a live form; one with no arranger fails here.
    expect(unarranged).toEqual([]);
    // The forms that use their state up with any accepted post (retiring an agreement, revoking a right) were arranged again
    // (with test:long's family shards they may be in another shard, so only a run of every family asks).
    if (fuzzShard.count === 1) expect(rearranged.length).toBeGreaterThan(0);
  }, 3_600_000);

  it('never answers a generated GET form query with a 5xx or an internal detail; refusals are pages that say what is wrong', async () => {
    // Search, filters and the booking steps: each met on the walk, with its fields.
    expect(getForms.size).toBeGreaterThan(3);
    const started = performance.now();
    const failures: string[] = [];
    const { counts, check } = checker();
    const mine = shard();
    const gets = [...getForms.values()].filter((family) => mine.has(`GET ${family.route}`));
    // A GET form's state may be gone by now (the booking steps' application withdrawn or decided
    // by the POST fuzzing): before a family's runs its page is read again and, when it no longer
    // shows the form, a fresh state is arranged (states.ts, getArrangers) and the form read from it.
    const arrange = getArrangers(s);
    const unarranged: string[] = [];
    const shows = async (family: Family): Promise<boolean> => {
      if (family.page === undefined) return true;
      const page = await s.request(family.role, 'GET', family.page);
      const form = page.statusCode === 200 ? formsOf(page.body, 'get').find((f) => (getRouteOf(f.action) ?? f.action.split('?')[0]) === family.route) : undefined;
      if (form) family.url = form.action.split('?')[0] ?? family.url;
      return form !== undefined;
    };
    for (const family of gets) {
      try {
        if (!(await shows(family))) {
          const again = arrange[family.route];
          if (!again || family.page === undefined) throw new Error(`${family.page ?? 'its page'} no longer shows it and states.ts has no GET arranger for it`);
          family.page = await again(family.page);
          family.rearranged += 1;
          if (!(await shows(family))) throw new Error(`the state arranged again shows no form on ${family.page}`);
        }
      } catch (error) {
        unarranged.push(`GET ${family.route}: ${(error as Error).message}`);
        continue;
      }
      await collect(failures, `GET ${family.route}`, fc.assert(fc.asyncProperty(queryFor([...family.fields.values()]), async (query) => {
        const url = query === '' ? family.url : `${family.url}?${query}`;
        // Each parameter shown short with its length, so a failure names every one of them.
        const shown = [...new URLSearchParams(query)].map(([n, v]) => `${n.slice(0, 30)}=${JSON.stringify(v.slice(0, 30))}${v.length > 30 ? `…(${v.length})` : ''}`).join('&');
        check(`${family.role} GET ${family.url}?${shown}`, await s.request(family.role, 'GET', url), [url, ...[...new URLSearchParams(query)].flatMap(([n, v]) => [n, v])]);
      }), PARAMETERS));
    }
    reportFigure(`GET form fuzzing (${shardNote(gets.length, getForms.size)}): ${gets.length} GET form families (${gets.map((family) => family.route).join(', ')}), ${RUNS} generated queries each, ${counts.requests} in all (${counts.accepted} answered < 400), no 5xx, no leak; ${((performance.now() - started) / Math.max(counts.requests, 1)).toFixed(1)} ms per query with generation and checks; states gone and arranged again: ${gets.filter((f) => f.rearranged > 0).map((f) => f.route).join(', ') || 'none'}`);
    expect(failures).toEqual([]);
    // Every GET form was fuzzed on a page that showed it: one whose state is gone with no arranger fails here.
    expect(unarranged).toEqual([]);
  }, 3_600_000);

  it('never trusts a client file name: every kept file\'s name is a label without a path, control character or more than 100 characters, and its type is one sniffed from its bytes', async () => {
    const { checked, wrong } = await trustedFileNames(s);
    reportFigure(`form fuzzing: kept files' names and types checked: ${checked}`);
    // The arranged draft keeps two files, so the rule was tried on real rows.
    expect(checked).toBeGreaterThan(1);
    expect(wrong).toEqual([]);
  }, 300_000);

  it('never stores invalid data: every submitted application\'s answers satisfy its service\'s JSON Schema', async () => {
    const { checked, wrong } = await invalidApplications(s);
    reportFigure(`form fuzzing: stored applications re-read and checked against their service schema: ${checked}`);
    expect(checked).toBeGreaterThan(0);
    expect(wrong).toEqual([]);
  }, 300_000);

  it('never stores invalid data from the other forms: ratings, follow-ups, questions, notes, reports, payments, refunds, appointments keep their services\' rules', async () => {
    const { rows, wrong } = await invalidFormRecords(s);
    reportFigure(`form fuzzing: rows the forms store, checked against their services' rules: ${Object.entries(rows).map(([t, n]) => `${t} ${n}`).join(', ')}`);
    // The arranged states and the posts wrote at least one row of each, so every rule was tried on
    // real rows (with test:long's family shards a table's form may be in another shard's run, so
    // only a run of every family asks).
    if (fuzzShard.count === 1) expect(Object.values(rows).every((n) => n > 0), JSON.stringify(rows)).toBe(true);
    expect(wrong).toEqual([]);
  }, 300_000);
});
