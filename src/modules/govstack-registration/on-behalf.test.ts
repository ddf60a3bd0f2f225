import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { demoApp, jpeg, multipartBody, pdf, personaBrowser, png, postMultipart, type TestFile } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { specViolations } from './test-kit.js';

const BASE = '/govstack/registration';
const SOLE = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const FRONT_DESK = 'CN/GOV/110000-CAB/front-desk';
const OTHER_DESK = 'CN/GOV/110000-PSB/front-desk';
const CITIZEN_ID = '110101199003072359';
const DATA = {
  operator: { operator_name: '张伟', operator_id_number: CITIZEN_ID, operator_phone: '13800138000' },
  business: {
    organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
    business_scope: ['retail'], scope_detail: 'Selling fruit', employees: 2, capital: { amount: 500000, currency: 'CNY' },
  },
};
const dataUrl = (type: string, name: string, content: Buffer) => `data:${type};name=${name};base64,${content.toString('base64')}`;

describeEachDatabase('GovStack Registration API: documents uploaded first, and a system applying for a person', migrationSources, (use) => {
  let built: Built;
  const tokens = new Map<string, string>();

  const token = async (clientId: string, organisation: string, scopes: string[]) => {
    const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation, scopes });
    const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, scopes) });
    return res.json<{ access_token: string }>().access_token;
  };
  beforeAll(async () => {
    built = await demoApp(use());
    tokens.set('desk', await token('cab-front-desk', FRONT_DESK, ['registration:apply', 'registration:read']));
    tokens.set('other', await token('psb-front-desk', OTHER_DESK, ['registration:apply']));
  });
  afterAll(async () => { await built.app.close(); });

  const upload = (who: string, files: Record<string, TestFile>, metadata?: string) => {
    const { payload, contentType } = multipartBody({}, files);
    return built.app.inject({
      method: 'POST', url: `${BASE}/documents${metadata ? `?additionalMetadata=${metadata}` : ''}`, payload,
      headers: { authorization: `Bearer ${tokens.get(who)!}`, 'content-type': contentType, accept: 'application/json' },
    });
  };
  const apply = (who: string, body: object, mediator = who === 'desk' ? FRONT_DESK : OTHER_DESK) => built.app.inject({
    method: 'POST', url: `${BASE}/services/${SOLE}/applications`, payload: body,
    headers: { authorization: `Bearer ${tokens.get(who)!}`, 'information-mediator-client': mediator, accept: 'application/json', 'accept-language': 'en' },
  });
  const pathOf = (url: string) => new URL(url).pathname;

  it('keeps an upload for its uploader and answers the spec\'s uploadResponse with its url', async () => {
    const res = await upload('desk', { file: { filename: 'lease.pdf', type: 'application/pdf', content: pdf('lease') } }, 'premises_proof');
    expect(res.statusCode, res.body).toBe(200);
    expect(specViolations('main', '/documents', 'post', '200', res.json())).toEqual([]);
    const { url, type } = res.json<{ url: string; type: string }>();
    expect(type).toBe('application/pdf');
    expect(url).toMatch(/^http:\/\/tongban\.test\/govstack\/registration\/documents\/[0-9a-f-]{36}$/);
    const own = await built.app.inject({ method: 'GET', url: pathOf(url), headers: { authorization: `Bearer ${tokens.get('desk')!}` } });
    expect(own.statusCode).toBe(200);
    expect(own.rawPayload).toEqual(pdf('lease'));
    const theirs = await built.app.inject({ method: 'GET', url: pathOf(url), headers: { authorization: `Bearer ${tokens.get('other')!}` } });
    expect(theirs.statusCode).toBe(404);
  });

  it('refuses a wrong type, a false claim, a file too large, no file, a bad token and a tokenless form post', async () => {
    const wrong = await upload('desk', { file: { filename: 'x.exe', type: 'application/octet-stream', content: Buffer.from('MZ\x90\x00 an executable') } });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ code: 'TB_KERNEL_VALIDATION', errors: [{ pointer: '/file', code: 'applications.upload.wrongType' }] });
    const claim = await upload('desk', { file: { filename: 'id.png', type: 'image/png', content: pdf() } });
    expect(claim.json()).toMatchObject({ errors: [{ pointer: '/file', code: 'applications.upload.mismatch' }] });
    const large = await upload('desk', { file: { filename: 'big.png', type: 'image/png', content: png(10 * 1024 * 1024 + 1) } });
    expect(large.statusCode).toBe(400);
    expect(large.json<{ errors: { detail: string }[] }>().errors[0]?.detail).toContain('must be smaller than 10 MB');
    expect((await upload('desk', {})).statusCode).toBe(400);
    const { payload, contentType } = multipartBody({}, { file: { filename: 'a.pdf', type: 'application/pdf', content: pdf() } });
    const badToken = await built.app.inject({ method: 'POST', url: `${BASE}/documents`, payload, headers: { 'content-type': contentType, authorization: 'Bearer not-a-token' } });
    expect(badToken.statusCode).toBe(401);
    // Without a Bearer token a multipart post is a browser form: it needs the CSRF token first.
    expect((await built.app.inject({ method: 'POST', url: `${BASE}/documents`, payload, headers: { 'content-type': contentType } })).statusCode).toBe(403);
  });

  it('refuses another system\'s upload, an invalid ID number, and a session of staff', async () => {
    const theirs = (await upload('other', { file: { filename: 'lease.pdf', type: 'application/pdf', content: pdf() } }, 'premises_proof')).json<{ url: string }>().url;
    const body = { applicantId: CITIZEN_ID, formData: { data: DATA }, documentUrls: [theirs, dataUrl('image/jpeg', 'operator_id', jpeg())] };
    const someoneElses = await apply('desk', body);
    expect(someoneElses.statusCode).toBe(400);
    expect(someoneElses.json()).toMatchObject({ errors: [{ pointer: '/documentUrls/0' }] });
    const unnamed = (await upload('desk', { file: { filename: 'lease.pdf', type: 'application/pdf', content: pdf() } })).json<{ url: string }>().url;
    expect((await apply('desk', { ...body, documentUrls: [unnamed, body.documentUrls[1]] })).json()).toMatchObject({ errors: [{ pointer: '/documentUrls/0' }] });
    const badId = await apply('other', { ...body, applicantId: '110101199003072358' });
    expect(badId.statusCode).toBe(400);
    expect(badId.json()).toMatchObject({ errors: [{ pointer: '/applicantId' }] });
    const officer = await personaBrowser(built, 'officer');
    const staff = await built.app.inject({
      method: 'POST', url: `${BASE}/services/${SOLE}/applications`, payload: body,
      headers: { cookie: `${SESSION_COOKIE}=${officer.cookie(SESSION_COOKIE) ?? ''}`, 'information-mediator-client': FRONT_DESK, accept: 'application/json' },
    });
    expect(staff.json()).toMatchObject({ code: 'TB_GOVSTACK_PERSON_REQUIRED' });
  });

  let reference = '';
  it('applies for a person named by ID number with an uploaded document; the audit names the system acting for them', async () => {
    const url = (await upload('desk', { file: { filename: 'lease.pdf', type: 'application/pdf', content: pdf('lease') } }, 'premises_proof')).json<{ url: string }>().url;
    const res = await apply('desk', { applicantId: CITIZEN_ID, formData: { data: DATA }, documentUrls: [url, dataUrl('image/jpeg', 'operator_id', jpeg())] });
    expect(res.statusCode, res.body).toBe(200);
    expect(specViolations('main', '/services/{serviceId}/applications', 'post', '200', res.json())).toEqual([]);
    const body = res.json<{ fileId: string; applicantId: string; applicationData: { applicationName: string; documentUrls: string[] } }>();
    expect(body).toMatchObject({ applicantId: CITIZEN_ID, status: { code: 'PENDING' } });
    expect(body.applicationData.documentUrls).toHaveLength(2);
    reference = body.applicationData.applicationName;
    // The application holds its own copy; the upload is gone.
    expect((await built.app.inject({ method: 'GET', url: pathOf(url), headers: { authorization: `Bearer ${tokens.get('desk')!}` } })).statusCode).toBe(404);
    const row = await built.kernel.db.withTables<{ applications: { id: string; channel: string; submitted_by: string } }>()
      .selectFrom('applications').select(['channel', 'submitted_by']).where('id', '=', body.fileId).executeTakeFirstOrThrow();
    expect(row).toEqual({ channel: 'api', submitted_by: 'client:cab-front-desk' });
    const records = await built.kernel.db.withTables<{ tb_audit_record: { action: string; actor_kind: string; actor_id: string; on_behalf_of: string | null; resource_id: string | null } }>()
      .selectFrom('tb_audit_record').select(['actor_kind', 'actor_id', 'on_behalf_of']).where('action', '=', 'application.submit').where('resource_id', '=', body.fileId).execute();
    expect(records).toEqual([{ actor_kind: 'client', actor_id: 'cab-front-desk', on_behalf_of: `resident-id:${CITIZEN_ID}` }]);
  });

  it('shows the case to the person in My applications once they sign in', async () => {
    const citizen: TestBrowser = await personaBrowser(built, 'citizen');
    expect((await citizen.get('/applications')).body).toContain(reference);
    const list = await built.app.inject({
      method: 'GET', url: `${BASE}/applications`,
      headers: { cookie: `${SESSION_COOKIE}=${citizen.cookie(SESSION_COOKIE) ?? ''}`, 'information-mediator-client': 'CN/GOV/110000-CAB/citizen-app', accept: 'application/json' },
    });
    expect(list.json()).toContainEqual(expect.objectContaining({ description: reference, applicantId: demoPersona('citizen').accountId }));
  });

  it('lets a person upload with their session and CSRF token, and apply with it', async () => {
    const citizen = await personaBrowser(built, 'citizen');
    const file = { file: { filename: '身份证.jpg', type: 'image/jpeg', content: jpeg(512) } };
    const { payload, contentType } = multipartBody({}, file);
    const noToken = await built.app.inject({ method: 'POST', url: `${BASE}/documents`, payload, headers: { cookie: `${SESSION_COOKIE}=${citizen.cookie(SESSION_COOKIE) ?? ''}`, 'content-type': contentType } });
    expect(noToken.statusCode).toBe(403);
    const page = (await citizen.get('/applications')).body;
    const res = await postMultipart(built, citizen, `${BASE}/documents?additionalMetadata=operator_id`, page, {}, file);
    expect(res.statusCode, res.body).toBe(200);
    const applied = await built.app.inject({
      method: 'POST', url: `${BASE}/services/${SOLE}/applications`,
      payload: { applicantId: demoPersona('citizen').accountId, formData: { data: DATA }, documentUrls: [dataUrl('application/pdf', 'premises_proof', pdf()), res.json<{ url: string }>().url] },
      headers: { cookie: `${SESSION_COOKIE}=${citizen.cookie(SESSION_COOKIE) ?? ''}`, 'information-mediator-client': 'CN/GOV/110000-CAB/citizen-app', accept: 'application/json' },
    });
    expect(applied.statusCode, applied.body).toBe(200);
    expect(applied.json()).toMatchObject({ applicantId: demoPersona('citizen').accountId, status: { code: 'PENDING' } });
  });
});
