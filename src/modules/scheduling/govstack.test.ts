import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { parseEventId, shanghaiDateTime } from './govstack.js';
import { schedulerClient, violations } from './govstack-test-kit.js';
import { accountPrincipal, HALL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const BASE = '/govstack/scheduler';
const CITIZEN = demoPersona('citizen');
const STATION = 'chaoyang-jianguomen-pcs';

describeEachDatabase('GovStack Scheduler API', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  const { token, tokenOf, call } = schedulerClient(() => built, clock.now);

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
    await token('psb', 'psb-scheduler', 'CN/GOV/110000-PSB/case-system', ['scheduler:read', 'scheduler:book']);
    await token('psb-read', 'psb-dashboard', 'CN/GOV/110000-PSB/dashboard', ['scheduler:read']);
    await token('amr', 'amr-scheduler', 'CN/GOV/110000-AMR/case-system', ['scheduler:read', 'scheduler:book']);
  });
  afterAll(async () => { await built?.app.close(); });

  it('lists halls as entities and counters as resources, as the spec describes them', async () => {
    const entities = await call('GET', '/entity/list_details', 'psb');
    expect(entities.statusCode).toBe(200);
    expect(violations('/entity/list_details', 'get', entities.json())).toEqual([]);
    // The check can fail: a flat list, or a number where the spec has a string, does not conform.
    expect(violations('/entity/list_details', 'get', [{ entity_id: HALL }])).not.toEqual([]);
    expect(violations('/entity/list_details', 'get', [[{ entity_id: 7 }]])).not.toEqual([]);
    expect(entities.json<{ entity_id: string }[][]>()[0]?.map((e) => e.entity_id)).toEqual([STATION, HALL]);
    const resources = await call('GET', '/resource/list_details', 'psb', { qry: { resource_filter: { resource_id: ['dongcheng-zwfw-1'] } } });
    expect(violations('/resource/list_details', 'get', resources.json())).toEqual([]);
    expect(resources.json<unknown[][]>()[0]).toHaveLength(1);
    const free = await call('GET', '/resource/availability', 'psb', { qry: { free_resource_filter: { Entity_id: HALL, from: '2026-12-08T09:00:00', to: '2026-12-08T12:00:00' } } });
    expect(free.statusCode).toBe(200);
    expect(violations('/resource/availability', 'get', free.json())).toEqual([]);
    const counter1 = free.json<{ resource_id: string; free_slots: string[] }[][]>()[0]?.find((r) => r.resource_id === 'dongcheng-zwfw-1');
    expect(counter1?.free_slots).toHaveLength(6);
    expect(counter1?.free_slots[0]).toBe('[2026-12-08T01:00:00.000Zto2026-12-08T01:30:00.000Z]');
  });

  it('books, lists, moves and cancels an appointment for an application of the caller’s agency', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const created = await call('POST', '/appointment/new', 'psb', { qry: { appointment_details: { event_ids: [`${HALL}/2026-12-08T02:00:00.000Z`], participant_type: 'application', participant_id: id } } });
    expect(created.statusCode).toBe(200);
    expect(violations('/appointment/new', 'post', created.json())).toEqual([]);
    const reference = /appointment_id:(AP\w+)\]$/.exec(created.json<string>())?.[1] ?? '';
    expect(created.json<string>()).toBe(`[Event_id:${HALL}/2026-12-08T02:00:00.000Z,appointment_id:${reference}]`);
    expect(await built.services.scheduling.appointmentFor(id)).toMatchObject({ reference, status: 'booked' });

    const listed = await call('GET', '/appointment/list_details', 'psb', { appointment_filter: { participant_id: id } });
    expect(listed.statusCode).toBe(200);
    expect(violations('/appointment/list_details', 'get', listed.json())).toEqual([]);
    expect(listed.json<unknown[][]>()[0]).toEqual([{ appointment_id: reference, details: { exclusive: true, event_id: `${HALL}/2026-12-08T02:00:00.000Z`, participant_type: 'application', participant_id: id, status_id: 'confirmed', participant_entity_id: HALL } }]);
    const audited = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'scheduling.appointment.list');
    expect(audited[0]).toMatchObject({ actor: { kind: 'client', id: 'psb-scheduler', organisation: '110000-PSB' }, purpose: expect.any(String) as string });

    // Another agency's system sees none of it and cannot change it.
    expect((await call('GET', '/appointment/list_details', 'amr', { appointment_filter: { participant_id: id } })).json()).toEqual([[]]);
    expect((await call('DELETE', '/appointment', 'amr', { appointment_id: reference })).statusCode).toBe(404);
    const foreign = await call('POST', '/appointment/new', 'amr', { qry: { appointment_details: { event_ids: [`${HALL}/2026-12-08T03:00:00.000Z`], participant_id: id } } });
    expect(foreign.statusCode).toBe(403);

    const moved = await call('PUT', '/appointment/modifications', 'psb', { appointment_id: reference, qry: { details: { event_id: `${STATION}/2026-12-09T06:10:00.000Z` } } });
    expect(moved.statusCode).toBe(200);
    expect(moved.json()).toMatchObject({ appointment_id: reference, details: { event_id: `${STATION}/2026-12-09T06:10:00.000Z`, participant_entity_id: STATION } });
    const deleted = await call('DELETE', '/appointment', 'psb', { appointment_id: reference });
    expect(deleted.statusCode).toBe(200);
    expect(deleted.json()).toMatchObject({ details: { status_id: 'cancelled' } });
    expect(await built.services.scheduling.appointmentFor(id)).toBeUndefined();
    // Booking, moving and cancelling show the system nothing of the application: each audits itself, none is an application.view.
    const records = await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 });
    expect(records.filter((r) => r.resource?.id === id || r.details?.application === id).map((r) => r.action)).toEqual(expect.arrayContaining(['scheduling.appointment.book']));
    expect(records.filter((r) => r.action === 'application.view' && r.resource?.id === id)).toEqual([]);
  });

  it('refuses callers without a token or scope, and malformed queries, as problem+json', async () => {
    expect((await call('GET', '/entity/list_details', undefined)).statusCode).toBe(401);
    const readOnly = await call('POST', '/appointment/new', 'psb-read', { qry: { appointment_details: {} } });
    expect(readOnly.statusCode).toBe(403);
    const bad = await call('GET', '/appointment/list_details', 'psb', { qry: '{not json' });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(bad.json()).toMatchObject({ code: 'TB_SCHEDULING_QUERY_INVALID', errors: [{ pointer: '/query/qry' }] });
    const missing = await built.app.inject({ method: 'GET', url: `${BASE}/entity/list_details`, headers: { authorization: `Bearer ${tokenOf('psb')}` } });
    expect(missing.statusCode).toBe(400);
  });

  it('refuses to book for an application whose case is closed (409 problem+json), and books nothing', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    await built.services.applications.withdraw(id, citizen);
    const refused = await call('POST', '/appointment/new', 'psb', { qry: { appointment_details: { event_ids: [`${HALL}/2026-12-08T05:00:00.000Z`], participant_id: id } } });
    expect(refused.statusCode).toBe(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(refused.json()).toMatchObject({ code: 'TB_SCHEDULING_NOT_BOOKABLE', status: 409, detail: 'The case of this application is closed' });
    // A refused booking read nothing of the application for the system: no "Looked at your application".
    expect((await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'application.view' && r.resource?.id === id)).toEqual([]);
    expect(await built.services.scheduling.listAppointments({ agencies: ['110000-PSB'], applicationId: id })).toEqual([]);
  });

  it('reads an event time without a zone as Shanghai time, not the server’s, and refuses an impossible one with the field named', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const created = await call('POST', '/appointment/new', 'psb', { qry: { appointment_details: { event_ids: [`${HALL}/2026-12-08T11:00:00`], participant_id: id } } });
    expect(created.statusCode).toBe(200);
    // 11:00 in Shanghai is 03:00 UTC; read in the server's zone on a UTC server it was 19:00 in Shanghai, after closing.
    expect(created.json<string>()).toMatch(new RegExp(`^\\[Event_id:${HALL}/2026-12-08T03:00:00\\.000Z,`));
    const reference = /appointment_id:(AP\w+)\]$/.exec(created.json<string>())?.[1] ?? '';
    const moved = await call('PUT', '/appointment/modifications', 'psb', { appointment_id: reference, qry: { details: { event_id: `${HALL}/2026-12-08T11:30` } } });
    expect(moved.json()).toMatchObject({ details: { event_id: `${HALL}/2026-12-08T03:30:00.000Z` } });

    for (const [event, pointer] of [
      [`${HALL}/2026-02-30T09:00:00`, '/query/qry/appointment_details/event_ids/0'], [`${HALL}/2026-12-08T24:00:00`, '/query/qry/appointment_details/event_ids/0'],
      [`${HALL}/12-08-2026 09:00`, '/query/qry/appointment_details/event_ids/0'], ['2026-12-08T09:00:00+08:00', '/query/qry/appointment_details/event_ids/0'],
    ] as const) {
      const bad = await call('POST', '/appointment/new', 'psb', { qry: { appointment_details: { event_ids: [event], participant_id: id } } });
      expect(bad.statusCode, event).toBe(400);
      expect(bad.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(bad.json(), event).toMatchObject({ code: 'TB_SCHEDULING_QUERY_INVALID', errors: [{ pointer }] });
    }
    const badMove = await call('PUT', '/appointment/modifications', 'psb', { appointment_id: reference, details: { event_id: `${HALL}/2026-12-08T9:00` } });
    expect(badMove.statusCode).toBe(400);
    expect(badMove.json()).toMatchObject({ code: 'TB_SCHEDULING_QUERY_INVALID', errors: [{ pointer: '/query/details/event_id' }] });
    expect(await built.services.scheduling.appointmentFor(id)).toMatchObject({ reference, startsAt: new Date('2026-12-08T03:30:00Z') });
  });

  it('answers exactly one of many racing bookings for a one-place slot; the rest get 409 problem+json', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 6; i += 1) ids.push((await submitResidenceApplication(built, citizen)).id);
    const event = `${STATION}/2026-12-10T01:00:00.000Z`; // 09:00 at the station: one counter, one place
    const answers = await Promise.all(ids.map((id) => call('POST', '/appointment/new', 'psb', { qry: { appointment_details: { event_ids: [event], participant_id: id } } })));
    expect(answers.filter((a) => a.statusCode === 200)).toHaveLength(1);
    const refused = answers.filter((a) => a.statusCode !== 200);
    expect(refused).toHaveLength(5);
    for (const answer of refused) {
      expect(answer.statusCode).toBe(409);
      expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(answer.json()).toMatchObject({ code: 'TB_SCHEDULING_SLOT_FULL', status: 409, title: 'This time is fully booked' });
    }
  });
});

