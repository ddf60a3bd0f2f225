import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { applicationIdOf, demoApp, jpeg, pdf, personaBrowser, postForm, postMultipart } from './test-kit.js';

const ALLOWANCE = '121e5576-9979-40d4-a5ac-20149fa25a7e';
const ZHANG_WEI = demoPersona('citizen');
const CLERK = demoPersona('clerk');

describeEachDatabase('applications: the counter channel', migrationSources, (use) => {
  let built: Built;
  let clerk: TestBrowser;
  let id = '';
  let reference = '';

  beforeAll(async () => {
    built = await demoApp(use());
    clerk = await personaBrowser(built, 'clerk');
  });
  afterAll(async () => { await built.app.close(); });

  it('is for clerks only', async () => {
    const citizen = await personaBrowser(built, 'citizen');
    expect((await citizen.get('/counter')).statusCode).toBe(403);
    const home = await clerk.get('/');
    expect(home.body).toContain('href="/counter"');
  });

  it('checks the ID number with the form engine, then opens a counter draft', async () => {
    const page = await clerk.get('/counter');
    expect(page.statusCode).toBe(200);
    // The clerk's own agency's service comes first.
    expect(page.body.indexOf(ALLOWANCE)).toBeLessThan(page.body.indexOf('95b8e774-a8c4-4de6-bbd6-3d74151c3178'));
    const wrong = await postForm(clerk, '/counter', page.body, { resident_id: '110101199003072358', service: ALLOWANCE });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('href="#resident_id"');
    expect(wrong.body).toContain('value="110101199003072358"');
    const started = await postForm(clerk, '/counter', wrong.body, { resident_id: '1101 0119 9003 0723 59', service: ALLOWANCE });
    expect(started.statusCode).toBe(303);
    expect(started.headers.location).toMatch(/\/pages\/applicant$/);
    id = applicationIdOf(started.headers.location);
    // The same person and service again: the same draft.
    const again = await postForm(clerk, '/counter', page.body, { resident_id: ZHANG_WEI.idNumber ?? '', service: ALLOWANCE });
    expect(applicationIdOf(again.headers.location)).toBe(id);
  });

  it('fills the same pages as online, uploads scans and submits with channel counter', async () => {
    const applicant = await clerk.get(`/applications/${id}/pages/applicant`);
    expect(applicant.body).toContain('At the counter');
    let next = await postForm(clerk, `/applications/${id}/pages/applicant`, applicant.body, {
      applicant_name: '张伟', applicant_id_number: ZHANG_WEI.idNumber ?? '', applicant_phone: '13900139000',
      'home_address-province': '北京市', 'home_address-city': '北京市', 'home_address-district': '西城区', 'home_address-line1': '西单北大街1号',
    });
    expect(next.headers.location).toBe(`/applications/${id}/pages/household`);
    let household = await clerk.follow(next);
    const saved = await postForm(clerk, `/applications/${id}/pages/household`, household.body, { _save: 'later' });
    expect(saved.headers.location).toBe('/counter?saved=1');
    expect((await clerk.follow(saved)).body).toContain('The answers have been saved');
    household = await clerk.get(`/applications/${id}/pages/household`);
    next = await postForm(clerk, `/applications/${id}/pages/household`, household.body, {});
    expect(next.headers.location).toBe(`/applications/${id}/pages/income`);
    const income = await clerk.follow(next);
    next = await postForm(clerk, `/applications/${id}/pages/income`, income.body, {
      applicant_monthly_income: '800', savings: '0', owns_vehicle: 'no', properties: '0', circumstances: 'Lost my job in March.', bank_account: '6222020200112233445',
    });
    expect(next.headers.location).toBe(`/applications/${id}/documents`);
    const documents = await clerk.follow(next);
    next = await postMultipart(built, clerk, `/applications/${id}/documents`, documents.body, {}, {
      income_proof: { filename: 'scan-1.pdf', type: 'application/pdf', content: pdf('income') },
      household_register: { filename: 'scan-2.jpg', type: 'image/jpeg', content: jpeg(4096) },
    });
    expect(next.headers.location).toBe(`/applications/${id}/check`);
    const check = await clerk.follow(next);
    expect(check.body).toContain('The applicant has read the answers');
    const submitted = await postForm(clerk, `/applications/${id}/submit`, check.body, { declaration: 'yes' });
    expect(submitted.headers.location).toBe(`/applications/${id}/confirmation`);
    const confirmation = await clerk.follow(submitted);
    expect(confirmation.body).toContain('Start another application at the counter');
    reference = /(TB-\d{4}-[A-Z0-9]{6})/.exec(confirmation.body)?.[1] ?? '';
    expect(reference).not.toBe('');

    const kase = await built.services.workflow.getCase(id);
    expect(kase).toMatchObject({ status: 'submitted', agency: '110000-CAB', reference });
    expect(kase.history[0]?.actor).toMatchObject({ kind: 'staff', id: CLERK.accountId, role: 'clerk' });
    const records = await sql<{ actor_kind: string; actor_id: string; actor_organisation: string; on_behalf_of: string; details: { channel: string } }>`
      select actor_kind, actor_id, actor_organisation, on_behalf_of, details from tb_audit_record where action = 'application.submit' and resource_id = ${id}`.execute(built.kernel.db);
    expect(records.rows).toEqual([{
      actor_kind: 'staff', actor_id: CLERK.accountId, actor_organisation: '110000-CAB', on_behalf_of: `resident-id:${ZHANG_WEI.idNumber ?? ''}`,
      details: expect.objectContaining({ channel: 'counter' }) as unknown,
    }]);
  });

  it('records an officer\'s read as 张伟\'s before the case is linked to his account: his page shows it at once', async () => {
    const officer = await personaBrowser(built, 'officer');
    expect((await officer.get(`/backoffice/cases/${id}`)).statusCode).toBe(200);
    const views = await sql<{ subject: string | null; actor_kind: string }>`
      select subject, actor_kind from tb_audit_record where action = 'application.view' and resource_id = ${id}`.execute(built.kernel.db);
    expect(views.rows).toEqual([{ subject: ZHANG_WEI.accountId, actor_kind: 'staff' }]);
    // Straight to "who used my data", without opening "My applications" (which links the case).
    const zhang = await personaBrowser(built, 'citizen');
    const page = await zhang.get('/my-data/accesses');
    expect(page.body).toContain('Looked at your application');
    expect(page.body).toContain(`Staff member ${demoPersona('officer').name}`);
    expect((await built.kernel.audit.listBySubject(ZHANG_WEI.accountId, { limit: 100 })).filter((r) => r.action === 'application.link')).toEqual([]);
  });

  it('shows the case to 张伟 when he signs in, and to nobody else', async () => {
    const other = await personaBrowser(built, 'business');
    expect((await other.get('/applications')).body).not.toContain(reference);
    expect((await other.get(`/applications/${id}`)).statusCode).toBe(404);

    const zhang = await personaBrowser(built, 'citizen');
    const list = await zhang.get('/applications');
    expect(list.body).toContain(reference);
    const status = await zhang.get(`/applications/${id}`);
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain('Lost my job in March.');
    expect(status.body).toContain('scan-2.jpg');
    const linked = (await built.kernel.audit.listBySubject(ZHANG_WEI.accountId, { limit: 100 })).filter((r) => r.action === 'application.link');
    expect(linked.map((r) => r.resource?.id)).toEqual([id]);
    // The clerk filled it in, but the case is the person's now: the clerk's draft list does not hold it.
    expect((await clerk.get(`/applications/${id}/check`)).statusCode).toBe(303);
  });

  it('audits the submitting clerk\'s later download of a document like any staff read', async () => {
    const zhang = await personaBrowser(built, 'citizen');
    const fileId = new RegExp(`/applications/${id}/files/([0-9a-f-]{36})`).exec((await zhang.get(`/applications/${id}`)).body)?.[1] ?? 'no file';
    const views = async () => (await sql<{ actor_id: string; actor_organisation: string; subject: string | null; details: { fileId?: string } }>`
      select actor_id, actor_organisation, subject, details from tb_audit_record where action = 'application.view' and resource_id = ${id}`.execute(built.kernel.db)).rows;
    const before = (await views()).length;
    // The applicant's own download is not a staff read.
    expect((await zhang.get(`/applications/${id}/files/${fileId}`)).statusCode).toBe(200);
    expect(await views()).toHaveLength(before);
    const download = await clerk.get(`/applications/${id}/files/${fileId}`);
    expect(download.statusCode).toBe(200);
    const after = await views();
    expect(after).toHaveLength(before + 1);
    expect(after.at(-1)).toMatchObject({ actor_id: CLERK.accountId, actor_organisation: '110000-CAB', subject: ZHANG_WEI.accountId, details: { fileId } });
    // A file that is not there answers 404 and is no read of the person's data: nothing recorded.
    expect((await clerk.get(`/applications/${id}/files/00000000-0000-4000-8000-000000000000`)).statusCode).toBe(404);
    expect(await views()).toHaveLength(before + 1);
  });

  it('answers which of many ids are submitted applications in one call, in statements of a thousand', async () => {
    const page = await clerk.get('/counter');
    // GB 11643's own example number: a person with no case yet, so this opens a draft.
    const started = await postForm(clerk, '/counter', page.body, { resident_id: '11010519491231002X', service: ALLOWANCE });
    expect(started.statusCode).toBe(303);
    const draft = applicationIdOf(started.headers.location);
    expect(draft).not.toBe(id);
    const unknown = Array.from({ length: 2_500 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);
    // The submitted one last, past two full statements; asked in capitals and twice; a draft and junk are not submitted.
    const found = await built.services.applications.submittedAmong([draft, 'not-an-id', "x' or 1=1 --", ...unknown, id, id.toUpperCase()]);
    expect([...found]).toEqual([id]);
    expect((await built.services.applications.submittedAmong([])).size).toBe(0);
  });
});
