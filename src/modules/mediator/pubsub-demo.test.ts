import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO } from './index.js';
import { PUBSUB_PATH } from './pages-pubsub.js';
import { mediatorDemoApp, personaBrowsers, tokenFor } from './test-kit.js';

const ROOM = `/r1/${MEDIATOR_DEMO.events.room}`;
const MARRIAGE = { registrationNo: 'J110101-2026-000123', registeredOn: '2026-12-01', spouses: ['110101199003072359', '110101199205150021'] };

describeEachDatabase('the demo PubSub room, as the mediator README walks through it', migrationSources, (use) => {
  let built: Built;
  let token: string;
  let browsers: Map<string, TestBrowser>;
  beforeAll(async () => {
    built = await mediatorDemoApp(use(), 'http://tongban.test');
    token = await tokenFor(built, MEDIATOR_DEMO.cab.clientId, MEDIATOR_DEMO.cab.subsystem);
    browsers = await personaBrowsers(built, 'http://tongban.test', ['officer', 'agency-admin', 'platform-admin']);
  });
  afterAll(async () => { await built.app.close(); });

  const call = (method: 'GET' | 'POST' | 'DELETE', url: string, body?: object) => built.app.inject({
    method, url: `${ROOM}${url}`, headers: { authorization: `Bearer ${token}`, 'information-mediator-client': MEDIATOR_DEMO.cab.subsystem }, ...(body ? { payload: body } : {}),
  });

  it('has the civil affairs system publish a marriage registered and pull it back, checked against the seeded schema', async () => {
    expect((await call('GET', '/api/v1/eventType')).json()).toEqual(['marriageRegistered']);
    expect((await call('GET', '/api/v1/eventType/marriageRegistered')).json()).toMatchObject({ subscribers: [MEDIATOR_DEMO.psb.subsystem] });
    expect((await call('POST', '/api/v1/subs/marriageRegistered', { eventType: 'marriageRegistered', delivery: 'PULL' })).statusCode).toBe(200);

    const wrong = await call('POST', '/pub/v1/marriageRegistered', { eventType: 'marriageRegistered', event: { ...MARRIAGE, spouses: ['110101199003072359', '12345'] } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(['/event/spouses/1']);
    const published = await call('POST', '/pub/v1/marriageRegistered', { eventType: 'marriageRegistered', event: MARRIAGE });
    expect(published.statusCode).toBe(201);
    const { id } = published.json<{ id: string }>();

    expect((await call('GET', '/pull/v1/marriageRegistered')).json()).toMatchObject({ id, event: MARRIAGE, publisherId: { memberCode: '110000-CAB', applicationCode: 'civil-system' } });
    expect((await call('DELETE', `/pull/v1/marriageRegistered/${id}`)).statusCode).toBe(204);

    // Handing the event out was a read of both spouses' data: recorded by account, never by ID number.
    const { rows } = await sql<{ subject: string | null; actor_id: string; actor_organisation: string; resource_id: string; details: unknown }>`
      select subject, actor_id, actor_organisation, resource_id, details from tb_audit_record
      where action = 'mediator.event.delivered' and details->>'eventId' = ${id} order by subject nulls last`.execute(built.kernel.db);
    const delivered = { actor_id: MEDIATOR_DEMO.cab.subsystem, actor_organisation: MEDIATOR_DEMO.cab.agency, resource_id: `${MEDIATOR_DEMO.events.room}/marriageRegistered` };
    expect(rows).toEqual([
      { subject: demoPersona('citizen').accountId, ...delivered, details: { eventId: id, delivery: 'PULL' } },
      { subject: null, ...delivered, details: { eventId: id, delivery: 'PULL', person: 'no account' } },
    ]);
    expect(JSON.stringify(rows)).not.toContain(MARRIAGE.spouses[1]);
    const citizen = await personaBrowsers(built, 'http://tongban.test', ['citizen']);
    const uses = await citizen.get('citizen')!.get('/my-data/accesses?lang=en');
    expect(uses.body).toContain('Received news about you through the data exchange');

    const metrics = (await built.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`mediator_requests_total{service="${MEDIATOR_DEMO.events.room}/pub",status="201"} 1`);
    expect(metrics).toContain(`mediator_errors_total{service="${MEDIATOR_DEMO.events.room}/pub",code="TB_MEDIATOR_EVENT_INVALID"} 1`);
  });

  it('seeds the room once: a second seed leaves the event type as it is', async () => {
    expect(await built.services.mediator.pubsub.defineEventType(MEDIATOR_DEMO.events.room, { eventType: 'marriageRegistered', schema: {} }, { kind: 'system', id: 'test' })).toBe(false);
    expect((await call('GET', '/api/v1/eventType/marriageRegistered')).json()).toMatchObject({ schema: { required: ['registrationNo', 'registeredOn', 'spouses'] } });
  });

  it('shows administrators the event types and subscriptions that concern their agency, with the events waiting', async () => {
    const waiting = await call('POST', '/pub/v1/marriageRegistered', { eventType: 'marriageRegistered', event: MARRIAGE });
    expect(waiting.statusCode).toBe(201);
    const platform = await browsers.get('platform-admin')!.get(`${PUBSUB_PATH}?lang=en`);
    expect(platform.statusCode).toBe(200);
    expect(platform.body).toContain('marriageRegistered');
    expect(platform.body).toContain(MEDIATOR_DEMO.psb.subsystem);
    // The civil affairs system's subscription, pulled, with one event waiting.
    expect(platform.body).toMatch(/Pulled by the system<\/td><td class="tb-table__cell tb-table__cell--numeric">3600<\/td><td class="tb-table__cell">No<\/td><td class="tb-table__cell tb-table__cell--numeric">1<\/td>/);
    // The public security bureau's administrator: its population system may subscribe, so the type shows; the civil affairs subscription does not.
    const psb = await browsers.get('agency-admin')!.get(`${PUBSUB_PATH}?lang=en`);
    expect(psb.statusCode).toBe(200);
    expect(psb.body).toContain('marriageRegistered');
    expect(psb.body).toContain('No subscriptions yet.');
    expect((await browsers.get('officer')!.get(PUBSUB_PATH)).statusCode).toBe(403);
    expect((await browsers.get('platform-admin')!.get('/admin/mediator?lang=en')).body).toContain(`href="${PUBSUB_PATH}"`);
    await expectPagesAccessible(built.app, 'http://tongban.test', [
      ['publish and subscribe (en)', platform.body], ['publish and subscribe, no subscriptions (en)', psb.body],
      ['publish and subscribe (zh)', (await browsers.get('platform-admin')!.get(PUBSUB_PATH)).body],
    ]);
  });
});
