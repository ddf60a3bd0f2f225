import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { LANG_COOKIE } from '../../kernel/i18n/plugin.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { DRAFT_EXPIRY_QUEUE } from './retention.js';
import { applicationIdOf, demoApp, jpeg, pdf, personaBrowser, postForm, postMultipart } from './test-kit.js';

/*
 * Drafts are kept 30 days after their last change, then deleted with their files by the daily
 * job (docs/adr/0065); submitted applications never are. The clock is the kernel's, moved by the test.
 */

const DAY = 86_400_000;
const CITIZEN = demoPersona('citizen');
const LICENCE = 'sole-trader-business-licence';
const RESIDENCE = 'residence-certificate';
const OPERATOR = { operator_name: '张伟', operator_id_number: '110101199003072359', operator_phone: '13800138000', operator_email: '' };
const BUSINESS = {
  business_name: '张记水果店', organisation: 'individual', 'business_address-province': '北京市', 'business_address-city': '北京市',
  'business_address-district': '朝阳区', 'business_address-line1': '建国路1号', business_scope: 'retail', scope_detail: 'Selling fruit', employees: '2', capital: '5000',
};
const YOU = { full_name: '张伟', id_number: '110101199003072359', 'date_of_birth-day': '7', 'date_of_birth-month': '3', 'date_of_birth-year': '1990', phone: '13800138000' };

function testClock(start: string) {
  let t = new Date(start).getTime();
  return { now: () => new Date(t), advance: (ms: number) => { t += ms; } };
}

