import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { accountPrincipal, HALL, schedulingApp, submitResidenceApplication, testClock } from './test-kit.js';

const BASE = '/govstack/scheduler';
const CITIZEN = demoPersona('citizen');

type Tables = {
  scheduling_appointments: { id: string; application_id: string; status: string };
  tb_audit_record: { action: string; resource_id: string | null };
};

describeEachDatabase('Idempotency-Key on bookings through the GovStack Scheduler API (issue 9, ADR 31)', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  let token = '';
  const db = () => built.kernel.db.withTables<Tables>();

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
    const demo = await seedDemoClient(built.kernel.db, { clientId: 'psb-idem-scheduler', name: 'psb-idem-scheduler', organisation: 'CN/GOV/110000-PSB/case-system', scopes: ['scheduler:read', 'scheduler:book'] });
    const assertion = await createClientAssertion({ clientId: 'psb-idem-scheduler', privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl, now: clock.now() });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['scheduler:read', 'scheduler:book']) });
    token = res.json<{ access_token: string }>().access_token;
  });
  afterAll(async () => { await built?.app.close(); });

  const call = (method: 'POST' | 'PUT' | 'DELETE', path: string, query: Record<string, unknown>, key?: string) => {
    const params = new URLSearchParams({ requestor_id: 'psb-case-system', request_token: 'Organizer' });
    for (const [k, v] of Object.entries(query)) params.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    return built.app.inject({
      method, url: `${BASE}${path}?${params.toString()}`,
      headers: { accept: 'application/json', 'accept-language': 'en', authorization: `Bearer ${token}`, ...(key ? { 'idempotency-key': key } : {}) },
    });
  };
  const book = (id: string, at: string, key?: string) => call('POST', '/appointment/new', { qry: { appointment_details: { event_ids: [`${HALL}/${at}`], participant_type: 'application', participant_id: id } } }, key);
  const appointments = (id: string) => db().selectFrom('scheduling_appointments').select(['id', 'status']).where('application_id', '=', id).execute();
  const audits = (action: string, ids: readonly string[]) => db().selectFrom('tb_audit_record').select('resource_id').where('action', '=', action).where('resource_id', 'in', [...ids]).execute();

  it('books once for the same key twice; the retry gets the first answer; another body is 422; no key is refused as before', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const first = await book(id, '2026-12-08T02:00:00.000Z', 'book-key-0001');
    expect(first.statusCode, first.body).toBe(200);
    const again = await book(id, '2026-12-08T02:00:00.000Z', 'book-key-0001');
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    const rows = await appointments(id);
    expect(rows).toHaveLength(1);
    expect(await audits('scheduling.appointment.book', rows.map((r) => r.id))).toHaveLength(1);
    const other = await book(id, '2026-12-08T03:00:00.000Z', 'book-key-0001');
    expect(other.statusCode).toBe(422);
    expect(other.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_KEY_REUSED' });
    // Without a key a second booking is refused as it always was.
    const unkeyed = await book(id, '2026-12-08T02:00:00.000Z');
    expect(unkeyed.json()).toMatchObject({ code: 'TB_SCHEDULING_ALREADY_BOOKED' });
  });

  it('books once when the same request arrives twice at once', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const answers = await Promise.all([book(id, '2026-12-08T01:00:00.000Z', 'book-key-0002'), book(id, '2026-12-08T01:00:00.000Z', 'book-key-0002')]);
    const rows = await appointments(id);
    expect(rows).toHaveLength(1);
    const ok = answers.filter((a) => a.statusCode === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of ok) expect(a.body).toBe(ok[0]!.body);
    for (const a of answers.filter((x) => x.statusCode !== 200)) expect(a.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_IN_FLIGHT' });
    expect(await audits('scheduling.appointment.book', rows.map((r) => r.id))).toHaveLength(1);
  });

  it('moves and cancels once per key: a retried cancel answers as the first did instead of "no appointment"', async () => {
    const { id } = await submitResidenceApplication(built, citizen);
    const reference = /appointment_id:(AP\w+)\]$/.exec((await book(id, '2026-12-08T01:30:00.000Z')).json<string>())?.[1] ?? '';
    const move = { appointment_id: reference, qry: { details: { event_id: `${HALL}/2026-12-08T02:30:00.000Z` } } };
    const moved = await call('PUT', '/appointment/modifications', move, 'move-key-0003');
    expect(moved.statusCode, moved.body).toBe(200);
    const movedAgain = await call('PUT', '/appointment/modifications', move, 'move-key-0003');
    expect(movedAgain.body).toBe(moved.body);
    expect(movedAgain.headers['idempotent-replayed']).toBe('true');
    const rows = await appointments(id);
    expect(await audits('scheduling.appointment.reschedule', rows.map((r) => r.id))).toHaveLength(1);
    const cancelled = await call('DELETE', '/appointment', { appointment_id: reference }, 'cancel-key-0003');
    expect(cancelled.statusCode).toBe(200);
    const cancelledAgain = await call('DELETE', '/appointment', { appointment_id: reference }, 'cancel-key-0003');
    expect(cancelledAgain.statusCode).toBe(200);
    expect(cancelledAgain.body).toBe(cancelled.body);
    expect(await audits('scheduling.appointment.cancel', rows.map((r) => r.id))).toHaveLength(1);
    // Without a key, the second cancel is refused as before.
    expect((await call('DELETE', '/appointment', { appointment_id: reference })).statusCode).toBe(404);
  });
});
