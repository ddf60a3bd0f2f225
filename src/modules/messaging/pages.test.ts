import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { createTestBrowser, signIn } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { demoPersona } from '../identity/index.js';
import { identityModule } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';

const PUBLIC_URL = 'http://tongban.test';
const params = { reference: 'TB-2026-7K3M9Q', service: '个体工商户设立登记' };

describeEachDatabase('messaging pages', migrationSources, (use) => {
  let built: Built;
  const citizen = demoPersona('citizen');
  const business = demoPersona('business');
  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: use().database });
    await built.app.ready();
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    const { messaging } = built.services;
    await built.kernel.db.transaction().execute(async (tx) => {
      await messaging.notify(tx, { accountId: citizen.accountId, template: 'applicationSubmitted', params, locale: 'zh-CN' });
      await messaging.notify(tx, { accountId: citizen.accountId, template: 'applicationRejected', params: { ...params, reason: '照片不清晰 <b>请重拍</b>' }, locale: 'zh-CN' });
      await messaging.notify(tx, { accountId: business.accountId, template: 'applicationApproved', params: { reference: 'TB-2026-BUSINE', service: 'Business licence' }, locale: 'en' });
      await messaging.notify(tx, { email: 'visitor@example.cn', template: 'applicationWithdrawn', params, locale: 'en' });
    });
    await built.kernel.jobs.drain();
  });
  afterAll(async () => { await built.app.close(); });
  const browser = () => createTestBrowser(built.app, PUBLIC_URL);

  it('sends someone who is not signed in to sign in', async () => {
    for (const path of ['/messages', '/admin/outbox']) {
      const response = await browser().get(path);
      expect(response.statusCode).toBe(303);
      expect(response.headers.location).toBe(`/auth/signin?returnTo=${encodeURIComponent(path)}`);
    }
  });

  it('shows a person their own messages, newest first, escaped, in Chinese and in English', async () => {
    const b = browser();
    await signIn(b, 'citizen');
    const page = await b.get('/messages');
    expect(page.statusCode).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.body).toContain('<h1 class="tb-heading-l">我的消息</h1>');
    const rejected = page.body.indexOf('申请未通过：个体工商户设立登记（TB-2026-7K3M9Q）');
    const submitted = page.body.indexOf('申请已提交：个体工商户设立登记（TB-2026-7K3M9Q）');
    expect(rejected).toBeGreaterThan(0);
    expect(submitted).toBeGreaterThan(rejected);
    expect(page.body).toContain('原因：照片不清晰 &lt;b>请重拍&lt;/b>');
    expect(page.body).not.toContain('<b>请重拍</b>');
    expect(page.body).not.toContain('TB-2026-BUSINE');
    expect(page.body).not.toContain('visitor@example.cn');

    const english = await b.get('/messages?lang=en');
    expect(english.body).toContain('<h1 class="tb-heading-l">Your messages</h1>');
    expect(english.body).toContain('Messages about your applications, newest first.');
    // A message stays in the language it was sent in.
    expect(english.body).toContain('申请已提交');
  });

  it('tells a person with no messages so', async () => {
    const b = browser();
    await signIn(b, 'clerk');
    expect((await b.get('/messages')).body).toContain('您还没有消息。');
    expect((await b.get('/messages?lang=en')).body).toContain('You have no messages yet.');
  });

  it.each(['citizen', 'officer', 'agency-admin', 'clerk'])('refuses the outbox to %s', async (persona) => {
    const b = browser();
    await signIn(b, persona);
    const response = await b.get('/admin/outbox');
    expect(response.statusCode).toBe(403);
    expect(response.body).not.toContain('visitor@example.cn');
  });

  it('shows a platform administrator every message and its delivery status, and audits the look', async () => {
    const b = browser();
    const admin = demoPersona('platform-admin');
    await signIn(b, 'platform-admin');
    const page = await b.get('/admin/outbox');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1 class="tb-heading-l">发件箱（演示）</h1>');
    expect(page.body).toContain('未配置邮件服务器（TONGBAN_SMTP_URL），消息仅保存在此处，不会发出。');
    expect(page.body).toContain('visitor@example.cn');
    expect(page.body).toContain(citizen.email); // looked up from the account when the message was processed
    expect(page.body).toContain('Application approved: Business licence (TB-2026-BUSINE)');
    expect(page.body.match(/已保存，未发送/g)).toHaveLength(4);

    const english = await b.get('/admin/outbox?lang=en');
    expect(english.body).toContain('Outbox (demo)');
    expect(english.body).toContain('Kept, not sent');
    expect(english.body).toContain('Application rejected');

    const audited = await sql<{ subject: string; actor_id: string }>`select subject, actor_id from tb_audit_record where action = 'messaging.outbox.view'`.execute(built.kernel.db);
    const subjects = audited.rows.map((r) => r.subject);
    expect(subjects.filter((s) => s === citizen.accountId)).toHaveLength(2);
    expect(subjects.filter((s) => s === business.accountId)).toHaveLength(2);
    expect(audited.rows.every((r) => r.actor_id === admin.accountId)).toBe(true);
  });

  it('passes axe (WCAG 2.2 AA) in real Chromium, in both languages', async () => {
    const pages: [string, string][] = [];
    for (const [persona, path] of [['citizen', '/messages'], ['clerk', '/messages'], ['platform-admin', '/admin/outbox']] as const) {
      const b = browser();
      await signIn(b, persona);
      for (const lang of ['zh-CN', 'en']) pages.push([`${path}?lang=${lang} as ${persona}`, (await b.get(`${path}?lang=${lang}`)).body]);
    }
    await expectPagesAccessible(built.app, PUBLIC_URL, pages);
  });

  it('answers a page number that cannot be with a 400', async () => {
    const b = browser();
    await signIn(b, 'citizen');
    expect((await b.get('/messages?page=0')).statusCode).toBe(400);
    expect((await b.get('/messages?page=2')).statusCode).toBe(200);
  });
});
