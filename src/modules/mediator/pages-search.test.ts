import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { SEARCH_PATH } from './pages-search.js';
import { closedPort, mediatorDemoApp, personaBrowsers, seedAdmin, startProvider, tokenFor } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const ECHO = `${DEMO.amr.subsystem}/echo`;
const DOWN = `${DEMO.amr.subsystem}/down`;
const PERSON = '110101199003072359';

describeEachDatabase('mediator: searching the message log (page and API)', migrationSources, (use) => {
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let browsers: Map<string, TestBrowser>;
  const ids: Record<'ok' | 'refused' | 'failed', string> = { ok: '', refused: '', failed: '' };

  beforeAll(async () => {
    built = await mediatorDemoApp(use(), PUBLIC_URL);
    provider = await startProvider();
    const { mediator } = built.services;
    await mediator.saveService({ subsystemId: DEMO.amr.subsystem, code: 'echo', name: 'Echo', baseUrl: provider.url }, seedAdmin);
    await mediator.saveService({ subsystemId: DEMO.amr.subsystem, code: 'down', name: 'Down', baseUrl: `http://127.0.0.1:${await closedPort()}` }, seedAdmin);
    for (const service of [ECHO, DOWN]) await mediator.grant({ serviceId: service, clientId: DEMO.cab.subsystem, method: '*', path: '/**' }, seedAdmin);
    const token = await tokenFor(built, DEMO.cab.clientId, DEMO.cab.subsystem);
    const call = async (url: string) => String((await built.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem } })).headers['x-road-id']);
    ids.ok = await call(`/r1/${ECHO}/persons/${PERSON}`);
    // The population service needs the person's consent, which the demo citizen has not given: refused.
    ids.refused = await call(`/r1/${DEMO.psb.service}/persons/${PERSON}`);
    ids.failed = await call(`/r1/${DOWN}/anything`);
    browsers = await personaBrowsers(built, PUBLIC_URL, ['agency-admin', 'platform-admin']);
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  const page = (persona: string, query: string) => browsers.get(persona)!.get(`${SEARCH_PATH}?lang=en&${query}`);
  const found = (body: string) => Object.entries(ids).filter(([, id]) => body.includes(id)).map(([outcome]) => outcome).sort();
  const api = (persona: string, query: string) => built.app.inject({
    method: 'GET', url: `/api/mediator/exchanges?${query}`, headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${browsers.get(persona)!.cookie(SESSION_COOKIE) ?? ''}` },
  });

  it('finds exchanges by calling system, service or member, and outcome, with identity numbers masked', async () => {
    const all = await page('platform-admin', `client=${encodeURIComponent(DEMO.cab.subsystem)}`);
    expect(all.statusCode).toBe(200);
    expect(found(all.body)).toEqual(['failed', 'ok', 'refused']);
    expect(all.body).not.toContain(PERSON);
    expect(all.body).toContain('110101********2359');
    expect(found((await page('platform-admin', 'outcome=refused')).body)).toEqual(['refused']);
    expect(found((await page('platform-admin', 'outcome=failed')).body)).toEqual(['failed']);
    expect(found((await page('platform-admin', `service=${encodeURIComponent(DEMO.amr.member)}&outcome=ok`)).body)).toEqual(['ok']);
    expect(found((await page('platform-admin', `service=${encodeURIComponent(ECHO)}`)).body)).toEqual(['ok']);
    // "_" in a LIKE pattern would match any character: the search takes it literally.
    const literal = await page('platform-admin', 'service=CN/GOV/110000_AMR');
    expect(found(literal.body)).toEqual([]);
    expect(literal.body).toContain('No exchange matches this search.');
  });

  it('finds only the exchanges of an agency administrator\'s own members, and nothing outside the days asked for', async () => {
    // The public security bureau's administrator: its population service was called (refused); the market regulator's services were not its own.
    expect(found((await page('agency-admin', 'outcome=all')).body)).toEqual(['refused']);
    const today = new Date(built.kernel.now().getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
    const tomorrow = new Date(built.kernel.now().getTime() + 32 * 3_600_000).toISOString().slice(0, 10);
    expect(found((await page('platform-admin', `from=${today}&to=${today}`)).body)).toEqual(['failed', 'ok', 'refused']);
    expect(found((await page('platform-admin', `from=${tomorrow}`)).body)).toEqual([]);
  });

  it('shows what is wrong with a search in an error summary, keeping what was typed', async () => {
    const wrong = await page('platform-admin', 'client=CN/GOV&from=2026-02-30&to=2026-01-01&outcome=all');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('tb-error-summary');
    expect(wrong.body).toContain('href="#client"');
    expect(wrong.body).toContain('href="#from"');
    expect(wrong.body).toContain('value="2026-02-30"');
    expect(wrong.body).toContain('Enter a real day, like 2026-12-05');
    const order = await page('platform-admin', 'from=2026-12-05&to=2026-12-01');
    expect(order.body).toContain('The last day must be the same as or after the first day');
    // The form alone, before any search, finds nothing and shows no error.
    const blank = await browsers.get('platform-admin')!.get(`${SEARCH_PATH}?lang=en`);
    expect(blank.statusCode).toBe(200);
    expect(found(blank.body)).toEqual([]);
    await expectPagesAccessible(built.app, PUBLIC_URL, [
      ['log search with results (en)', (await page('platform-admin', 'outcome=all')).body], ['log search with errors (en)', wrong.body],
      ['log search (zh)', (await browsers.get('platform-admin')!.get(`${SEARCH_PATH}?outcome=refused`)).body],
    ]);
  });

  it('pages through more exchanges than one page holds, newest first, each exchange on exactly one page', async () => {
    const token = await tokenFor(built, DEMO.cab.clientId, DEMO.cab.subsystem);
    for (let batch = 0; batch < 9; batch++) {
      await Promise.all(Array.from({ length: 25 }, () => built.app.inject({ method: 'GET', url: `/r1/${ECHO}/paged`, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem } })));
    }
    const query = `service=${encodeURIComponent(ECHO)}`;
    const first = await api('platform-admin', query);
    const one = first.json<{ exchanges: { messageId: string; at: string }[]; more: boolean; older?: string; limit: number }>();
    expect(one).toMatchObject({ more: true, limit: 200 });
    expect(one.exchanges).toHaveLength(200);
    const second = (await api('platform-admin', `${query}&older=${encodeURIComponent(one.older ?? '')}`)).json<typeof one>();
    expect(second.more).toBe(false);
    expect(second.older).toBeUndefined();
    const all = [...one.exchanges, ...second.exchanges];
    // 225 calls and the one of the first test: each once, and never newer than the one before it.
    expect(all).toHaveLength(226);
    expect(new Set(all.map((e) => e.messageId)).size).toBe(226);
    expect(all.every((e, i) => i === 0 || e.at <= all[i - 1]!.at)).toBe(true);
    // The traffic page's recent exchanges are the reader's agency's newest, though 225 of others' are newer still.
    const traffic = (await browsers.get('agency-admin')!.get('/admin/mediator?lang=en')).body;
    expect(found(traffic)).toEqual(['refused']);

    const paged = await page('platform-admin', query);
    expect(paged.body).toContain('200 exchanges are shown, newest first; older ones are on the next page.');
    const next = /<a class="tb-pagination__next" href="([^"]+)"/.exec(paged.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(next).toContain('older=');
    const older = await browsers.get('platform-admin')!.get(`${next}&lang=en`);
    expect(older.statusCode).toBe(200);
    expect(older.body).toContain('Older exchanges found');
    expect(older.body).toContain('26 exchanges, newest first.');
    expect(older.body).toContain(`href="${SEARCH_PATH}?service=${encodeURIComponent(ECHO)}"`);
    const broken = await page('platform-admin', `${query}&older=nonsense`);
    expect(broken.statusCode).toBe(400);
    expect(broken.body).toContain('The link to older exchanges is not valid: search again');
    expect(broken.body).toContain('href="#client"');
    // The download: every exchange found, newest first, as the API lists them (no paths).
    const download = /<a class="tb-link" href="([^"]+)" download>Download every exchange found as a spreadsheet \(CSV, at most 10,000\)/.exec(paged.body)?.[1]?.replaceAll('&amp;', '&') ?? '';
    expect(download).toBe(`${SEARCH_PATH}/export?service=${encodeURIComponent(ECHO)}`);
    const csv = await browsers.get('platform-admin')!.get(download);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="message-log-\d{8}\.csv"$/);
    const lines = csv.body.replace(/^\uFEFF/, '').trimEnd().split('\r\n');
    expect(lines[0]).toBe('time,message_id,client,service,method,status,outcome,duration_ms');
    expect(lines.slice(1).map((line) => /^"[^"]+","([^"]+)"/.exec(line)?.[1])).toEqual(all.map((e) => e.messageId));
    expect(csv.body).not.toContain(PERSON);
    expect((await browsers.get('platform-admin')!.get(`${SEARCH_PATH}/export?from=yesterday`)).headers.location).toBe(`${SEARCH_PATH}?from=yesterday`);
    await expectPagesAccessible(built.app, PUBLIC_URL, [['search, next page (en)', paged.body], ['search, older page (en)', older.body], ['search, broken link (en)', broken.body]]);
  });

  it('answers the same search as JSON, with field paths for what is wrong', async () => {
    const res = await api('platform-admin', 'outcome=failed');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ exchanges: [{ messageId: ids.failed, service: DOWN, client: DEMO.cab.subsystem, status: 502, outcome: 'TB_MEDIATOR_PROVIDER_UNREACHABLE' }], more: false });
    expect(JSON.stringify(res.json())).not.toContain(PERSON);
    expect((await api('agency-admin', '')).json<{ exchanges: { messageId: string }[] }>().exchanges.map((e) => e.messageId)).toEqual([ids.refused]);
    const bad = await api('platform-admin', 'from=yesterday');
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ code: 'TB_KERNEL_VALIDATION', errors: [{ pointer: '/query/from' }] });
  });
});
