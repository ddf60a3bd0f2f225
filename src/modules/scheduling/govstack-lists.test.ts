import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { schedulerClient, schedulerSpec, violations } from './govstack-test-kit.js';
import { SCHEDULER_BASE } from './routes-govstack.js';
import { APPOINTMENT_LIST_MAX } from './service.js';
import type { SchedulingTables } from './store.js';
import { accountPrincipal, HALL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

/** The spec's list filters and the list limit (docs/adr/0022-scheduling.md, "Filters"). */

const CITIZEN = demoPersona('citizen');
const STATION = 'chaoyang-jianguomen-pcs';
type Listed = { appointment_id: string; details: { participant_entity_id: string; event_id: string } }[][];

describeEachDatabase('GovStack Scheduler lists and their filters', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  const { token, call } = schedulerClient(() => built, clock.now);

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
    await token('psb', 'psb-scheduler', 'CN/GOV/110000-PSB/case-system', ['scheduler:read', 'scheduler:book']);
  });
  afterAll(async () => { await built?.app.close(); });

  const book = async (event: string): Promise<{ id: string; reference: string }> => {
    const { id } = await submitResidenceApplication(built, citizen);
    const created = await call('POST', '/appointment/new', 'psb', { qry: { appointment_details: { event_ids: [event], participant_type: 'application', participant_id: id } } });
    expect(created.statusCode, created.body).toBe(200);
    return { id, reference: /appointment_id:(AP\w+)\]$/.exec(created.json<string>())?.[1] ?? '' };
  };

  it('applies participant_entity_id, participant_type and exclusive of appointment_filter', async () => {
    const atHall = await book(`${HALL}/2026-12-08T01:00:00.000Z`);
    const atStation = await book(`${STATION}/2026-12-08T01:00:00.000Z`);
    const day = { from: '2026-12-08T00:00:00', to: '2026-12-09T00:00:00' };
    const list = async (filter: Record<string, unknown>) => {
      const res = await call('GET', '/appointment/list_details', 'psb', { qry: { appointment_filter: { ...day, ...filter } } });
      expect(res.statusCode, res.body).toBe(200);
      expect(violations('/appointment/list_details', 'get', res.json())).toEqual([]);
      return res.json<Listed>()[0]?.map((a) => a.appointment_id);
    };
    expect(await list({})).toEqual([atHall.reference, atStation.reference].sort());
    expect(await list({ participant_entity_id: HALL })).toEqual([atHall.reference]);
    expect(await list({ participant_entity_id: STATION })).toEqual([atStation.reference]);
    expect(await list({ participant_entity_id: 'nowhere' })).toEqual([]);
    expect(await list({ participant_type: 'application', participant_entity_id: HALL })).toEqual([atHall.reference]);
    expect(await list({ participant_type: 'subscriber' })).toEqual([]);
    expect(await list({ exclusive: true })).toHaveLength(2);
    expect(await list({ exclusive: 'true' })).toHaveLength(2);
    expect(await list({ exclusive: false })).toEqual([]);
    // A field the spec does not list, or a flag that is not one, is refused rather than ignored.
    for (const filter of [{ participant_entity: HALL }, { exclusive: 'yes' }]) {
      const bad = await call('GET', '/appointment/list_details', 'psb', { appointment_filter: filter });
      expect(bad.statusCode, JSON.stringify(filter)).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'TB_SCHEDULING_QUERY_INVALID' });
    }
  });

  it('applies every field of entity_filter and resource_filter; one whose data no hall or counter has matches none', async () => {
    const entities = async (filter: Record<string, unknown>) => {
      const res = await call('GET', '/entity/list_details', 'psb', { qry: { entity_filter: filter } });
      expect(res.statusCode, res.body).toBe(200);
      expect(violations('/entity/list_details', 'get', res.json())).toEqual([]);
      return res.json<{ entity_id: string }[][]>()[0]?.map((e) => e.entity_id);
    };
    expect(await entities({})).toEqual([STATION, HALL]);
    expect(await entities({ name: 'nothing-like-this' })).toEqual([]);
    expect(await entities({ name: 'dongcheng' })).toEqual([HALL]);
    expect(await entities({ name: '派出所' })).toEqual([STATION]);
    expect(await entities({ category: 'service_hall' })).toEqual([STATION, HALL]);
    expect(await entities({ category: 'hospital' })).toEqual([]);
    expect(await entities({ phone: '010 1234 5678' })).toEqual([HALL]);
    expect(await entities({ phone: '+911234567890' })).toEqual([]);
    expect(await entities({ email: 'info@xyz.com' })).toEqual([]);
    expect(await entities({ website: 'www.abc.com' })).toEqual([]);
    expect(await entities({ entity_id: [HALL, STATION], name: 'police' })).toEqual([STATION]);

    const resources = async (filter: Record<string, unknown>) => {
      const res = await call('GET', '/resource/list_details', 'psb', { resource_filter: filter });
      expect(res.statusCode, res.body).toBe(200);
      expect(violations('/resource/list_details', 'get', res.json())).toEqual([]);
      return res.json<{ resource_id: string }[][]>()[0]?.map((r) => r.resource_id);
    };
    expect(await resources({})).toHaveLength(6);
    expect(await resources({ name: 'nothing-like-this' })).toEqual([]);
    expect(await resources({ name: 'business registration' })).toEqual([`${HALL}-3`]);
    expect(await resources({ name: '户籍' })).toEqual([`${STATION}-1`]);
    expect(await resources({ category: 'counter', resource_id: [`${HALL}-1`, `${HALL}-2`] })).toEqual([`${HALL}-1`, `${HALL}-2`]);
    expect(await resources({ category: 'doctor' })).toEqual([]);
    for (const field of ['phone', 'email', 'alert_url', 'alert_preference', 'status_poll_url']) expect(await resources({ [field]: 'x' }), field).toEqual([]);

    for (const [path, qry] of [['/entity/list_details', { entity_filter: { nmae: 'x' } }], ['/resource/list_details', { resource_filter: { resource_id: 'not-an-array' } }]] as const) {
      const bad = await call('GET', path, 'psb', { qry });
      expect(bad.statusCode, path).toBe(400);
      expect(bad.json()).toMatchObject({ code: 'TB_SCHEDULING_QUERY_INVALID' });
    }
  });

  it('answers free places at every hall when free_resource_filter has no Entity_id, and applies category', async () => {
    type Free = { resource_id: string; resource_name: string; free_slots: string[] }[][];
    // Wednesday 9 December, 09:00-10:00 in Shanghai: two 30-minute slots at Dongcheng, three 20-minute ones at the station.
    const hour = { from: '2026-12-09T09:00:00', to: '2026-12-09T10:00:00' };
    const free = async (filter: Record<string, unknown>) => {
      const res = await call('GET', '/resource/availability', 'psb', { qry: { free_resource_filter: { ...hour, ...filter } } });
      expect(res.statusCode, res.body).toBe(200);
      expect(violations('/resource/availability', 'get', res.json())).toEqual([]);
      return res.json<Free>()[0] ?? [];
    };
    const everywhere = await free({});
    expect(everywhere.map((r) => [r.resource_id, r.free_slots.length])).toEqual([
      [`${STATION}-1`, 3], [`${HALL}-1`, 2], [`${HALL}-2`, 2], [`${HALL}-3`, 2], [`${HALL}-4`, 2], [`${HALL}-5`, 2],
    ]);
    expect(everywhere[0]?.resource_name).toBe('Jianguomenwai Police Station, Chaoyang Household registration');
    expect(await free({ category: 'counter' })).toEqual(everywhere);
    expect(await free({ category: 'doctor' })).toEqual([]);
    expect((await free({ Entity_id: HALL, category: 'counter' })).map((r) => r.resource_id)).toEqual([1, 2, 3, 4, 5].map((n) => `${HALL}-${n}`));
    expect((await free({ resource_id: `${STATION}-1` })).map((r) => r.free_slots.length)).toEqual([3]);

    const week = await call('GET', '/resource/availability', 'psb', { qry: { free_resource_filter: {} } });
    expect(week.statusCode).toBe(200);
    expect(week.json<Free>()[0]).toHaveLength(6);
    const unknown = await call('GET', '/resource/availability', 'psb', { qry: { free_resource_filter: { Entity_id: 'nowhere' } } });
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json()).toMatchObject({ code: 'TB_SCHEDULING_HALL_NOT_FOUND' });
  });

  it(`refuses a list of more than ${APPOINTMENT_LIST_MAX} appointments instead of cutting it, and answers ${APPOINTMENT_LIST_MAX} in full`, async () => {
    // 101 appointments on one day, written directly: booking them one by one would take minutes.
    const start = Date.parse('2027-01-04T01:00:00Z');
    const rows = Array.from({ length: APPOINTMENT_LIST_MAX + 1 }, (_, i) => {
      const startsAt = new Date(start + i * 60_000);
      return {
        id: randomUUID(), reference: `APLIMIT${String(i).padStart(4, '0')}`, application_id: randomUUID(), application_reference: null, service_slug: 'residence-certificate',
        agency_code: '110000-PSB', account_id: CITIZEN.accountId, hall_id: STATION, counter_id: `${STATION}-1`, starts_at: startsAt, ends_at: new Date(startsAt.getTime() + 20 * 60_000),
        status: 'booked' as const, locale: 'en', reminded_at: null, created_at: clock.now(), updated_at: clock.now(), cancelled_at: null, checked_in_at: null,
      };
    });
    await built.kernel.db.withTables<SchedulingTables>().insertInto('scheduling_appointments').values(rows).execute();

    const all = await call('GET', '/appointment/list_details', 'psb', { appointment_filter: { from: '2027-01-04T00:00:00', to: '2027-01-05T00:00:00' } });
    expect(all.statusCode).toBe(400);
    expect(all.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(all.json()).toMatchObject({ code: 'TB_SCHEDULING_LIST_TOO_LONG', status: 400 });

    // The last one left out by `to`: the rest is answered whole, earliest first.
    const last = rows.at(-1)!.starts_at.toISOString();
    const narrowed = await call('GET', '/appointment/list_details', 'psb', { appointment_filter: { from: '2027-01-04T00:00:00', to: last } });
    expect(narrowed.statusCode).toBe(200);
    expect(narrowed.json<Listed>()[0]?.map((a) => a.appointment_id)).toEqual(rows.slice(0, -1).map((r) => r.reference));
    // And the one left out is there when asked for.
    const rest = await call('GET', '/appointment/list_details', 'psb', { appointment_filter: { from: last, to: '2027-01-05T00:00:00' } });
    expect(rest.json<Listed>()[0]?.map((a) => a.appointment_id)).toEqual([rows.at(-1)!.reference]);
  });

  it('serves or names as not served every operation of the spec, and the ones named answer 404', async () => {
    const adr = readFileSync(new URL('../../../docs/adr/0022-scheduling.md', import.meta.url), 'utf8');
    const section = /\*\*Not served\*\*[\s\S]*?\n\n/.exec(adr)?.[0] ?? '';
    const named = [...section.matchAll(/`(GET|POST|PUT|DELETE) (\/[a-z_/]+)`/g)].map((m) => `${m[1]} ${m[2]}`).sort();
    const operations = Object.entries(schedulerSpec.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`));
    const served = operations.filter((op) => {
      const [method, path] = op.split(' ') as [string, string];
      return built.app.hasRoute({ method, url: `${SCHEDULER_BASE}${path}` });
    });
    expect(served.sort()).toEqual(['DELETE /appointment', 'GET /appointment/list_details', 'GET /entity/list_details', 'GET /resource/availability', 'GET /resource/list_details', 'POST /appointment/new', 'PUT /appointment/modifications']);
    expect(named).toEqual(operations.filter((op) => !served.includes(op)).sort());
    for (const op of named) {
      const [method, path] = op.split(' ') as ['GET' | 'POST' | 'PUT' | 'DELETE', string];
      expect((await call(method, path, 'psb')).statusCode, op).toBe(404);
    }
  });
});
