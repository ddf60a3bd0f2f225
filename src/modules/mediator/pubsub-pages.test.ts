import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { csrfToken, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { cancelSubscriptionHref, deleteTypeHref, NEW_TYPE_PATH, PUBSUB_PATH } from './pages-pubsub.js';
import { mediatorDemoApp, personaBrowsers, tokenFor } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const ROOM = DEMO.psb.subsystem;
const SCHEMA = JSON.stringify({ type: 'object', required: ['idNumber', 'movedOn'], properties: { idNumber: { type: 'string', pattern: '^[1-9]\\d{16}[\\dX]$' }, movedOn: { type: 'string', format: 'date' } } }, null, 2);

/** Event types defined and deleted on `/admin/mediator/pubsub` by an agency's administrator (ADR 59), on both databases. */
describeEachDatabase('mediator: event types on the publish and subscribe page', migrationSources, (use) => {
  let built: Built;
  let browsers: Map<string, TestBrowser>;

  beforeAll(async () => {
    built = await mediatorDemoApp(use(), PUBLIC_URL);
    browsers = await personaBrowsers(built, PUBLIC_URL, ['agency-admin', 'platform-admin']);
  });
  afterAll(async () => { await built.app.close(); });

  const as = (persona: string) => browsers.get(persona)!;
  const define = async (form: Record<string, string>, lang = 'en') => {
    const page = await as('agency-admin').get(NEW_TYPE_PATH);
    return as('agency-admin').post(`${NEW_TYPE_PATH}?lang=${lang}`, { _csrf: csrfToken(page.body), ...form });
  };
  const audited = async (action: string, id: string) => (await sql<{ actor_kind: string; actor_id: string; actor_organisation: string }>`
    select actor_kind, actor_id, actor_organisation from tb_audit_record where action = ${action} and resource_id = ${id}`.execute(built.kernel.db)).rows;

  it('lets an agency administrator define an event type in their agency\'s room, checked as the API checks it, audited, and usable at once', async () => {
    const overview = await as('agency-admin').get(`${PUBSUB_PATH}?lang=en`);
    expect(overview.body).toContain(`href="${NEW_TYPE_PATH}"`);
    // The civil affairs room's type is shown (the population system may subscribe) but is not theirs to delete.
    expect(overview.body).toContain('marriageRegistered');
    expect(overview.body).not.toContain('types/delete');

    const form = await as('agency-admin').get(`${NEW_TYPE_PATH}?lang=en`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain(`<option value="${ROOM}">`);
    expect(form.body).not.toContain(`<option value="${DEMO.cab.subsystem}">`);

    const wrong = await define({ room: ROOM, eventType: 'person moved', schema: '{"type":', subscribers: 'CN/GOV/110000-CAB\n' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('tb-error-summary');
    for (const field of ['eventType', 'schema', 'subscribers']) expect(wrong.body).toContain(`href="#${field}"`);
    expect(wrong.body).toContain('value="person moved"');
    const slow = await define({ room: ROOM, eventType: 'personMoved', schema: JSON.stringify({ properties: { note: { type: 'string', pattern: '^(\\w+\\s?)*$' } } }) });
    expect(slow.statusCode).toBe(422);
    expect(slow.body).toContain('This JSON Schema cannot be used: the pattern');
    const noSchema = await define({ room: ROOM, eventType: 'personMoved', schema: '{"type": "no-such-type"}' }, 'zh-CN');
    expect(noSchema.body).toContain('此 JSON Schema 无法使用');

    const saved = await define({ room: ROOM, eventType: 'personMoved', schema: SCHEMA, subscribers: `${DEMO.cab.subsystem}\n` });
    expect([saved.statusCode, saved.headers.location]).toEqual([303, `${PUBSUB_PATH}?done=defined`]);
    const listed = await as('agency-admin').get(`${PUBSUB_PATH}?done=defined&lang=en`);
    expect(listed.body).toContain('The event type is defined.');
    expect(listed.body).toContain(`href="${deleteTypeHref({ room: ROOM, event_type: 'personMoved' }).replaceAll('&', '&amp;')}"`);
    expect(await audited('mediator.event-type.create', `${ROOM}/personMoved`)).toEqual([{ actor_kind: 'staff', actor_id: demoPersona('agency-admin').accountId, actor_organisation: DEMO.psb.agency }]);
    expect((await define({ room: ROOM, eventType: 'personMoved', schema: '{}' })).body).toContain('This room has an event type with this name already');

    // The civil affairs system, named as a subscriber, subscribes through the GovStack API; its events are checked against the schema.
    const token = await tokenFor(built, DEMO.cab.clientId, DEMO.cab.subsystem);
    const headers = { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem };
    const subscribed = await built.app.inject({ method: 'POST', url: `/r1/${ROOM}/api/v1/subs/personMoved`, headers, payload: { delivery: 'PULL' } });
    expect(subscribed.statusCode).toBe(200);
    const type = await built.app.inject({ method: 'GET', url: `/r1/${ROOM}/api/v1/eventType/personMoved`, headers });
    expect(type.json()).toMatchObject({ eventType: 'personMoved', schema: JSON.parse(SCHEMA) as object, subscribers: [DEMO.cab.subsystem] });

    // Another agency's room cannot be chosen, even in a forged post.
    expect((await define({ room: DEMO.cab.subsystem, eventType: 'sneaky', schema: '{}' })).statusCode).toBe(403);
    await expectPagesAccessible(built.app, PUBLIC_URL, [['pubsub with types of their own (en)', listed.body], ['define, with errors (en)', wrong.body], ['define, with errors (zh)', noSchema.body]]);
  });

  it('cancels a subscription of their agency\'s system after asking, audited; another agency\'s is not theirs to cancel', async () => {
    const [subscription] = (await built.services.mediator.pubsub.overview({ may: () => true, everything: true })).subscriptions.filter((s) => s.event_type === 'personMoved');
    expect(subscription?.subscriber).toBe(DEMO.cab.subsystem);
    const href = cancelSubscriptionHref(subscription!.id);
    // The public security bureau's administrator runs the room, but the subscriber is the civil affairs bureau's system.
    expect((await as('agency-admin').get(PUBSUB_PATH)).body).not.toContain(href);
    expect((await as('agency-admin').get(href)).statusCode).toBe(403);
    expect((await as('platform-admin').get(cancelSubscriptionHref('0193a5c2-7b4e-7c1d-9f00-2b6e4c8d1a2f'))).statusCode).toBe(404);

    expect((await as('platform-admin').get(`${PUBSUB_PATH}?lang=en`)).body).toContain(`href="${href}"`);
    const confirm = await as('platform-admin').get(`${href}?lang=en`);
    expect(confirm.body).toContain('Cancel the subscription to personMoved?');
    const cancelled = await as('platform-admin').post(href, { _csrf: csrfToken(confirm.body) });
    expect([cancelled.statusCode, cancelled.headers.location]).toEqual([303, `${PUBSUB_PATH}?done=cancelled`]);
    expect((await as('platform-admin').get(`${PUBSUB_PATH}?done=cancelled&lang=en`)).body).toContain('The subscription is cancelled.');
    expect((await built.services.mediator.pubsub.overview({ may: () => true, everything: true })).subscriptions.some((s) => s.id === subscription!.id)).toBe(false);
    expect(await audited('mediator.subscription.delete', subscription!.id)).toEqual([{ actor_kind: 'staff', actor_id: demoPersona('platform-admin').accountId, actor_organisation: DEMO.cab.agency }]);
    await expectPagesAccessible(built.app, PUBLIC_URL, [['cancel a subscription (en)', confirm.body]]);
  });

  it('deletes an event type of their agency\'s room after asking, with its subscriptions; another agency\'s is refused', async () => {
    const href = deleteTypeHref({ room: ROOM, event_type: 'personMoved' });
    const confirm = await as('agency-admin').get(`${href}&lang=en`);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Delete the event type personMoved?');
    expect((await as('agency-admin').get(deleteTypeHref({ room: DEMO.cab.subsystem, event_type: 'marriageRegistered' }))).statusCode).toBe(403);
    expect((await as('agency-admin').get(deleteTypeHref({ room: ROOM, event_type: 'nothing' }))).statusCode).toBe(404);

    const deleted = await as('agency-admin').post(href, { _csrf: csrfToken(confirm.body) });
    expect([deleted.statusCode, deleted.headers.location]).toEqual([303, `${PUBSUB_PATH}?done=deleted`]);
    expect((await as('agency-admin').get(`${PUBSUB_PATH}?done=deleted&lang=en`)).body).toContain('The event type is deleted.');
    expect((await built.services.mediator.pubsub.overview({ may: () => true, everything: true })).eventTypes.map((t) => t.event_type)).toEqual(['marriageRegistered']);
    expect(await audited('mediator.event-type.delete', `${ROOM}/personMoved`)).toEqual([{ actor_kind: 'staff', actor_id: demoPersona('agency-admin').accountId, actor_organisation: DEMO.psb.agency }]);
    // A platform administrator manages every room: the civil affairs type has its delete link for them.
    expect((await as('platform-admin').get(PUBSUB_PATH)).body).toContain(deleteTypeHref({ room: DEMO.cab.subsystem, event_type: 'marriageRegistered' }).replaceAll('&', '&amp;'));
    await expectPagesAccessible(built.app, PUBLIC_URL, [['delete an event type (en)', confirm.body]]);
  });
});
