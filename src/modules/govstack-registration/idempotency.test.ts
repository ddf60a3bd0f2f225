import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { deleteExpiredKeys } from '../../kernel/idempotency/index.js';
import { demoApp, jpeg, pdf, personaBrowser } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';

const BASE = '/govstack/registration';
const SOLE = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const CITIZEN = demoPersona('citizen');
const FRONT_DESK = 'CN/GOV/110000-CAB/front-desk';
const ID_NUMBER = '110101199003072359';
const DATA = {
  operator: { operator_name: '张伟', operator_id_number: ID_NUMBER, operator_phone: '13800138000' },
  business: {
    organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
    business_scope: ['retail'], scope_detail: 'Selling fruit', employees: 2, capital: { amount: 500000, currency: 'CNY' },
  },
};
const dataUrl = (type: string, name: string, content: Buffer) => `data:${type};name=${name};base64,${content.toString('base64')}`;
const DOCUMENTS = [dataUrl('application/pdf', 'premises_proof', pdf()), dataUrl('image/jpeg', 'operator_id', jpeg())];

type Tables = {
  applications: { id: string; status: string; submitted_by: string; applicant_account_id: string | null };
  tb_audit_record: { action: string; resource_id: string | null };
  messaging_messages: { id: string; recipient_account_id: string | null };
  kernel_idempotency_keys: { caller: string; key: string; expires_at: Date };
};

