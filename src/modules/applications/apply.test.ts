import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { REFERENCE_PATTERN } from './service.js';
import { applicationIdOf, demoApp, jpeg, pdf, personaBrowser, png, postForm, postMultipart } from './test-kit.js';
import { formatDueDay } from './pages-status.js';

const SLUG = 'sole-trader-business-licence';
const CITIZEN = demoPersona('citizen');
const OPERATOR = { operator_name: '张伟', operator_id_number: '110101199003072359', operator_phone: '13800138000', operator_email: '' };
const BUSINESS = {
  business_name: '张记水果店', organisation: 'individual', 'business_address-province': '北京市', 'business_address-city': '北京市',
  'business_address-district': '朝阳区', 'business_address-line1': '建国路1号', business_scope: 'retail', scope_detail: 'Selling fruit', employees: '2', capital: '5000',
};

describeEachDatabase('applications: the online walk', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let id = '';
  let reference = '';

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
  });
  afterAll(async () => { await built.app.close(); });

  const principal = async (persona: string): Promise<Principal> => {
    const found = await built.services.identity.principal(demoPersona(persona).accountId);
    if (!found) throw new Error(`no principal for ${persona}`);
    return found;
  };
  const submitRecords = async (applicationId: string) => (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 }))
    .filter((r) => r.action === 'application.submit' && r.resource?.id === applicationId);

  it('shows a light home page with search and browse links, and the person\'s own links', async () => {
    const anonymous = await built.app.inject({ method: 'GET', url: '/', headers: { accept: 'text/html', 'accept-language': 'zh-CN' } });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.body).toContain('action="/services"');
    expect(anonymous.body).toContain('/services?category=');
    expect(anonymous.body).toContain('/services?lifeEvent=');
    expect(anonymous.body).toContain('政务服务一网通办');
    expect(anonymous.body).not.toContain('href="/applications"');
    const signedIn = await citizen.get('/');
    expect(signedIn.body).toContain('Government services in one place');
    expect(signedIn.body).toContain('href="/applications"');
    expect(signedIn.body).toContain('href="/messages"');
  });

  it('starts a draft, shows errors keeping what was typed, saves each page and resumes it', async () => {
    const start = await citizen.get(`/services/${SLUG}/apply`);
    expect(start.statusCode).toBe(303);
    expect(start.headers.location).toMatch(/\/pages\/operator$/);
    id = applicationIdOf(start.headers.location);
    const first = await citizen.follow(start);
    expect(first.body).toContain('name="operator_name"');

    const wrong = await postForm(citizen, `/applications/${id}/pages/operator`, first.body, { ...OPERATOR, operator_id_number: '110101199003072358', _save: 'continue' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('tb-error-summary');
    expect(wrong.body).toContain('href="#operator_id_number"');
    expect(wrong.body).toContain('value="110101199003072358"');
    expect(wrong.body).toContain('value="张伟"');

    const fixed = await postForm(citizen, `/applications/${id}/pages/operator`, wrong.body, { ...OPERATOR, _save: 'continue' });
    expect(fixed.statusCode).toBe(303);
    expect(fixed.headers.location).toBe(`/applications/${id}/pages/business`);
    const business = await citizen.follow(fixed);
    const later = await postForm(citizen, `/applications/${id}/pages/business`, business.body, { business_name: '张记', _save: 'later' });
    expect(later.headers.location).toBe('/applications?saved=1');
    const list = await citizen.follow(later);
    expect(list.body).toContain(`href="/applications/${id}"`);
    expect(list.body).toContain('Your answers have been saved');

    // Starting again resumes the same draft where it was left.
    const again = await citizen.get(`/services/${SLUG}/apply`);
    expect(again.headers.location).toBe(`/applications/${id}/pages/business`);
    const resumed = await citizen.follow(again);
    expect(resumed.body).toContain('value="张记"');
    const done = await postForm(citizen, `/applications/${id}/pages/business`, resumed.body, { ...BUSINESS, _save: 'continue' });
    expect(done.headers.location).toBe(`/applications/${id}/documents`);
  });

  it('sends anonymous people to sign in, and refuses a post without its CSRF token', async () => {
    const anonymous = await built.app.inject({ method: 'GET', url: `/services/${SLUG}/apply`, headers: { accept: 'text/html' } });
    expect(anonymous.statusCode).toBe(303);
    expect(anonymous.headers.location).toBe(`/auth/signin?returnTo=${encodeURIComponent(`/services/${SLUG}/apply`)}`);
    const forged = await postMultipart(built, citizen, `/applications/${id}/documents`, '<input name="_csrf" value="forged">', {}, {
      premises_proof: { filename: 'lease.pdf', type: 'application/pdf', content: pdf() },
    });
    expect(forged.statusCode).toBe(403);
    expect((await built.services.applications.openDraft(id, await principal('citizen'))).documents).toEqual({});
  });

  it('refuses uploads of the wrong type, too large or whose bytes do not match, then takes good ones', async () => {
    const page = await citizen.get(`/applications/${id}/documents`);
    expect(page.body).toContain('enctype="multipart/form-data"');
    const url = `/applications/${id}/documents`;
    const wrongType = await postMultipart(built, citizen, url, page.body, { _save: 'continue' }, {
      premises_proof: { filename: 'lease.pdf', type: 'application/pdf', content: pdf() },
      operator_id: { filename: 'id.pdf', type: 'application/pdf', content: pdf() },
    });
    expect(wrongType.statusCode).toBe(400);
    expect(wrongType.body).toContain('must be a JPG, PNG');
    expect(wrongType.body).toContain('Current file: lease.pdf');

    const mismatch = await postMultipart(built, citizen, url, wrongType.body, { _save: 'continue' }, {
      operator_id: { filename: 'id.png', type: 'image/png', content: pdf('not a picture') },
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.body).toContain('says it is a PNG but it is not');

    const unknown = await postMultipart(built, citizen, url, mismatch.body, { _save: 'continue' }, {
      operator_id: { filename: 'id.png', type: 'application/octet-stream', content: Buffer.from('MZ\x90\x00 an executable') },
    });
    expect(unknown.body).toContain('must be a JPG, PNG');

    const tooLarge = await postMultipart(built, citizen, url, unknown.body, { _save: 'continue' }, {
      operator_id: { filename: 'id.png', type: 'image/png', content: png(5 * 1024 * 1024 + 1) },
    });
    expect(tooLarge.statusCode).toBe(400);
    expect(tooLarge.body).toContain('must be smaller than 5 MB');

    const good = await postMultipart(built, citizen, url, tooLarge.body, { _save: 'continue' }, {
      operator_id: { filename: '../../etc/身份证.jpg', type: 'image/jpeg', content: jpeg(2048) },
    });
    expect(good.statusCode).toBe(303);
    expect(good.headers.location).toBe(`/applications/${id}/check`);
  });

  it('checks the answers, insists on the declaration, and submits in one transaction', async () => {
    const check = await citizen.get(`/applications/${id}/check`);
    expect(check.statusCode).toBe(200);
    expect(check.body).toContain('张记水果店');
    expect(check.body).toContain('身份证.jpg');
    expect(check.body).not.toContain('etc/');
    expect(check.body).toContain(`href="/applications/${id}/pages/business?return=check#business_name"`);

    const undeclared = await postForm(citizen, `/applications/${id}/submit`, check.body, {});
    expect(undeclared.statusCode).toBe(400);
    expect(undeclared.body).toContain('Confirm the declaration to send the application');
    expect(undeclared.body).toContain('href="#declaration"');
    expect(await submitRecords(id)).toHaveLength(0);

    const submitted = await postForm(citizen, `/applications/${id}/submit`, undeclared.body, { declaration: 'yes' });
    expect(submitted.statusCode).toBe(303);
    expect(submitted.headers.location).toBe(`/applications/${id}/confirmation`);
    const confirmation = await citizen.follow(submitted);
    reference = /(TB-\d{4}-[A-Z0-9]{6})/.exec(confirmation.body)?.[1] ?? '';
    expect(reference).toMatch(REFERENCE_PATTERN);
    expect(reference).not.toMatch(/TB-\d{4}-.*[01OI]/);

    const kase = await built.services.workflow.getCase(id);
    expect(kase).toMatchObject({ status: 'submitted', reference, agency: '110000-AMR' });
    // The confirmation says by which day the decision is due, as the status page and the back office write it.
    expect(confirmation.body).toContain(formatDueDay(kase.dueAt, 'en'));
    expect(await submitRecords(id)).toHaveLength(1);
    const messages = await built.services.messaging.listForAccount(CITIZEN.accountId);
    expect(messages.items.filter((m) => m.template === 'applicationSubmitted' && m.body.includes(reference))).toHaveLength(1);
    const mine = await built.services.applications.listForPerson(await principal('citizen'));
    expect(mine.filter((i) => i.application.reference === reference)).toHaveLength(1);

    // Sending it again changes nothing.
    const twice = await postForm(citizen, `/applications/${id}/submit`, check.body, { declaration: 'yes' });
    expect(twice.headers.location).toBe(`/applications/${id}`);
    expect(await submitRecords(id)).toHaveLength(1);
  });

  it('lists it under "My applications" with its status, and shows the status page', async () => {
    const list = await citizen.get('/applications');
    expect(list.body).toContain(reference);
    expect(list.body).toContain('Submitted');
    const status = await citizen.get(`/applications/${id}`);
    expect(status.statusCode).toBe(200);
    expect(status.body).toContain(reference);
    expect(status.body).toContain('What has happened');
    expect(status.body).toContain('张记水果店');
    const fileId = /\/applications\/[0-9a-f-]+\/files\/([0-9a-f-]+)/.exec(status.body)?.[1] ?? '';
    const download = await citizen.get(`/applications/${id}/files/${fileId}`);
    expect(download.statusCode).toBe(200);
    expect(download.headers['content-type']).toMatch(/^(image\/jpeg|application\/pdf)/);
    expect(download.headers['content-disposition']).toMatch(new RegExp(`^attachment; filename="${reference}-`));
  });

  it('hides it from another person', async () => {
    const other = await personaBrowser(built, 'business');
    expect((await other.get(`/applications/${id}`)).statusCode).toBe(404);
    expect((await other.get(`/applications/${id}/withdraw`)).statusCode).toBe(404);
    expect((await other.get(`/applications/${id}/check`)).statusCode).toBe(404);
    const list = await other.get('/applications');
    expect(list.body).not.toContain(reference);
    const page = await other.get('/applications');
    expect((await postForm(other, `/applications/${id}/withdraw`, page.body, {})).statusCode).toBe(404);
  });

  it('lets the applicant answer a request for more information, then withdraw', async () => {
    const officer = await principal('officer');
    await built.services.workflow.act(undefined, { caseId: id, action: 'claim', actor: officer });
    await built.services.workflow.act(undefined, { caseId: id, action: 'request_info', actor: officer, reason: 'Send a photo of the shop front' });

    const status = await citizen.get(`/applications/${id}`);
    expect(status.body).toContain('We need more information');
    expect(status.body).toContain('Send a photo of the shop front');
    const empty = await postForm(citizen, `/applications/${id}/answer`, status.body, { task: /name="task" value="([^"]+)"/.exec(status.body)?.[1] ?? '', answer: '  ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter your answer');
    const task = /name="task" value="([^"]+)"/.exec(empty.body)?.[1] ?? '';
    const long = await postForm(citizen, `/applications/${id}/answer`, empty.body, { task, answer: 'x'.repeat(2_001) });
    expect(long.statusCode).toBe(400);
    expect(long.body).toContain('Your answer must be 2,000 characters or fewer');
    expect(long.body).not.toContain('Enter your answer');
    const answered = await postForm(citizen, `/applications/${id}/answer`, empty.body, { task, answer: 'The shop is at the corner; photo follows by post.' });
    expect(answered.headers.location).toBe(`/applications/${id}?done=answered`);
    expect((await built.services.workflow.getCase(id)).status).toBe('in_review');
    const again = await postForm(citizen, `/applications/${id}/answer`, empty.body, { task, answer: 'Twice' });
    expect(again.statusCode).toBe(409);

    const confirm = await citizen.get(`/applications/${id}/withdraw`);
    expect(confirm.body).toContain('Are you sure you want to withdraw');
    const withdrawn = await postForm(citizen, `/applications/${id}/withdraw`, confirm.body, {});
    expect(withdrawn.headers.location).toBe(`/applications/${id}?done=withdrawn`);
    const after = await citizen.follow(withdrawn);
    expect(after.body).toContain('Withdrawn');
    expect(after.body).not.toContain('Withdraw this application');
    expect((await built.services.workflow.getCase(id)).final).toBe(true);

    // Each status change that concerns the applicant was queued as a message, once.
    const sent = (await built.services.messaging.listForAccount(CITIZEN.accountId)).items.filter((m) => m.body.includes(reference));
    expect(sent.filter((m) => m.template === 'infoRequested')).toHaveLength(1);
    expect(sent.filter((m) => m.template === 'applicationWithdrawn')).toHaveLength(1);
    expect(sent.some((m) => m.template === 'applicationApproved')).toBe(false);
  });

  it('shows the application to staff of the agency only, auditing each read', async () => {
    const officer = await personaBrowser(built, 'officer');
    const casePage = await officer.get(`/backoffice/cases/${id}`);
    expect(casePage.statusCode).toBe(200);
    expect(casePage.body).toContain('张记水果店');
    const views = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'application.view' && r.resource?.id === id);
    expect(views.length).toBeGreaterThanOrEqual(1);
    expect(views[0]).toMatchObject({ actor: { kind: 'staff', id: demoPersona('officer').accountId }, purpose: expect.any(String) as string });

    const clerkElsewhere = await principal('clerk');
    await expect(built.services.applications.viewForStaff(id, clerkElsewhere, 'Curiosity', { locale: 'en' })).rejects.toMatchObject({ code: 'TB_KERNEL_FORBIDDEN' });
  });

  it('leaves nothing behind when the submission fails inside its transaction', async () => {
    const person = await principal('citizen');
    const draft = await built.services.applications.startOnline(SLUG, person, 'en');
    expect(draft.id).not.toBe(id);
    await built.services.applications.savePage(draft.id, person, 'operator', OPERATOR, []);
    await built.services.applications.savePage(draft.id, person, 'business', BUSINESS, []);
    await built.services.applications.savePage(draft.id, person, 'documents', {}, [
      { fieldId: 'premises_proof', filename: 'lease.pdf', claimedType: 'application/pdf', content: pdf(), truncated: false },
      { fieldId: 'operator_id', filename: 'id.png', claimedType: 'image/png', content: png(), truncated: false },
    ]);
    expect((await built.services.applications.resume(draft.id, person)).kind).toBe('check');
    // A case already holding this id makes workflow.start fail after the application row was updated.
    const version = await built.services.catalog.getCurrentService(SLUG);
    if (!version) throw new Error('no demo service');
    await built.services.workflow.start(built.kernel.db, {
      caseId: draft.id, serviceId: version.id, serviceVersion: version.version, agency: version.agencyCode,
      definition: version.definition.workflow, submittedAt: built.kernel.now(), actor: { accountId: person.accountId, role: 'applicant' },
    });
    const before = (await built.services.messaging.listForAccount(CITIZEN.accountId)).total;
    await expect(built.services.applications.submit(draft.id, person, { declaration: true, locale: 'en' })).rejects.toMatchObject({ code: 'TB_WORKFLOW_ALREADY_STARTED' });
    expect((await built.services.applications.openDraft(draft.id, person)).application.status).toBe('draft');
    expect(await submitRecords(draft.id)).toHaveLength(0);
    expect((await built.services.messaging.listForAccount(CITIZEN.accountId)).total).toBe(before);
    expect((await built.services.workflow.getCase(draft.id)).reference).toBeNull();
  });
});
