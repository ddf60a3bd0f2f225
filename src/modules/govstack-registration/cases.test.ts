import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { demoApp, jpeg, pdf, personaBrowser } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { specViolations } from './test-kit.js';

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
const DOCUMENTS = [dataUrl('application/pdf', 'premises_proof', pdf()), dataUrl('image/jpeg', 'operator_id', jpeg())];

describeEachDatabase('GovStack Registration API: applications and tasks', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let officer: TestBrowser;
  const tokens = new Map<string, string>();

  const token = async (clientId: string, organisation: string, scopes: string[]) => {
    const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation, scopes });
    const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, scopes) });
    return res.json<{ access_token: string }>().access_token;
  };

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    officer = await personaBrowser(built, 'officer');
    tokens.set('operate', await token('amr-case-system', CASE_SYSTEM, ['registration:read', 'registration:operate']));
    tokens.set('read', await token('amr-dashboard', 'CN/GOV/110000-AMR/dashboard', ['registration:read']));
    tokens.set('other', await token('psb-case-system', 'CN/GOV/110000-PSB/case-system', ['registration:read', 'registration:operate']));
  });
  afterAll(async () => { await built.app.close(); });

  type As = { session: TestBrowser } | { token: string } | undefined;
  const call = (method: 'GET' | 'POST' | 'PUT', url: string, as: As, options: { body?: unknown; mediator?: string | null } = {}) => {
    const headers: Record<string, string> = { accept: 'application/json', 'accept-language': 'en' };
    if (options.mediator !== null) headers['information-mediator-client'] = options.mediator ?? (as && 'token' in as ? CASE_SYSTEM : 'CN/GOV/110000-CAB/citizen-app');
    if (as && 'session' in as) headers.cookie = `${SESSION_COOKIE}=${as.session.cookie(SESSION_COOKIE) ?? ''}`;
    if (as && 'token' in as) headers.authorization = `Bearer ${as.token}`;
    return built.app.inject({ method, url: `${BASE}${url}`, headers, ...(options.body !== undefined ? { payload: options.body as object } : {}) });
  };
  const apply = (body: object, as: As | null = null, mediator?: string | null) =>
    call('POST', `/services/${SOLE}/applications`, as === null ? { session: citizen } : as, { body, mediator });
  const submission = { applicantId: CITIZEN.accountId, formData: { eFormId: `${SOLE}.v1`, data: DATA }, documentUrls: DOCUMENTS };
  let fileId = '';

  it('refuses an invalid application with pointers into the request, and saves nothing it should not', async () => {
    const shape = await apply({ ...submission, formData: { data: { ...DATA, business: { ...DATA.business, employees: 'two' }, extra: {} } } });
    expect(shape.statusCode).toBe(400);
    expect(shape.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer).sort()).toEqual(['/formData/data/business/employees', '/formData/data/extra']);

    const rules = await apply({ ...submission, formData: { data: { ...DATA, operator: { ...DATA.operator, operator_id_number: '110101199003072358' } } } });
    expect(rules.statusCode).toBe(400);
    expect(rules.json()).toMatchObject({ code: 'TB_APPLICATIONS_INCOMPLETE', errors: [{ pointer: '/formData/data/operator/operator_id_number' }] });

    const documents = await apply({ ...submission, documentUrls: [dataUrl('image/png', 'operator_id', pdf()), 'https://example.org/x.pdf'] });
    expect(documents.statusCode).toBe(400);
    expect(documents.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(['/documentUrls/1']);
    const mismatched = await apply({ ...submission, documentUrls: [dataUrl('image/png', 'operator_id', pdf()), DOCUMENTS[0]!] });
    expect(mismatched.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(['/documentUrls/0']);

    const missing = await apply({ ...submission, formData: { data: { operator: DATA.operator } }, documentUrls: [] });
    expect(missing.statusCode).toBe(400);
    expect(missing.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(expect.arrayContaining(['/formData/data/business/organisation', '/documentUrls']));
    // Each request stands alone: what an earlier, refused one saved in the draft does not fill the gaps.
    const partial = await apply({ ...submission, formData: { data: { operator: DATA.operator } } });
    expect(partial.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toContain('/formData/data/business/organisation');

    const oldForm = await apply({ ...submission, formData: { eFormId: `${SOLE}.v9`, data: DATA } });
    expect(oldForm.statusCode).toBe(422);
    expect(oldForm.json()).toMatchObject({ code: 'TB_GOVSTACK_EFORM_MISMATCH', errors: [{ pointer: '/formData/eFormId' }] });
    const someoneElse = await apply({ ...submission, applicantId: demoPersona('business').accountId });
    expect(someoneElse.statusCode).toBe(403);
    expect((await call('POST', '/services/00000000-0000-4000-8000-000000000000/applications', { session: citizen }, { body: submission })).statusCode).toBe(404);
    expect((await call('GET', '/applications', { session: citizen })).json()).toEqual([]);
  });

  it('asks for a session or a token and for the Information-Mediator-Client header', async () => {
    const anonymous = await call('POST', `/services/${SOLE}/applications`, undefined, { body: submission });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.headers['www-authenticate']).toBe('Bearer scope="registration:apply"');
    const noHeader = await apply(submission, { session: citizen }, null);
    expect(noHeader.statusCode).toBe(400);
    expect(noHeader.json()).toMatchObject({ errors: [{ pointer: '/headers/information-mediator-client' }] });
    expect((await apply(submission, { session: citizen }, 'not-four-parts')).statusCode).toBe(400);
    const system = await apply(submission, { token: tokens.get('operate')! });
    expect(system.statusCode).toBe(403);
    expect(system.json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
  });

  it('submits through the web journey\'s service: My applications and the officer\'s queue show it', async () => {
    const res = await apply(submission);
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ fileId: string; applicationData: { applicationName: string; documentUrls: string[]; formData: { data: Record<string, Record<string, string>> } } }>();
    expect(specViolations('main', '/services/{serviceId}/applications', 'post', '200', body)).toEqual([]);
    expect(body).toMatchObject({ serviceId: SOLE, status: { code: 'PENDING', title: 'Submitted' }, ended: false });
    expect(body.applicationData.formData.data.operator?.operator_name).toBe('张伟');
    expect(body.applicationData.documentUrls).toHaveLength(2);
    fileId = body.fileId;
    const reference = body.applicationData.applicationName;

    expect((await citizen.get('/applications')).body).toContain(reference);
    const queue = await officer.get('/backoffice');
    expect(queue.body).toContain(reference);
    const records = await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 100 });
    const submit = records.find((r) => r.action === 'application.submit' && r.resource?.id === fileId);
    expect(submit?.requestId).toBeDefined();

    const list = await call('GET', '/applications', { session: citizen });
    expect(specViolations('main', '/applications', 'get', '200', list.json())).toEqual([]);
    expect(list.json()).toEqual([expect.objectContaining({ fileId, description: reference, applicantId: CITIZEN.accountId, status: { code: 'PENDING', title: 'Submitted' } })]);
    const mine = await call('GET', `/applications/${fileId}`, { session: citizen });
    expect(specViolations('main', '/applications/{fileId}', 'get', '200', mine.json())).toEqual([]);
  });

  it('records the calling system in the audit trail', async () => {
    const calls = await built.kernel.db.withTables<{ tb_audit_record: { action: string; request_id: string; details: Record<string, unknown> } }>()
      .selectFrom('tb_audit_record').select(['request_id', 'details']).where('action', '=', 'govstack.registration.call').execute();
    expect(calls.map((c) => c.details)).toContainEqual(expect.objectContaining({ informationMediatorClient: 'CN/GOV/110000-CAB/citizen-app' }));
  });

  it('lets the agency\'s case system read the application (audited for the applicant) and refuses other agencies', async () => {
    const operate = { token: tokens.get('operate')! };
    const list = await call('GET', '/applications', operate);
    expect(list.statusCode).toBe(200);
    expect(specViolations('main', '/applications', 'get', '200', list.json())).toEqual([]);
    expect(list.json<{ fileId: string }[]>().map((i) => i.fileId)).toContain(fileId);
    const one = await call('GET', `/applications/${fileId}`, operate);
    expect(one.statusCode).toBe(200);
    const views = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 100 })).filter((r) => r.action === 'application.view' && r.resource?.id === fileId);
    // Recorded as the system (a client), not as a member of staff: the person's "Information systems" filter finds it.
    expect(views.map((v) => v.actor)).toContainEqual({ kind: 'client', id: 'amr-case-system', organisation: '110000-AMR' });
    expect(views.map((v) => v.actor.kind)).not.toContain('staff');
    const systems = await citizen.get('/my-data/accesses?kind=client');
    expect(systems.body).toContain('The information system amr-case-system');
    expect(systems.body).toContain('Looked at your application');

    const other = { token: tokens.get('other')! };
    expect((await call('GET', '/applications', other, { mediator: 'CN/GOV/110000-PSB/case-system' })).json()).toEqual([]);
    expect((await call('GET', `/applications/${fileId}`, other, { mediator: 'CN/GOV/110000-PSB/case-system' })).statusCode).toBe(404);
    const lying = await call('GET', '/applications', operate, { mediator: 'CN/GOV/110000-PSB/case-system' });
    expect(lying.statusCode).toBe(403);
    expect(lying.json()).toMatchObject({ code: 'TB_GOVSTACK_CLIENT_HEADER_MISMATCH' });
  });

  it('lists the case as a task and completes it with workflow actions, with 401/403/409 where due', async () => {
    const operate = { token: tokens.get('operate')! };
    const tasks = await call('GET', '/tasks', operate);
    expect(specViolations('main', '/tasks', 'get', '200', tasks.json())).toEqual([]);
    expect(tasks.json()).toContainEqual(expect.objectContaining({ taskId: fileId, fileId, status: { code: 'PENDING', title: 'Submitted' } }));
    const task = await call('GET', `/tasks/${fileId}`, operate);
    expect(specViolations('main', '/tasks/{taskId}', 'get', '200', task.json())).toEqual([]);
    expect(task.json()).toMatchObject({ formVariables: { decision: { actions: ['claim'] } } });

    expect((await call('POST', `/tasks/${fileId}/complete`, undefined, { body: { data: { decision: { action: 'claim' } } } })).statusCode).toBe(401);
    const readOnly = await call('POST', `/tasks/${fileId}/complete`, { token: tokens.get('read')! }, { body: { data: { decision: { action: 'claim' } } } });
    expect(readOnly.statusCode).toBe(403);
    expect((await call('GET', '/tasks', { session: citizen })).statusCode).toBe(403);

    const claimed = await call('POST', `/tasks/${fileId}/complete`, operate, { body: { data: { decision: { action: 'claim' } } } });
    expect(claimed.statusCode, claimed.body).toBe(200);
    expect(specViolations('main', '/tasks/{taskId}/complete', 'post', '200', claimed.json())).toEqual([]);
    const again = await call('POST', `/tasks/${fileId}/complete`, operate, { body: { data: { decision: { action: 'claim' } } } });
    expect(again.statusCode).toBe(409);
    const asking = await call('POST', `/tasks/${fileId}/complete`, operate, { body: { data: { decision: { action: 'request_info', reason: 'Which floor?' } } } });
    expect(asking.json()).toMatchObject({ code: 'TB_GOVSTACK_PERSON_REQUIRED' });
  });

  it('takes an operator\'s decision through PUT and shows it to the applicant', async () => {
    const operate = { token: tokens.get('operate')! };
    const empty = await call('PUT', `/applications/${fileId}`, operate, { body: { applicantId: CITIZEN.accountId, formData: { data: {} } } });
    expect(empty.statusCode).toBe(400);
    const noReason = await call('PUT', `/applications/${fileId}`, operate, { body: { applicantId: CITIZEN.accountId, formData: { data: { decision: { action: 'reject' } } } } });
    expect(noReason.statusCode).toBe(422);
    expect(noReason.json()).toMatchObject({ code: 'TB_WORKFLOW_REASON_REQUIRED' });
    const byCitizen = await call('PUT', `/applications/${fileId}`, { session: citizen }, { body: { applicantId: CITIZEN.accountId, formData: { data: { decision: { action: 'approve' } } } } });
    expect(byCitizen.statusCode).toBe(403);

    const approved = await call('PUT', `/applications/${fileId}`, operate, { body: { applicantId: CITIZEN.accountId, formData: { data: { note: { text: 'Premises checked' }, decision: { action: 'approve' } } } } });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(specViolations('main', '/applications/{fileId}', 'put', '200', approved.json())).toEqual([]);
    expect(approved.json()).toMatchObject({ status: { code: 'APPROVED' }, ended: true });
    expect((await call('GET', `/applications/${fileId}`, { session: citizen })).json()).toMatchObject({ status: { code: 'APPROVED' }, ended: true });
    expect((await call('GET', '/tasks', operate)).json<{ taskId: string }[]>().map((t) => t.taskId)).not.toContain(fileId);
  });

  it('pages by index (firstResult) and sorts by the spec\'s keys in either order, for the agency and for the applicant', async () => {
    for (let i = 0; i < 3; i++) expect((await apply(submission)).statusCode).toBe(200);
    const operate = { token: tokens.get('operate')! };
    const ids = async (as: As, query: string) => {
      const res = await call('GET', `/applications?${query}`, as);
      expect(res.statusCode, res.body).toBe(200);
      return res.json<{ fileId: string }[]>().map((f) => f.fileId);
    };
    for (const as of [operate, { session: citizen }] as As[]) {
      const all = await ids(as, 'sortBy=id&maxResult=100');
      expect(all.length).toBeGreaterThanOrEqual(4);
      expect(all).toEqual([...all].sort());
      // An index, not a page: the second to the third, with nothing repeated or skipped.
      expect(await ids(as, 'sortBy=id&firstResult=1&maxResult=2')).toEqual(all.slice(1, 3));
      expect(await ids(as, 'sortBy=instanceId&sortOrder=desc&firstResult=0&maxResult=100')).toEqual([...all].reverse());
      const created = await ids(as, 'sortBy=created&sortOrder=asc&maxResult=100');
      expect(await ids(as, 'sortBy=created&sortOrder=desc&maxResult=100')).toEqual([...created].reverse());
      for (const key of ['dueDate', 'assignee', 'description', 'name', 'nameCaseInsensitive', 'priority', 'caseExecutionId']) {
        expect((await ids(as, `sortBy=${key}&maxResult=100`)).sort()).toEqual([...all].sort());
      }
    }
    // The service filter is applied before the window, so a page is full.
    expect(await ids(operate, `serviceId=${SOLE}&sortBy=id&firstResult=1&maxResult=2`)).toHaveLength(2);
    expect(await ids(operate, 'serviceId=00000000-0000-4000-8000-000000000000')).toEqual([]);
    const tasks = (await call('GET', '/tasks?sortBy=id&sortOrder=desc&maxResult=100', operate)).json<{ taskId: string }[]>().map((t) => t.taskId);
    expect(tasks.length).toBeGreaterThanOrEqual(3);
    expect(tasks).toEqual([...tasks].sort().reverse());
    expect((await call('GET', '/tasks?sortBy=id&firstResult=1&maxResult=1', operate)).json<{ taskId: string }[]>().map((t) => t.taskId)).toEqual([[...tasks].sort()[1]]);
    const unknown = await call('GET', '/applications?sortBy=colour', operate);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer)).toEqual(['/querystring/sortBy']);
  });
});