// These pass in any process zone only when a zone-less time is read as +08:00 (they failed with TZ=UTC).
describe('GovStack event ids and times', () => {
  it('reads a time without a zone as the same instant as its explicit +08:00 form', () => {
    expect(parseEventId(`${HALL}/2026-12-08T09:00:00`)).toEqual(parseEventId(`${HALL}/2026-12-08T09:00:00+08:00`));
    expect(parseEventId(`${HALL}/2026-12-08T09:00:00`)).toEqual({ hallId: HALL, day: '2026-12-08', time: '09:00' });
    expect(parseEventId(`${HALL}/2026-12-08T01:00:00.000Z`)).toEqual({ hallId: HALL, day: '2026-12-08', time: '09:00' });
    expect(parseEventId(`${HALL}/2026-12-07T20:00:00-05:00`)).toEqual({ hallId: HALL, day: '2026-12-08', time: '09:00' });
    for (const value of ['2026-12-08T09:00:00', '2026-12-08T09:00', '2026-12-08T09:00:00+0800', '2026-12-08T01:00:00Z', '2026-12-08T09:00:00.000+08:00']) {
      expect(shanghaiDateTime(value)?.toISOString(), value).toBe('2026-12-08T01:00:00.000Z');
    }
    // Across midnight: 00:30 in Shanghai is the evening before in UTC.
    expect(shanghaiDateTime('2026-12-08T00:30:00')?.toISOString()).toBe('2026-12-07T16:30:00.000Z');
  });

  it('refuses impossible and malformed times', () => {
    for (const value of ['2026-02-30T09:00:00', '2026-12-08T24:00', '2026-12-08T09:60', '2026-13-01T09:00', '2026-12-08', '2026-12-08T9:00', '12/08/2026 09:00', '2026-12-08T09:00:00+25:00', 'tomorrow', '']) {
      expect(shanghaiDateTime(value), value).toBeUndefined();
    }
    expect(() => parseEventId('2026-12-08T09:00:00')).toThrow(expect.objectContaining({ code: 'TB_SCHEDULING_QUERY_INVALID' }) as Error);
    expect(() => parseEventId(`${HALL}/2026-02-30T09:00:00`, '/body/x')).toThrow(expect.objectContaining({ fields: [expect.objectContaining({ pointer: '/body/x' })] }) as Error);
  });
});
