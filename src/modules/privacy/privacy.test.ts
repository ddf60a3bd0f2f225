import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { purposeText } from '../../kernel/audit/index.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { csrfToken, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { demoApp, personaBrowser, PUBLIC_URL } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { PLATFORM_ORGANISATION } from './service.js';

const CITIZEN = demoPersona('citizen');
const OFFICER = demoPersona('officer');
const AMR_SYSTEM = 'CN/GOV/110000-AMR/business-registry';

describeEachDatabase('privacy: who used my data', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let staffUse = '';
  let systemUse = '';
  const pages: [string, string][] = [];

  const principal = async (persona: string): Promise<Principal> => {
    const found = await built.services.identity.principal(demoPersona(persona).accountId);
    if (!found) throw new Error(`no principal for ${persona}`);
    return found;
  };
  const use_ = (event: Parameters<Built['kernel']['audit']['append']>[1]) => built.kernel.audit.append(built.kernel.db, event);

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    await use_({ actor: { kind: 'person', id: CITIZEN.accountId }, action: 'application.submit', subject: CITIZEN.accountId });
    staffUse = (await use_({ actor: { kind: 'staff', id: OFFICER.accountId, organisation: '110000-PSB' }, action: 'application.view', subject: CITIZEN.accountId, purpose: 'Handling the application in the back office' })).id;
    systemUse = (await use_({ actor: { kind: 'client', id: AMR_SYSTEM, organisation: '110000-AMR' }, action: 'mediator.exchange', subject: CITIZEN.accountId, purpose: '=HYPERLINK("http://evil")', details: { items: ['name', 'householdAddress'] } })).id;
    await use_({ actor: { kind: 'staff', id: OFFICER.accountId, organisation: '110000-PSB' }, action: 'application.view', subject: demoPersona('business').accountId, purpose: 'someone else' });
  });
  afterAll(async () => { await built.app.close(); });

  it('lists uses of the person\'s data by others, explained, and not their own actions or other people\'s records', async () => {
    const page = await citizen.get('/my-data/accesses');
    expect(page.statusCode).toBe(200);
    pages.push(['accesses', page.body]);
    expect(page.body).toContain(`Staff member ${OFFICER.name}`);
    expect(page.body).toContain('Looked at your application');
    expect(page.body).toContain('Handling the application in the back office');
    expect(page.body).toContain(`The information system ${AMR_SYSTEM}`);
    expect(page.body).toContain('Information used: Name and Household address');
    expect(page.body).not.toContain('Submitted an application for you');
    expect(page.body).not.toContain('someone else');
    expect(page.body).toContain(`/my-data/accesses/${staffUse}/question`);
    expect((await citizen.get('/my-data')).headers.location).toBe('/my-data/accesses');
  });

  it('filters by organisation, by kind and by days, and shows what was typed when a filter is wrong', async () => {
    const amr = await citizen.get('/my-data/accesses?organisation=110000-AMR');
    expect(amr.body).toContain(AMR_SYSTEM);
    expect(amr.body).not.toContain(`Staff member ${OFFICER.name}`);
    const staff = await citizen.get('/my-data/accesses?kind=staff');
    expect(staff.body).toContain(`Staff member ${OFFICER.name}`);
    expect(staff.body).not.toContain(AMR_SYSTEM);
    const future = await citizen.get('/my-data/accesses?from=2099-01-01');
    expect(future.body).toContain('No use matches what you chose');
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const todays = await citizen.get(`/my-data/accesses?from=${today}&to=${today}`);
    expect(todays.body).toContain(AMR_SYSTEM);
    const wrong = await citizen.get('/my-data/accesses?from=2026-02-30&to=2026-01-01&kind=robots');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('tb-error-summary');
    expect(wrong.body).toContain('Enter a real date like 2026-03-07');
    expect(wrong.body).toContain('Choose who used it from the list');
    expect(wrong.body).toContain('value="2026-02-30"');
    pages.push(['accesses with errors', wrong.body]);
    const backwards = await citizen.get('/my-data/accesses?from=2026-03-02&to=2026-03-01');
    expect(backwards.body).toContain('The last day must be the same as or after the first day');
  });

  it('downloads the uses as CSV (formulas defused) and as JSON, with the same filters', async () => {
    const csv = await citizen.get('/my-data/accesses.csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.headers['content-disposition']).toContain('who-used-my-data.csv');
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0]).toBe('Time (UTC),Organisation code,Organisation,Kind of user,User id,Who,Action code,What,Why,Information used');
    expect(lines).toHaveLength(3);
    expect(csv.body).toContain('"\'=HYPERLINK(""http://evil"")"');
    const json = await citizen.get('/my-data/accesses.json?kind=client');
    const body = JSON.parse(json.body) as { accesses: { id: string; actor: { kind: string }; items: string[] }[] };
    expect(body.accesses).toEqual([expect.objectContaining({ id: systemUse, actor: expect.objectContaining({ kind: 'client' }) as unknown, items: ['name', 'householdAddress'] })]);
  });

  it('pages back through many uses without skipping any', async () => {
    const person = await built.services.identity.saveAccount({ kind: 'person', name: '多次' });
    for (let i = 0; i < 57; i++) await use_({ actor: { kind: 'system', id: 'workflow.sla' }, action: 'workflow.escalate', subject: person.id, details: { n: i } });
    const who: Principal = { accountId: person.id, kind: 'person', name: person.name, roles: [] };
    const first = await built.services.privacy.accesses(who, {});
    expect(first.items).toHaveLength(50);
    const second = await built.services.privacy.accesses(who, {}, { older: first.older });
    expect(second.items).toHaveLength(7);
    expect(second.older).toBeUndefined();
    expect(new Set([...first.items, ...second.items].map((a) => a.id)).size).toBe(57);
    await expect(built.services.privacy.accesses(who, {}, { older: 'garbage' })).rejects.toMatchObject({ code: 'TB_PRIVACY_FILTER_INVALID' });
  });

  it('takes a question about one use to the organisation that acted, which answers it once', async () => {
    const form = await citizen.get(`/my-data/accesses/${staffUse}/question`);
    expect(form.statusCode).toBe(200);
    pages.push(['ask', form.body]);
    const empty = await citizen.post(`/my-data/accesses/${staffUse}/question`, { _csrf: csrfToken(form.body), question: '   ' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Write your question, in at most 2,000 characters');
    pages.push(['ask with error', empty.body]);
    const sent = await citizen.post(`/my-data/accesses/${staffUse}/question`, { _csrf: csrfToken(form.body), question: 'Why did you open my application twice?' });
    expect(sent.headers.location).toBe('/my-data/questions?asked=1');
    const mine = await citizen.follow(sent);
    expect(mine.body).toContain('Why did you open my application twice?');
    expect(mine.body).toContain('Waiting for an answer');
    pages.push(['questions', mine.body]);

    // Someone else's record, or one's own action, cannot be asked about.
    const other = (await built.kernel.audit.listBySubject(demoPersona('business').accountId))[0]!;
    expect((await citizen.get(`/my-data/accesses/${other.id}/question`)).statusCode).toBe(404);

    // The officer is not the data-protection contact; PSB's agency admin is; AMR's sees nothing of PSB's.
    const officer = await personaBrowser(built, 'officer');
    expect((await officer.get('/admin/privacy/questions')).statusCode).toBe(403);
    const admin = await personaBrowser(built, 'agency-admin');
    const queue = await admin.get('/admin/privacy/questions');
    expect(queue.body).toContain('Why did you open my application twice?');
    pages.push(['staff questions', queue.body]);
    const [open] = await built.services.privacy.openQuestions(await principal('agency-admin'));
    const id = open!.question.id;
    const blank = await admin.post(`/admin/privacy/questions/${id}/answer`, { _csrf: csrfToken(queue.body), answer: '' });
    expect(blank.statusCode).toBe(400);
    pages.push(['staff questions with error', blank.body]);
    const answered = await admin.post(`/admin/privacy/questions/${id}/answer`, { _csrf: csrfToken(queue.body), answer: 'A second officer checked the decision.' });
    expect(answered.headers.location).toBe('/admin/privacy/questions?sent=1');
    const again = await admin.post(`/admin/privacy/questions/${id}/answer`, { _csrf: csrfToken(queue.body), answer: 'Twice' });
    expect(again.statusCode).toBe(409);
    expect((await citizen.get('/my-data/questions')).body).toContain('A second officer checked the decision.');
    const messages = await built.services.messaging.listForAccount(CITIZEN.accountId);
    expect(messages.items.map((m) => m.template)).toContain('privacyQuestionAnswered');
    // Reading and answering the question are themselves uses the person sees.
    const actions = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { notBy: CITIZEN.accountId })).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['privacy.question.view', 'privacy.question.answer']));
  });

  it('emails the person once about new uses, when they asked for it', async () => {
    const page = await citizen.get('/my-data/accesses');
    const on = await citizen.post('/my-data/notice', { _csrf: csrfToken(page.body), email: 'on' });
    expect(on.headers.location).toBe('/my-data/accesses?saved=1');
    expect((await citizen.follow(on)).body).toContain('Stop these emails');
    const before = (await built.services.messaging.listForAccount(CITIZEN.accountId)).items.filter((m) => m.template === 'dataUsed').length;
    await built.services.privacy.notifyUses();
    await use_({ actor: { kind: 'staff', id: OFFICER.accountId, organisation: '110000-PSB' }, action: 'application.view', subject: CITIZEN.accountId, purpose: 'Check' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await built.services.privacy.notifyUses();
    await built.services.privacy.notifyUses();
    const after = (await built.services.messaging.listForAccount(CITIZEN.accountId)).items.filter((m) => m.template === 'dataUsed');
    expect(after).toHaveLength(before + 1);
    expect(after[0]?.body).toContain('1 time(s)');
    const off = await citizen.post('/my-data/notice', { _csrf: csrfToken(page.body), email: 'off' });
    expect((await citizen.follow(off)).body).toContain('Email me when my data is used');
  });

  it('reads a repeated filter as not given, never as a 500 (found by the GET form fuzzing, issue 9)', async () => {
    for (const name of ['from', 'to', 'organisation', 'kind', 'older']) {
      const page = await citizen.get(`/my-data/accesses?${name}=&${name}=x`);
      expect(page.statusCode, name).toBe(200);
      expect(page.body, name).toContain('<h1');
    }
    expect((await citizen.get('/my-data/accesses.csv?from=a&from=b')).statusCode).toBe(200);
    expect((await citizen.get('/my-data/accesses.json?kind=a&kind=b')).statusCode).toBe(200);
  });

  it('filters a system\'s older record, which names its subsystem (before ADR 56), by the subsystem\'s agency', async () => {
    await use_({ actor: { kind: 'client', id: AMR_SYSTEM, organisation: AMR_SYSTEM }, action: 'mediator.exchange', subject: CITIZEN.accountId, purpose: 'Checked before ADR 56' });
    expect((await citizen.get('/my-data/accesses?organisation=110000-AMR')).body).toContain('Checked before ADR 56');
    expect((await citizen.get('/my-data/accesses?organisation=110000-PSB')).body).not.toContain('Checked before ADR 56');
    expect((await citizen.get('/my-data/accesses?organisation=CN')).body).not.toContain('Checked before ADR 56');
  });

  it('shows a purpose the platform states, the data items and the platform itself in the reader\'s language (ADR 60)', async () => {
    await use_({ actor: { kind: 'system', id: 'documents', organisation: PLATFORM_ORGANISATION }, action: 'documents.certificate.verify', subject: CITIZEN.accountId, purpose: purposeText('documents.purpose.verify'), details: { items: ['householdAddress', 'shoeSize'] } });
    await use_({ actor: { kind: 'staff', id: OFFICER.accountId, organisation: '110000-PSB' }, action: 'application.view', subject: CITIZEN.accountId, purpose: '核对户籍信息（工单 42）' });
    const zh = (await citizen.get('/my-data/accesses?lang=zh-CN')).body;
    expect(zh).toContain('核验电子证照真伪（公开核验）');
    expect(zh).not.toContain('Checking that a certificate is genuine');
    expect(zh).toContain('户籍地址和shoeSize');
    expect(zh).toContain('通办平台');
    expect(zh).toContain('核对户籍信息（工单 42）');
    const en = (await citizen.get('/my-data/accesses?lang=en')).body;
    expect(en).toContain('Checking that a certificate is genuine (public verification)');
    expect(en).toContain('Household address and shoeSize');
    expect(en).toContain('Tongban platform');
    const json = await citizen.get('/my-data/accesses.json?lang=zh-CN');
    expect(json.json<{ accesses: { purpose: string | null; why: string | null }[] }>().accesses).toContainEqual(expect.objectContaining({
      purpose: 'Checking that a certificate is genuine (public verification)', why: '核验电子证照真伪（公开核验）',
    }));
    // The spreadsheet is for the person too: headings, kinds and items in their language.
    const csv = (await citizen.get('/my-data/accesses.csv?lang=zh-CN')).body.replace(/^\uFEFF/, '').split('\r\n');
    expect(csv[0]).toBe('时间（UTC）,机构代码,机构,使用者类型,使用者编号,使用者,操作代码,做了什么,原因,使用的信息');
    expect(csv.find((line) => line.includes('documents.certificate.verify'))).toMatch(/,"通办平台自动处理",.*,"核验电子证照真伪（公开核验）","户籍地址和shoeSize"$/);
  });

  it('says a consent API read looked at the consent records (it recorded nothing), and why in the reader\'s language', async () => {
    await use_({
      actor: { kind: 'client', id: 'consent-auditor', organisation: '110000-CAB' }, action: 'consent.record.read', subject: CITIZEN.accountId,
      purpose: purposeText('consent.purpose.audit'),
    });
    await use_({ actor: { kind: 'client', id: 'consent-desk', organisation: '110000-CAB' }, action: 'consent.individual.read', subject: CITIZEN.accountId, purpose: purposeText('consent.purpose.individual') });
    const en = await citizen.get('/my-data/accesses?kind=client');
    expect(en.body).toContain('Looked at your consent records');
    expect(en.body).toContain('Auditing the consent records kept on the platform');
    expect(en.body).not.toContain('Recorded your consent');
    const zh = await citizen.get('/my-data/accesses?kind=client&lang=zh-CN');
    expect(zh.body).toContain('查看了您的授权同意记录');
    expect(zh.body).toContain('审计平台保存的授权同意记录');
    expect(zh.body).not.toContain('记录了您的授权同意');
  });

  it('passes axe in Chromium on every page, error states included', async () => {
    const zh = await citizen.get('/my-data/accesses?lang=zh-CN');
    pages.push(['accesses zh-CN', zh.body]);
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  });
});
