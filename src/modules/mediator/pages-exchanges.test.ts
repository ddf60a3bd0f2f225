import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { csrfToken, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { seedCatalog } from '../catalog/index.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { exchangeHref, readBodiesHref } from './pages-exchanges.js';
import { mediatorDemoApp, personaBrowsers, seedAdmin, startProvider, tokenFor } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const CLIENT = 'CN/GOV/110000-CAB/case-system';
const KEPT = `${DEMO.psb.subsystem}/kept`;
const ID_NUMBER = '110101199003072359';
const SECRET = '{"name":"张伟","note":"only the sealed copy holds this"}';
const CITIZEN_ACCOUNT = '0190a1b2-0000-7000-8000-000000000001';
const PLATFORM_ADMIN_ID = '0190a1b2-0000-7000-8000-000000000006';

describeEachDatabase('mediator: one exchange by its message id (pages and API)', migrationSources, (use) => {
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let token: string;
  let browsers: Map<string, TestBrowser>;

  beforeAll(async () => {
    built = await mediatorDemoApp(use(), PUBLIC_URL);
    provider = await startProvider();
    const { mediator } = built.services;
    await mediator.addSubsystem({ memberId: DEMO.cab.member, code: 'case-system', name: 'Cases', clientId: 'test-cab-exchanges' }, seedAdmin);
    await mediator.saveService({ subsystemId: DEMO.psb.subsystem, code: 'kept', name: 'Kept', baseUrl: provider.url, storeBodies: true }, seedAdmin);
    await mediator.grant({ serviceId: KEPT, clientId: CLIENT, method: 'POST', path: '/echo' }, seedAdmin);
    await mediator.grant({ serviceId: KEPT, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
    token = await tokenFor(built, 'test-cab-exchanges', CLIENT);
    browsers = await personaBrowsers(built, PUBLIC_URL, ['officer', 'agency-admin', 'platform-admin']);
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  const as = (persona: string) => browsers.get(persona)!;
  const call = async (method: 'GET' | 'POST', path: string) => {
    const res = await built.app.inject({
      method, url: `/r1/${KEPT}${path}`, ...(method === 'POST' ? { payload: SECRET } : {}),
      headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT, 'content-type': 'application/json', 'x-road-issue': 'case 2026-88' },
    });
    expect(res.statusCode).toBeLessThan(300);
    return String(res.headers['x-road-id']);
  };
  const audited = async (action: string, messageId: string) => (await sql<{ actor_id: string; subject: string | null; purpose: string | null }>`
    select actor_id, subject, purpose from tb_audit_record where action = ${action} and resource_id = ${messageId} order by at`.execute(built.kernel.db)).rows;
  const api = (persona: string, method: 'GET' | 'POST', url: string, payload?: object) => built.app.inject({
    method, url, headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${as(persona).cookie(SESSION_COOKIE) ?? ''}` }, ...(payload ? { payload } : {}),
  });
  const setSignIns = (at: Date) => sql`update kernel_session set authenticated_at = ${at} where account_id = ${PLATFORM_ADMIN_ID}`.execute(built.kernel.db);

  it('finds an exchange by its message id through a lookup in an index, not a scan of the log', async () => {
    const messageId = await call('GET', `/persons/${ID_NUMBER}`);
    const plan = await built.kernel.db.transaction().execute(async (tx) => {
      // The test's log is small, so the planner would scan it anyway: is there an index it can use?
      await sql`set local enable_seqscan = off`.execute(tx);
      return (await sql<{ 'QUERY PLAN': string }>`explain select * from mediator_message_log where message_id = ${messageId}`.execute(tx)).rows.map((r) => r['QUERY PLAN']).join('\n');
    });
    expect(plan).toMatch(/Index Scan using mediator_message_log_message|Bitmap Index Scan on mediator_message_log_message/);
    const indexes = await sql<{ indexname: string }>`select indexname from pg_indexes where tablename = 'mediator_message_log' order by indexname`.execute(built.kernel.db);
    expect(indexes.rows.map((r) => r.indexname)).toEqual(['mediator_message_log_at', 'mediator_message_log_chain_seq', 'mediator_message_log_message', 'mediator_message_log_pkey']);
  });

  it('lists the latest exchanges with identity numbers partly hidden, each linked to its record; the lookup goes to it or says what is wrong', async () => {
    const messageId = await call('GET', `/persons/${ID_NUMBER}`);
    const traffic = await as('platform-admin').get('/admin/mediator?lang=en');
    expect(traffic.statusCode).toBe(200);
    expect(traffic.body).toContain(`${KEPT}/persons/110101********2359`);
    expect(traffic.body).not.toContain(ID_NUMBER);
    expect(traffic.body).toContain(`href="${exchangeHref(messageId)}"`);
    expect(await audited('mediator.log.read', messageId)).toEqual([]);

    const found = await as('platform-admin').get(`/admin/mediator?message=${messageId.toUpperCase()}`);
    expect(found.statusCode).toBe(303);
    expect(found.headers.location).toBe(exchangeHref(messageId));
    const wrong = await as('agency-admin').get('/admin/mediator?lang=en&message=not-an-id');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('tb-error-summary');
    expect(wrong.body).toContain('href="#message"');
    expect(wrong.body).toContain('value="not-an-id"');
    expect(wrong.body).toContain('Enter a message id in the form');
    const empty = await as('agency-admin').get('/admin/mediator?message=');
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('请输入该次交换的消息编号');
    expect((await as('officer').get('/admin/mediator?message=x')).statusCode).toBe(403);
  });

  it('names the calling system\'s agency on the person\'s page of uses of their data, and a question about the use reaches that agency', async () => {
    await seedCatalog(built.services.catalog);
    const cab = (await built.services.catalog.getAgency(DEMO.cab.agency))!;
    await call('GET', `/persons/${ID_NUMBER}`);
    const citizen = (await built.services.identity.principal(CITIZEN_ACCOUNT))!;
    const use = (await built.services.privacy.accesses(citizen, {})).items.find((u) => u.action === 'mediator.exchange' && u.resource?.id === KEPT);
    expect(use?.organisation).toEqual({ code: DEMO.cab.agency, name: cab.name });
    const page = await (await personaBrowsers(built, PUBLIC_URL, ['citizen'])).get('citizen')!.get('/my-data/accesses?lang=en');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(cab.name.en);

    const question = await built.services.privacy.ask(citizen, use!.id, 'Why did you look me up?', { locale: 'en' });
    expect(question.organisation).toBe(DEMO.cab.agency);
    const cabContact = { accountId: 'cab-dpo', kind: 'staff' as const, name: 'CAB contact', roles: [{ agency: DEMO.cab.agency, role: 'agency_admin' as const }] };
    expect((await built.services.privacy.openQuestions(cabContact)).map((q) => q.question.id)).toContain(question.id);
  });

  it('shows the record whole to the administrators of an agency involved, audited with the person as subject; to others it is unknown', async () => {
    const messageId = await call('GET', `/persons/${ID_NUMBER}`);
    const page = await as('agency-admin').get(`${exchangeHref(messageId)}?lang=en`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`GET /persons/${ID_NUMBER}`);
    expect(page.body).toContain(`<code>${CLIENT}</code>`);
    expect(page.body).toContain('case 2026-88');
    expect(page.body).toContain('Only a platform administrator can read them');
    expect(page.body).not.toContain('name="purpose"');
    // The person is named by their account, as on their own "who used my data" page.
    expect(await audited('mediator.log.read', messageId)).toEqual([{ actor_id: '0190a1b2-0000-7000-8000-000000000005', subject: CITIZEN_ACCOUNT, purpose: 'Checking an exchange in the information mediator\'s log' }]);
    // On the person's page as a read by the administrator's agency (the provider's, Public Security), with a purpose in their language.
    await seedCatalog(built.services.catalog);
    const uses = await built.services.privacy.accesses((await built.services.identity.principal(CITIZEN_ACCOUNT))!, {});
    const read = uses.items.find((use) => use.action === 'mediator.log.read' && use.resource?.id === messageId);
    expect(read?.organisation?.code).toBe(DEMO.psb.agency);
    const mine = (await (await personaBrowsers(built, PUBLIC_URL, ['citizen'])).get('citizen')!.get('/my-data/accesses?lang=zh-CN')).body;
    expect(mine).toContain('核查信息中介日志中的一次数据交换');
    // A platform administrator reads it for the platform.
    expect((await as('platform-admin').get(exchangeHref(messageId))).statusCode).toBe(200);
    const byPlatform = await sql<{ actor_organisation: string | null }>`select actor_organisation from tb_audit_record where action = 'mediator.log.read' and resource_id = ${messageId} and actor_id = ${PLATFORM_ADMIN_ID}`.execute(built.kernel.db);
    expect(byPlatform.rows).toEqual([{ actor_organisation: 'platform' }]);
    expect((await as('agency-admin').get(exchangeHref(messageId))).body).toContain('交换记录');

    // An administrator of an agency that is neither client nor provider learns nothing of it.
    const other = { actor: { kind: 'staff' as const, id: 'someone' }, may: (agency: string) => agency === DEMO.amr.agency };
    await expect(built.services.mediator.exchangeRecord(messageId, other)).rejects.toMatchObject({ code: 'TB_MEDIATOR_EXCHANGE_NOT_FOUND', denied: 'other-agency' });
    await expect(built.services.mediator.exchangeRecord('0193a5c2-7b4e-7c1d-9f00-2b6e4c8d1a2f', other)).rejects.toMatchObject({ code: 'TB_MEDIATOR_EXCHANGE_NOT_FOUND', denied: undefined });
    const unknown = await as('platform-admin').get(`${exchangeHref('0193a5c2-7b4e-7c1d-9f00-2b6e4c8d1a2f')}?lang=en`);
    expect(unknown.statusCode).toBe(404);
    expect((await as('platform-admin').get(exchangeHref('nonsense'))).statusCode).toBe(404);
    expect((await as('officer').get(exchangeHref(messageId))).statusCode).toBe(403);
    expect(await audited('mediator.log.read', messageId)).toHaveLength(3);

    // A call to a service nobody registered belongs to no agency: a platform administrator sees it, an agency's does not.
    const probe = await built.app.inject({
      method: 'GET', url: `/r1/CN/GOV/999999-XYZ/nothing/here/persons/${ID_NUMBER}`,
      headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT },
    });
    expect(probe.statusCode).toBe(404);
    const probeId = String(probe.headers['x-road-id']);
    expect((await as('platform-admin').get('/admin/mediator')).body).toContain(`href="${exchangeHref(probeId)}"`);
    expect((await as('agency-admin').get('/admin/mediator')).body).not.toContain(exchangeHref(probeId));
    const probed = await as('platform-admin').get(`${exchangeHref(probeId)}?lang=en`);
    expect(probed.statusCode).toBe(200);
    expect(probed.body).toContain('404 TB_MEDIATOR_UNKNOWN_SERVICE');
    expect((await as('agency-admin').get(exchangeHref(probeId))).statusCode).toBe(404);
  });

  it('decrypts the stored bodies for a platform administrator who says why, audited; a blank purpose is asked for again', async () => {
    const messageId = await call('POST', '/echo');
    const page = await as('platform-admin').get(`${exchangeHref(messageId)}?lang=en`);
    expect(page.body).toContain(`action="${readBodiesHref(messageId)}"`);
    expect(page.body).not.toContain('only the sealed copy');

    const blank = await as('platform-admin').post(`${readBodiesHref(messageId)}?lang=en`, { _csrf: csrfToken(page.body), purpose: '   ' });
    expect(blank.statusCode).toBe(422);
    expect(blank.body).toContain('href="#purpose"');
    expect(blank.body).toContain('Enter why you need to read the stored bodies');
    expect(await audited('mediator.body.read', messageId)).toEqual([]);

    const read = await as('platform-admin').post(`${readBodiesHref(messageId)}?lang=en`, { _csrf: csrfToken(page.body), purpose: 'complaint 2026-17' });
    expect(read.statusCode).toBe(200);
    expect(read.headers['cache-control']).toBe('no-store');
    expect(read.body).toContain('only the sealed copy holds this');
    expect(read.body).toContain('match the digests in the log');
    expect(await audited('mediator.body.read', messageId)).toEqual([{ actor_id: PLATFORM_ADMIN_ID, subject: null, purpose: 'complaint 2026-17' }]);

    // A forged post by an agency administrator is refused by the role, before anything is read.
    const agency = await as('agency-admin').get(exchangeHref(messageId));
    expect((await as('agency-admin').post(readBodiesHref(messageId), { _csrf: csrfToken(agency.body), purpose: 'curious' })).statusCode).toBe(403);
    expect(await audited('mediator.body.read', messageId)).toHaveLength(1);

    await expectPagesAccessible(built.app, PUBLIC_URL, [
      ['exchange record with the purpose form (en)', page.body], ['purpose missing (en)', blank.body], ['bodies read (en)', read.body],
      ['exchange record (zh)', (await as('platform-admin').get(exchangeHref(messageId))).body],
      ['traffic page with a lookup error (en)', (await as('platform-admin').get('/admin/mediator?lang=en&message=x')).body],
      ['traffic page (zh)', (await as('platform-admin').get('/admin/mediator')).body],
    ]);
  });

  it('asks for a sign-in within ten minutes before decrypting, on the page and in the API', async () => {
    const messageId = await call('POST', '/echo');
    await setSignIns(new Date(built.kernel.now().getTime() - 11 * 60_000));
    try {
      const page = await as('platform-admin').get(`${exchangeHref(messageId)}?lang=en`);
      expect(page.body).not.toContain('name="purpose"');
      expect(page.body).toContain(`/auth/signin?reauth=1&amp;returnTo=${encodeURIComponent(exchangeHref(messageId))}`);
      const late = await as('platform-admin').post(readBodiesHref(messageId), { _csrf: csrfToken(page.body), purpose: 'complaint' });
      expect(late.statusCode).toBe(403);
      // The purpose typed is kept while the administrator signs in again (ADR 55); nothing was read.
      const kept = /returnTo=%2Fauth%2Fheld%2F([0-9a-f-]{36})/.exec(late.body)?.[1] ?? '';
      expect(await built.app.heldForms.find(kept, PLATFORM_ADMIN_ID)).toEqual({ path: readBodiesHref(messageId), fields: [['purpose', 'complaint']] });
      const viaApi = await api('platform-admin', 'POST', `/api/mediator/exchanges/${messageId}/bodies`, { purpose: 'complaint' });
      expect(viaApi.statusCode).toBe(403);
      expect(viaApi.json()).toMatchObject({ code: 'TB_AUTH_REAUTHENTICATION_REQUIRED' });
      expect(await audited('mediator.body.read', messageId)).toEqual([]);
    } finally {
      await setSignIns(built.kernel.now());
    }
  });

  it('answers the same through the API: the record for administrators involved, the bodies in base64 for a platform administrator', async () => {
    const messageId = await call('POST', '/echo');
    const record = await api('agency-admin', 'GET', `/api/mediator/exchanges/${messageId}`);
    expect(record.statusCode).toBe(200);
    expect(record.headers['cache-control']).toBe('no-store');
    expect(record.json()).toMatchObject({ messageId, client: CLIENT, service: KEPT, method: 'POST', path: '/echo', issue: 'case 2026-88', status: 201, outcome: 'ok', bodiesStored: true });
    expect(record.json<{ requestDigest: string }>().requestDigest).toMatch(/^sha256:[A-Za-z0-9_-]{43}$/);
    expect((await api('agency-admin', 'GET', '/api/mediator/exchanges/0193a5c2-7b4e-7c1d-9f00-2b6e4c8d1a2f')).json()).toMatchObject({ status: 404, code: 'TB_MEDIATOR_EXCHANGE_NOT_FOUND' });
    expect((await api('agency-admin', 'GET', '/api/mediator/exchanges/nonsense')).statusCode).toBe(400);
    expect((await api('officer', 'GET', `/api/mediator/exchanges/${messageId}`)).statusCode).toBe(403);

    const blank = await api('platform-admin', 'POST', `/api/mediator/exchanges/${messageId}/bodies`, { purpose: ' ' });
    expect(blank.statusCode).toBe(400);
    expect(JSON.stringify(blank.json())).toContain('/purpose');
    expect((await api('agency-admin', 'POST', `/api/mediator/exchanges/${messageId}/bodies`, { purpose: 'curious' })).statusCode).toBe(403);
    const bodies = await api('platform-admin', 'POST', `/api/mediator/exchanges/${messageId}/bodies`, { purpose: 'complaint 2026-18' });
    expect(bodies.statusCode).toBe(200);
    const { request, response } = bodies.json<{ request: string; response: string }>();
    expect(Buffer.from(request, 'base64').toString('utf8')).toBe(SECRET);
    expect(Buffer.from(response, 'base64').toString('utf8')).toBe(SECRET);
    expect(await audited('mediator.body.read', messageId)).toEqual([{ actor_id: PLATFORM_ADMIN_ID, subject: null, purpose: 'complaint 2026-18' }]);
  });
});
