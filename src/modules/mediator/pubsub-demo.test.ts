import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO } from './index.js';
import { mediatorDemoApp, tokenFor } from './test-kit.js';

const ROOM = `/r1/${MEDIATOR_DEMO.events.room}`;
const MARRIAGE = { registrationNo: 'J110101-2026-000123', registeredOn: '2026-12-01', spouses: ['110101199003072359', '110101199205150021'] };

describeEachDatabase('the demo PubSub room, as the mediator README walks through it', migrationSources, (use) => {
  let built: Built;
  let token: string;
  beforeAll(async () => {
    built = await mediatorDemoApp(use(), 'http://tongban.test');
    token = await tokenFor(built, MEDIATOR_DEMO.cab.clientId, MEDIATOR_DEMO.cab.subsystem);
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

    const metrics = (await built.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toContain(`mediator_requests_total{service="${MEDIATOR_DEMO.events.room}/pub",status="201"} 1`);
    expect(metrics).toContain(`mediator_errors_total{service="${MEDIATOR_DEMO.events.room}/pub",code="TB_MEDIATOR_EVENT_INVALID"} 1`);
  });

  it('seeds the room once: a second seed leaves the event type as it is', async () => {
    expect(await built.services.mediator.pubsub.defineEventType(MEDIATOR_DEMO.events.room, { eventType: 'marriageRegistered', schema: {} }, { kind: 'system', id: 'test' })).toBe(false);
    expect((await call('GET', '/api/v1/eventType/marriageRegistered')).json()).toMatchObject({ schema: { required: ['registrationNo', 'registeredOn', 'spouses'] } });
  });
});
