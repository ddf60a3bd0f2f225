import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { countRows, expectIdempotentWrite } from '../../../test/helpers/idempotency.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { demoApp, jpeg, pdf, personaBrowser } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';

/**
 * Idempotency-Key on the operators' writes of the GovStack Registration API (issue 9, ADR 31):
 * `PUT /applications/{fileId}` (a note and an action in one transaction) and `POST
 * /tasks/{id}/complete`. A retry gets the first answer and writes no second note, history entry,
 * audit record, job or message. Call records (`govstack.registration.call`) and read records
 * (`*.view`, written when an answer is rendered) record calls and reads, not writes: not counted.
 */
const BASE = '/govstack/registration';
const SOLE = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const CITIZEN = demoPersona('citizen');
const CASE_SYSTEM = 'CN/GOV/110000-AMR/case-system';
const DATA = {
  operator: { operator_name: '张伟', operator_id_number: '110101199003072359', operator_phone: '13800138000' },
  business: {
    organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
    business_scope: ['retail'], scope_detail: 'Selling fruit', employees: 2, capital: { amount: 500000, currency: 'CNY' },
  },
};
const dataUrl = (type: string, name: string, content: Buffer) => `data:${type};name=${name};base64,${content.toString('base64')}`;
const SUBMISSION = { applicantId: CITIZEN.accountId, formData: { eFormId: `${SOLE}.v1`, data: DATA }, documentUrls: [dataUrl('application/pdf', 'premises_proof', pdf()), dataUrl('image/jpeg', 'operator_id', jpeg())] };

interface Req { readonly method: 'PUT' | 'POST'; readonly url: string; readonly body: object }

describeEachDatabase('Idempotency-Key on the GovStack Registration operators\' writes (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let token = '';

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    const demo = await seedDemoClient(built.kernel.db, { clientId: 'amr-idem-case-system', name: 'amr-idem-case-system', organisation: CASE_SYSTEM, scopes: ['registration:read', 'registration:operate'] });
    const assertion = await createClientAssertion({ clientId: 'amr-idem-case-system', privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['registration:read', 'registration:operate']) });
    token = res.json<{ access_token: string }>().access_token;
  });
  afterAll(async () => { await built.app.close(); });

  /** A freshly submitted application of the citizen: its file id (the case's id). */
  async function submitted(): Promise<string> {
    const res = await built.app.inject({
      method: 'POST', url: `${BASE}/services/${SOLE}/applications`, payload: SUBMISSION,
      headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${citizen.cookie(SESSION_COOKIE) ?? ''}`, 'information-mediator-client': 'CN/GOV/110000-CAB/citizen-app' },
    });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<{ fileId: string }>().fileId;
  }
  const send = (req: Req, key?: string) => built.app.inject({
    method: req.method, url: `${BASE}${req.url}`, payload: req.body,
    headers: { accept: 'application/json', 'accept-language': 'en', authorization: `Bearer ${token}`, 'information-mediator-client': CASE_SYSTEM, ...(key ? { 'idempotency-key': key } : {}) },
  });
  const counts = async () => ({
    ...(await countRows(built.kernel.db, ['workflow_notes', 'workflow_actions', 'kernel_job', 'messaging_messages', 'kernel_idempotency_keys'])),
    audit: Number((await sql<{ n: string }>`select count(*) as n from tb_audit_record where action <> 'govstack.registration.call' and action not like '%.view'`.execute(built.kernel.db)).rows[0]?.n),
  });

  const cases: { name: string; arrange: () => Promise<Req>; other: (r: Req) => Req }[] = [
    {
      name: 'PUT /applications/{fileId} (a note and a claim)',
      arrange: async () => ({ method: 'PUT', url: `/applications/${await submitted()}`, body: { applicantId: CITIZEN.accountId, formData: { data: { note: { text: 'Checked the lease' }, decision: { action: 'claim' } } } } }),
      other: (r) => ({ ...r, body: { applicantId: CITIZEN.accountId, formData: { data: { note: { text: 'Checked the lease twice' }, decision: { action: 'claim' } } } } }),
    },
    {
      name: 'POST /tasks/{taskId}/complete (claim)',
      arrange: async () => ({ method: 'POST', url: `/tasks/${await submitted()}/complete`, body: { data: { decision: { action: 'claim' } } } }),
      other: (r) => ({ ...r, body: { data: { decision: { action: 'claim', reason: 'mine' } } } }),
    },
  ];

  it.each(cases)('$name: a retry writes nothing twice', async (c) => {
    await expectIdempotentWrite({ ...c, status: 200, key: `registration-idem-${c.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 80)}`, send, counts, db: built.kernel.db });
  });

  it('an action refused after the note keeps no note (one transaction)', async () => {
    const fileId = await submitted();
    const before = await counts();
    const refused = await send({ method: 'PUT', url: `/applications/${fileId}`, body: { applicantId: CITIZEN.accountId, formData: { data: { note: { text: 'Approving' }, decision: { action: 'approve' } } } } }, 'registration-idem-refused');
    expect(refused.statusCode, refused.body).toBe(409);
    expect(await counts()).toEqual(before);
  });
});