describeEachDatabase('applications: drafts are deleted 30 days after their last change', migrationSources, (use) => {
  // Monday 7 December 2026, 08:00 in Shanghai: the drafts are kept until 6 January 2027.
  const clock = testClock('2026-12-07T08:00:00+08:00');
  let built: Built;
  let citizen: TestBrowser;
  let submitted = '';
  let old = '';
  let newer = '';

  const exists = async (id: string) => (await sql<{ n: number }>`select count(*)::int as n from applications where id = ${id}`.execute(built.kernel.db)).rows[0]?.n === 1;
  const count = async (table: 'application_files' | 'application_prefills', id: string) =>
    (await sql<{ n: number }>`select count(*)::int as n from ${sql.table(table)} where application_id = ${id}`.execute(built.kernel.db)).rows[0]?.n ?? 0;
  const reminders = async () => (await built.services.messaging.listForAccount(CITIZEN.accountId)).items.filter((m) => m.template === 'draftDeletionReminder');
  const deletions = async (id: string) => (await sql<{ subject: string | null; actor_kind: string; details: Record<string, unknown> }>`
    select subject, actor_kind, details from tb_audit_record where action = 'application.draft.delete' and resource_id = ${id}`.execute(built.kernel.db)).rows;

  /** The sole-trader licence's pages and documents, for the signed-in citizen; the check page's address is where it ends. */
  async function fillLicence(): Promise<string> {
    const start = await citizen.get(`/services/${LICENCE}/apply`);
    const id = applicationIdOf(start.headers.location);
    const operator = await citizen.follow(start);
    const business = await citizen.follow(await postForm(citizen, `/applications/${id}/pages/operator`, operator.body, { ...OPERATOR, _save: 'continue' }));
    const documents = await citizen.follow(await postForm(citizen, `/applications/${id}/pages/business`, business.body, { ...BUSINESS, _save: 'continue' }));
    const done = await postMultipart(built, citizen, `/applications/${id}/documents`, documents.body, { _save: 'continue' }, {
      operator_id: { filename: 'id.jpg', type: 'image/jpeg', content: jpeg(2048) },
      premises_proof: { filename: 'lease.pdf', type: 'application/pdf', content: pdf() },
    });
    expect(done.headers.location).toBe(`/applications/${id}/check`);
    return id;
  }

  beforeAll(async () => {
    built = await demoApp(use(), clock.now);
    citizen = await personaBrowser(built, 'citizen');
    // A submitted application, with its files.
    submitted = await fillLicence();
    const check = await citizen.get(`/applications/${submitted}/check`);
    expect((await postForm(citizen, `/applications/${submitted}/submit`, check.body, { declaration: 'yes' })).statusCode).toBe(303);
    // A draft of the same service with its files, never touched again.
    old = await fillLicence();
    // A draft with a prefill decision, saved again 20 days later.
    const start = await citizen.get(`/services/${RESIDENCE}/apply`);
    newer = applicationIdOf(start.headers.location);
    const prefill = await citizen.follow(start);
    const you = await citizen.follow(await postForm(citizen, `/applications/${newer}/prefill`, prefill.body, { choice: 'self' }));
    expect((await postForm(citizen, `/applications/${newer}/pages/you`, you.body, { ...YOU, _save: 'later' })).statusCode).toBe(303);
  });
  afterAll(async () => { await built?.app.close(); });

  it('tells the person on the check page and in "My applications" until when their answers are kept, in both languages', async () => {
    const check = await citizen.get(`/applications/${old}/check`);
    expect(check.body).toContain('We keep your answers until 6 January 2027.');
    const list = await citizen.get('/applications');
    expect(list.body).toContain('Kept until');
    expect(list.body).toContain('6 January 2027');
    expect(list.body).toContain('We keep an application you have not sent for 30 days after you last save it.');

    citizen.setCookie(LANG_COOKIE, 'zh-CN');
    expect((await citizen.get(`/applications/${old}/check`)).body).toContain('您填写的信息保存至2027年1月6日。');
    const zh = await citizen.get('/applications');
    expect(zh.body).toContain('保存至');
    expect(zh.body).toContain('2027年1月6日');
    expect(zh.body).toContain('保存30天');
    citizen.setCookie(LANG_COOKIE, 'en');
  });

  it('moves the date on when the draft is saved again', async () => {
    clock.advance(20 * DAY);
    citizen = await personaBrowser(built, 'citizen'); // the session of 20 days ago has ended
    const you = await citizen.get(`/applications/${newer}/pages/you`);
    expect((await postForm(citizen, `/applications/${newer}/pages/you`, you.body, { ...YOU, full_name: '张伟伟', _save: 'later' })).statusCode).toBe(303);
    const list = await citizen.get('/applications');
    expect(list.body).toContain('26 January 2027'); // 27 December + 30 days
    expect(list.body).toContain('6 January 2027');
  });

  it('mails the person 3 days before a draft is deleted, once, and not about a draft saved since', async () => {
    await built.kernel.jobs.drain();
    expect(await reminders()).toEqual([]); // day 20: not yet
    clock.advance(8 * DAY); // day 28
    await built.kernel.jobs.drain();
    const sent = await reminders();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ locale: 'en', subject: 'Your application for Register as a sole trader (individual business licence) has not been sent: we delete it on 6 January 2027' });
    expect(sent[0]?.body).toContain('we will delete your answers and the documents you uploaded on 6 January 2027');
    expect(await exists(old)).toBe(true);
    // The same day's job again: no second mail.
    await built.kernel.jobs.enqueue(built.kernel.db, DRAFT_EXPIRY_QUEUE, {});
    await built.kernel.jobs.drain();
    expect(await reminders()).toHaveLength(1);
  });

  it('deletes a draft past its time with its files, keeping a newer draft and a submitted application', async () => {
    expect(await count('application_files', old)).toBe(2);
    expect(await count('application_prefills', newer)).toBe(1);

    clock.advance(3 * DAY); // day 31
    await built.kernel.jobs.drain();
    expect(await exists(old)).toBe(false);
    expect(await count('application_files', old)).toBe(0);
    expect(await exists(newer)).toBe(true);
    expect(await count('application_prefills', newer)).toBe(1);
    expect(await exists(submitted)).toBe(true);
    expect(await count('application_files', submitted)).toBe(2);
    // The performance figures still count it as started and never sent; nothing of the person is kept for that.
    expect((await built.services.applications.facts()).filter((f) => f.id === old)).toEqual([expect.objectContaining({ status: 'draft', submittedAt: null, channel: 'online' })]);
    const kept = (await sql<Record<string, unknown>>`select * from application_expired_drafts where id = ${old}`.execute(built.kernel.db)).rows;
    expect(kept).toHaveLength(1);
    expect(Object.keys(kept[0] ?? {}).sort()).toEqual(['agency_code', 'channel', 'created_at', 'deleted_at', 'id', 'service_id']);

    citizen = await personaBrowser(built, 'citizen');
    expect((await citizen.get(`/applications/${old}/check`)).statusCode).toBe(404);
    const list = await citizen.get('/applications');
    expect(list.body).not.toContain(`href="/applications/${old}"`);
    expect(list.body).toContain(`href="/applications/${newer}"`);
  });

  it('audits the deletion as the platform\'s, not as a use of the person\'s data, and runs again without effect', async () => {
    const records = await deletions(old);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ subject: null, actor_kind: 'system', details: { reason: 'retention', files: 2, retentionDays: 30 } });
    // "Who used my data" lists records about the person: the deletion is not one of them.
    const used = await built.kernel.audit.listBySubject(CITIZEN.accountId, { notBy: CITIZEN.accountId, limit: 500 });
    expect(used.filter((r) => r.resource?.id === old)).toEqual([]);

    // The same day's job again (a retry, a second instance): nothing more is deleted or audited.
    await built.kernel.jobs.enqueue(built.kernel.db, DRAFT_EXPIRY_QUEUE, {});
    await built.kernel.jobs.enqueue(built.kernel.db, DRAFT_EXPIRY_QUEUE, {});
    await built.kernel.jobs.drain();
    expect(await deletions(old)).toHaveLength(1);
    expect(await exists(newer)).toBe(true);
    expect(await exists(submitted)).toBe(true);
  });

  it('deletes the newer draft once 30 days have passed since its own last change, never the submitted one', async () => {
    clock.advance(17 * DAY); // day 48: the newer draft is reminded of its own day
    await built.kernel.jobs.drain();
    expect((await reminders()).map((m) => m.subject)).toEqual([
      expect.stringContaining('we delete it on 26 January 2027'), expect.stringContaining('we delete it on 6 January 2027'),
    ]);
    clock.advance(3 * DAY); // day 51: 31 days after the second save
    // The day's job and two more at once (a retry, a second instance): one deletion, audited once.
    await built.kernel.jobs.enqueue(built.kernel.db, DRAFT_EXPIRY_QUEUE, {});
    await built.kernel.jobs.enqueue(built.kernel.db, DRAFT_EXPIRY_QUEUE, {});
    await built.kernel.jobs.drain();
    expect(await exists(newer)).toBe(false);
    expect(await count('application_prefills', newer)).toBe(0);
    expect(await deletions(newer)).toHaveLength(1);
    clock.advance(400 * DAY);
    await built.kernel.jobs.drain();
    expect(await exists(submitted)).toBe(true);
    expect(await count('application_files', submitted)).toBe(2);
  });
});