describeEachDatabase('Idempotency-Key on the GovStack application submission (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let token = '';
  const db = () => built.kernel.db.withTables<Tables>();

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    const demo = await seedDemoClient(built.kernel.db, { clientId: 'cab-idem-desk', name: 'cab-idem-desk', organisation: FRONT_DESK, scopes: ['registration:apply'] });
    const assertion = await createClientAssertion({ clientId: 'cab-idem-desk', privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['registration:apply']) });
    token = res.json<{ access_token: string }>().access_token;
  });
  afterAll(async () => { await built.app.close(); });

  const asCitizen = () => ({ cookie: `${SESSION_COOKIE}=${citizen.cookie(SESSION_COOKIE) ?? ''}`, 'information-mediator-client': 'CN/GOV/110000-CAB/citizen-app' });
  const asDesk = () => ({ authorization: `Bearer ${token}`, 'information-mediator-client': FRONT_DESK });
  const apply = (who: Record<string, string>, body: object, key?: string) => built.app.inject({
    method: 'POST', url: `${BASE}/services/${SOLE}/applications`, payload: body,
    headers: { accept: 'application/json', 'accept-language': 'en', ...who, ...(key ? { 'idempotency-key': key } : {}) },
  });
  const submitted = async (submittedBy: string) => db().selectFrom('applications').select('id').where('submitted_by', '=', submittedBy).where('status', '=', 'submitted').execute();
  const audits = async (ids: readonly string[]) => ids.length === 0 ? [] : db().selectFrom('tb_audit_record').select('resource_id').where('action', '=', 'application.submit').where('resource_id', 'in', [...ids]).execute();
  const mails = async () => db().selectFrom('messaging_messages').select('id').where('recipient_account_id', '=', CITIZEN.accountId).execute();
  const citizenBody = { applicantId: CITIZEN.accountId, formData: { data: DATA }, documentUrls: DOCUMENTS };
  const deskBody = { applicantId: ID_NUMBER, formData: { data: DATA }, documentUrls: DOCUMENTS };

  it('answers a retry with the same key with the first answer and creates nothing twice: no row, audit record or message', async () => {
    const [rowsBefore, mailsBefore] = [(await submitted(CITIZEN.accountId)).length, (await mails()).length];
    const first = await apply(asCitizen(), citizenBody, 'citizen-key-0001');
    expect(first.statusCode, first.body).toBe(200);
    expect(first.headers['idempotent-replayed']).toBeUndefined();
    const again = await apply(asCitizen(), citizenBody, 'citizen-key-0001');
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    const rows = await submitted(CITIZEN.accountId);
    expect(rows.length).toBe(rowsBefore + 1);
    expect(await audits([first.json<{ fileId: string }>().fileId])).toHaveLength(1);
    expect((await mails()).length).toBe(mailsBefore + 1);
  });

  it('refuses the same key with another body (422) and answers as before without a key', async () => {
    await apply(asCitizen(), citizenBody, 'citizen-key-0002');
    const other = await apply(asCitizen(), { ...citizenBody, formData: { data: { ...DATA, business: { ...DATA.business, employees: 3 } } } }, 'citizen-key-0002');
    expect(other.statusCode).toBe(422);
    expect(other.headers['content-type']).toContain('application/problem+json');
    expect(other.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_KEY_REUSED' });
    const before = (await submitted(CITIZEN.accountId)).length;
    const a = await apply(asCitizen(), citizenBody);
    const b = await apply(asCitizen(), citizenBody);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json<{ fileId: string }>().fileId).not.toBe(b.json<{ fileId: string }>().fileId);
    expect((await submitted(CITIZEN.accountId)).length).toBe(before + 2);
    const bad = await apply(asCitizen(), citizenBody, 'short');
    expect(bad.statusCode).toBe(400);
  });

  it('keeps keys apart per caller: a system may use the key a person used', async () => {
    const mine = await apply(asCitizen(), citizenBody, 'shared-key-0003');
    const theirs = await apply(asDesk(), deskBody, 'shared-key-0003');
    expect([mine.statusCode, theirs.statusCode]).toEqual([200, 200]);
    expect(theirs.headers['idempotent-replayed']).toBeUndefined();
    expect(theirs.json<{ fileId: string }>().fileId).not.toBe(mine.json<{ fileId: string }>().fileId);
  });

  it('creates one application when the same request arrives twice at once; the other gets the first answer or 409', async () => {
    const before = (await submitted('client:cab-idem-desk')).length;
    const answers = await Promise.all([apply(asDesk(), deskBody, 'desk-key-0004'), apply(asDesk(), deskBody, 'desk-key-0004')]);
    const rows = await submitted('client:cab-idem-desk');
    expect(rows.length).toBe(before + 1);
    const ok = answers.filter((a) => a.statusCode === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const a of ok) expect(a.body).toBe(ok[0]!.body);
    for (const a of answers.filter((x) => x.statusCode !== 200)) expect(a.json()).toMatchObject({ code: 'TB_IDEMPOTENCY_IN_FLIGHT' });
    const fileId = ok[0]!.json<{ fileId: string }>().fileId;
    expect(await audits([fileId])).toHaveLength(1);
    // Once the first is done, a retry is always the first answer.
    const later = await apply(asDesk(), deskBody, 'desk-key-0004');
    expect(later.body).toBe(ok[0]!.body);
  });

  it('after an answer lost on the way (the client went away), the retry creates nothing twice', async () => {
    const before = (await submitted('client:cab-idem-desk')).length;
    await built.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = built.app.server.address() as AddressInfo;
    const payload = JSON.stringify(deskBody);
    await new Promise<void>((resolve) => {
      const req = httpRequest({
        host: '127.0.0.1', port, method: 'POST', path: `${BASE}/services/${SOLE}/applications`,
        headers: { ...asDesk(), 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload), 'idempotency-key': 'desk-key-0005', accept: 'application/json' },
      });
      req.on('error', () => resolve());
      // The whole request is sent, then the connection is dropped before any answer.
      req.end(payload, () => setTimeout(() => { req.destroy(); resolve(); }, 5));
    });
    // The server finishes the work it was given; wait for it.
    for (let i = 0; i < 200 && (await submitted('client:cab-idem-desk')).length === before; i += 1) await new Promise((r) => setTimeout(r, 50));
    expect((await submitted('client:cab-idem-desk')).length).toBe(before + 1);
    const retry = await apply(asDesk(), deskBody, 'desk-key-0005');
    expect(retry.statusCode, retry.body).toBe(200);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect((await submitted('client:cab-idem-desk')).length).toBe(before + 1);
    expect(await audits([retry.json<{ fileId: string }>().fileId])).toHaveLength(1);
  });

  it('forgets expired keys: the cleanup deletes them', async () => {
    const later = new Date(built.kernel.now().getTime() + 25 * 3_600_000);
    const deleted = await deleteExpiredKeys(built.kernel.db, later);
    expect(deleted).toBeGreaterThanOrEqual(5);
    expect(await db().selectFrom('kernel_idempotency_keys').select('key').where('expires_at', '<=', later).execute()).toEqual([]);
  });

  it('documents the header in /openapi.json', async () => {
    const doc = (await built.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> }>();
    const op = doc.paths[`${BASE}/services/{serviceId}/applications`]?.post;
    expect(op?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);
  });
});
