import { Writable } from 'node:stream';
import { sql } from 'kysely';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase, type TestDatabase } from '../../../test/helpers/databases.js';
import { auditMigrations, createAuditTrail } from '../../kernel/audit/index.js';
import { loadConfig } from '../../kernel/config/index.js';
import type { Kernel } from '../../kernel/context.js';
import { jobsMigrations } from '../../kernel/jobs/index.js';
import { manualClock, testQueue } from '../../kernel/jobs/test-kit.js';
import { secretsMigrations } from '../../kernel/secrets/index.js';
import { createIdentityService, identityModule } from '../identity/index.js';
import { createMessagingService, DELIVER_QUEUE, messagingModule, type AccountLookup, type MessagingService } from './index.js';
import { startSmtpSink, type SmtpSink } from './test-kit.js';

const sources = [
  secretsMigrations, auditMigrations, jobsMigrations,
  { name: 'identity', folder: identityModule.migrations ?? '' },
  { name: 'messaging', folder: messagingModule.migrations ?? '' },
];

const PUBLIC_URL = 'http://tongban.test';
const ZHANG = '0190a1b2-0000-7000-8000-00000000a001';
const LI = '0190a1b2-0000-7000-8000-00000000a002';
const NO_EMAIL = '0190a1b2-0000-7000-8000-00000000a003';

interface Setup {
  kernel: Kernel;
  messaging: MessagingService;
  clock: ReturnType<typeof manualClock>;
  logs: string[];
}

/** A kernel of our own (a queue on a clock the test moves, a log the test reads) and the service on it. */
async function setUp(test: TestDatabase, smtpUrl: string | undefined, maxAttempts = 3): Promise<Setup> {
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:', ...(smtpUrl ? { TONGBAN_SMTP_URL: smtpUrl } : {}) });
  const config = { ...base, database: test.config.database };
  const logs: string[] = [];
  const log = pino({ level: 'debug' }, new Writable({ write(chunk: Buffer, _enc, done) { logs.push(chunk.toString()); done(); } }));
  const clock = manualClock('2030-03-04T01:00:00.000Z');
  const db = test.database.db;
  const jobs = testQueue(db, clock, { log, maxAttempts, backoff: { baseMs: 5_000, maxMs: 60_000 } });
  const audit = await createAuditTrail({ db, config, log, now: clock.now });
  const kernel: Kernel = { config, database: test.database, db, log, audit, jobs, now: clock.now };
  const identity = createIdentityService(kernel);
  await identity.saveAccount({ id: ZHANG, kind: 'person', name: '张伟' });
  await identity.saveAccount({ id: LI, kind: 'person', name: '李娜' });
  await identity.saveAccount({ id: NO_EMAIL, kind: 'person', name: '王芳' });
  // Identity keeps no email addresses yet: this lookup reads the real accounts and adds the
  // addresses the people gave, as identity's own `account()` will once it stores them.
  const emails = new Map([[ZHANG, 'zhang.wei@example.cn'], [LI, 'li.na@example.cn']]);
  const lookup: AccountLookup = {
    async account(id) {
      const account = await identity.account(id);
      return account && { ...account, email: emails.get(id) };
    },
  };
  return { kernel, messaging: createMessagingService(kernel, { identity: lookup }), clock, logs };
}

const submitted = { reference: 'TB-2026-7K3M9Q', service: '个体工商户设立登记' };

async function rowsOf(setup: Setup, id: string) {
  const db = setup.kernel.db;
  const messages = await sql<{ status: string; attempts: number }>`select status, attempts from messaging_messages where id = ${id}`.execute(db);
  const jobs = await sql<{ id: string; state: string }>`select id, state from kernel_job where queue = ${DELIVER_QUEUE} and key = ${id}`.execute(db);
  return { messages: messages.rows, jobs: jobs.rows };
}

describeEachDatabase('messaging: notify, deliver, list', sources, (use) => {
  let sink: SmtpSink;
  let s: Setup;
  beforeAll(async () => {
    sink = await startSmtpSink();
    s = await setUp(use(), sink.url);
  });
  afterAll(async () => { await sink.close(); });
  beforeEach(async () => {
    // Each test starts with nothing waiting, so a drain runs only its own jobs.
    await s.kernel.jobs.drain();
    sink.received.length = 0;
    s.clock.advance(60_000);
  });

  it('queues one message and one job when the caller commits, and none when it rolls back', async () => {
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, { accountId: ZHANG, template: 'applicationSubmitted', params: submitted, locale: 'zh-CN' }));
    const committed = await rowsOf(s, id);
    expect(committed.messages).toEqual([{ status: 'queued', attempts: 0 }]);
    expect(committed.jobs).toHaveLength(1);

    let rolledBack = '';
    await expect(s.kernel.db.transaction().execute(async (tx) => {
      rolledBack = (await s.messaging.notify(tx, { accountId: ZHANG, template: 'applicationSubmitted', params: submitted, locale: 'zh-CN' })).id;
      throw new Error('the status change failed');
    })).rejects.toThrow('the status change failed');
    expect(rolledBack).not.toBe('');
    expect(await rowsOf(s, rolledBack)).toEqual({ messages: [], jobs: [] });
  });

  it('delivers through SMTP after commit, to the account\'s address, with Chinese text intact, exactly once', async () => {
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, { accountId: ZHANG, template: 'applicationSubmitted', params: submitted, locale: 'zh-CN' }));
    expect(sink.received).toHaveLength(0);
    await s.kernel.jobs.drain();
    const [mail] = await sink.parsed();
    expect(sink.received).toHaveLength(1);
    expect(mail?.subject).toBe('申请已提交：个体工商户设立登记（TB-2026-7K3M9Q）');
    expect(mail?.text).toContain('我们已收到您办理“个体工商户设立登记”的申请');
    expect(mail?.text).toContain(`登录通办可随时查看办理进度：${PUBLIC_URL}`);
    expect(mail?.messageId).toBe(`<${id}@tongban.test>`);
    expect(JSON.stringify(mail?.to)).toContain('zhang.wei@example.cn');
    const message = await s.messaging.get(id);
    expect(message).toMatchObject({ status: 'sent', attempts: 1, recipientAddress: 'zhang.wei@example.cn', lastError: undefined, sentAt: s.clock.now() });

    // A second drain, and a duplicate job for the same message, send nothing more.
    expect(await s.kernel.jobs.drain()).toBe(0);
    await s.kernel.jobs.enqueue(s.kernel.db, DELIVER_QUEUE, { messageId: id }, { key: `${id}:again` });
    expect(await s.kernel.jobs.drain()).toBe(1);
    expect(sink.received).toHaveLength(1);
    expect(await s.messaging.get(id)).toMatchObject({ status: 'sent', attempts: 1 });
  });

  it('sends to the address given instead of the account\'s, in English when asked', async () => {
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, {
      accountId: LI, email: 'li.na+work@example.cn', template: 'applicationRejected', locale: 'en',
      params: { reference: 'TB-2026-ABCDEF', service: 'Residence permit', reason: 'The photo does not show your face clearly.' },
    }));
    await s.kernel.jobs.drain();
    const [mail] = await sink.parsed();
    expect(mail?.subject).toBe('Application not approved: Residence permit (TB-2026-ABCDEF)');
    expect(mail?.text).toContain('The reason: The photo does not show your face clearly.');
    expect(JSON.stringify(mail?.to)).toContain('li.na+work@example.cn');
    expect(await s.messaging.get(id)).toMatchObject({ status: 'sent', recipientAddress: 'li.na+work@example.cn' });
  });

  it('keeps a message for someone without an email address: it shows on their Messages page only', async () => {
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, { accountId: NO_EMAIL, template: 'infoRequested', params: submitted, locale: 'zh-CN' }));
    await s.kernel.jobs.drain();
    expect(sink.received).toHaveLength(0);
    expect(await s.messaging.get(id)).toMatchObject({ status: 'kept', attempts: 1, recipientAddress: undefined, sentAt: undefined });
    const page = await s.messaging.listForAccount(NO_EMAIL);
    expect(page.items.map((m) => m.id)).toEqual([id]);
  });

  it('retries a temporary SMTP failure, records the error without the address, then sends', async () => {
    sink.refuseNext(1, 451);
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, { accountId: ZHANG, template: 'applicationApproved', params: submitted, locale: 'zh-CN' }));
    await s.kernel.jobs.drain();
    const failed = await s.messaging.get(id);
    expect(failed).toMatchObject({ status: 'queued', attempts: 1 });
    expect(failed?.lastError).toMatch(/^TB_MESSAGING_DELIVERY_FAILED: .*451/);
    expect(failed?.lastError).not.toContain('example.cn');
    const [job] = (await rowsOf(s, id)).jobs;
    expect((await s.kernel.jobs.get(job?.id ?? ''))).toMatchObject({ state: 'pending', attempts: 1 });

    // Not before the back-off is over.
    expect(await s.kernel.jobs.drain()).toBe(0);
    s.clock.advance(5_000);
    await s.kernel.jobs.drain();
    expect(sink.received).toHaveLength(1);
    expect(await s.messaging.get(id)).toMatchObject({ status: 'sent', attempts: 2, lastError: undefined });
  });

  it('marks a message failed, and its job failed, when the last attempt fails', async () => {
    sink.refuseNext(3, 451);
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, { accountId: ZHANG, template: 'applicationWithdrawn', params: submitted, locale: 'en' }));
    for (let i = 0; i < 3; i += 1) {
      await s.kernel.jobs.drain();
      s.clock.advance(60_000);
    }
    expect(sink.received).toHaveLength(0);
    const message = await s.messaging.get(id);
    expect(message).toMatchObject({ status: 'failed', attempts: 3 });
    expect(message?.lastError).toContain('451');
    const [job] = (await rowsOf(s, id)).jobs;
    expect(job?.state).toBe('failed');
    // An operator puts the job back; the message goes out.
    expect(await s.kernel.jobs.retry(job?.id ?? '')).toBe(true);
    await s.kernel.jobs.drain();
    expect(await s.messaging.get(id)).toMatchObject({ status: 'sent', attempts: 4 });
  });

  it('does not retry a message the server refuses for good', async () => {
    sink.refuseNext(1, 550);
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, { email: 'nobody@example.cn', template: 'applicationApproved', params: submitted, locale: 'zh-CN' }));
    await s.kernel.jobs.drain();
    s.clock.advance(3_600_000);
    expect(await s.kernel.jobs.drain()).toBe(0);
    const message = await s.messaging.get(id);
    expect(message).toMatchObject({ status: 'failed', attempts: 1 });
    expect(message?.lastError).toMatch(/^TB_MESSAGING_DELIVERY_REFUSED: .*550/);
    expect((await rowsOf(s, id)).jobs[0]?.state).toBe('done');
  });

  it('refuses a notification it cannot send, in the caller\'s transaction, writing nothing', async () => {
    const count = async () => Number((await sql<{ n: number }>`select count(*) as n from messaging_messages`.execute(s.kernel.db)).rows[0]?.n);
    const before = await count();
    const attempt = (input: Record<string, unknown>) => s.kernel.db.transaction().execute((tx) =>
      s.messaging.notify(tx, { accountId: ZHANG, template: 'applicationSubmitted', params: submitted, locale: 'zh-CN', ...input }));
    await expect(attempt({ template: 'applicationLost' })).rejects.toMatchObject({ code: 'TB_MESSAGING_INVALID_NOTIFICATION' });
    await expect(attempt({ template: 'applicationRejected' })).rejects.toMatchObject({ code: 'TB_MESSAGING_INVALID_NOTIFICATION', message: expect.stringContaining('reason') as unknown });
    await expect(attempt({ params: { ...submitted, extra: 'x' } })).rejects.toMatchObject({ code: 'TB_MESSAGING_INVALID_NOTIFICATION' });
    await expect(attempt({ params: { ...submitted, service: '  ' } })).rejects.toMatchObject({ code: 'TB_MESSAGING_INVALID_NOTIFICATION' });
    await expect(attempt({ locale: 'fr' })).rejects.toMatchObject({ code: 'TB_MESSAGING_INVALID_NOTIFICATION' });
    await expect(attempt({ accountId: undefined })).rejects.toMatchObject({ code: 'TB_MESSAGING_INVALID_NOTIFICATION' });
    await expect(attempt({ accountId: 'zhang' })).rejects.toMatchObject({ code: 'TB_MESSAGING_INVALID_NOTIFICATION' });
    await expect(attempt({ email: 'zhang@example.cn\r\nBcc: spy@example.org' })).rejects.toMatchObject({ code: 'TB_MESSAGING_ADDRESS_INVALID' });
    expect(await count()).toBe(before);
  });

  it('lists a person\'s messages newest first, and only theirs', async () => {
    const ids: string[] = [];
    for (const template of ['applicationSubmitted', 'infoRequested', 'applicationApproved'] as const) {
      s.clock.advance(1_000);
      ids.push((await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, { accountId: LI, template, params: submitted, locale: 'en' }))).id);
    }
    const page = await s.messaging.listForAccount(LI);
    expect(page.items.slice(0, 3).map((m) => m.id)).toEqual([...ids].reverse());
    expect(page.items.every((m) => m.recipientAccountId === LI)).toBe(true);
    expect(page.items[0]?.subject).toBe('Application approved: 个体工商户设立登记 (TB-2026-7K3M9Q)');
    expect((await s.messaging.listForAccount(ZHANG)).items.some((m) => ids.includes(m.id))).toBe(false);
    expect((await s.messaging.listForAccount('not-a-uuid')).total).toBe(0);
  });

  it('logs message ids, never addresses, names or message text', () => {
    const text = s.logs.join('');
    expect(text).toContain('message delivered');
    expect(text).toContain('message not delivered');
    for (const personal of ['example.cn', '张伟', 'TB-2026-7K3M9Q', '个体工商户', 'photo does not show']) expect(text).not.toContain(personal);
  });
});

describeEachDatabase('messaging without a mail server (outbox only)', sources, (use) => {
  it('keeps every message, composed but not sent, and records it as kept', async () => {
    const s = await setUp(use(), undefined);
    expect(s.messaging.delivery).toBe('kept');
    const { id } = await s.kernel.db.transaction().execute((tx) => s.messaging.notify(tx, {
      accountId: ZHANG, template: 'deadlineEscalation', locale: 'en',
      params: { reference: 'TB-2026-7K3M9Q', service: 'Business licence', dueDay: '2030-03-08' },
    }));
    await s.kernel.jobs.drain();
    const message = await s.messaging.get(id);
    expect(message).toMatchObject({ status: 'kept', attempts: 1, recipientAddress: 'zhang.wei@example.cn', sentAt: undefined });
    // The deadline's last day is written out, without a time.
    expect(message?.body).toContain('was due to be decided by 8 March 2030 and');
    const mailId = await sql<{ mail_message_id: string }>`select mail_message_id from messaging_messages where id = ${id}`.execute(s.kernel.db);
    expect(mailId.rows[0]?.mail_message_id).toBe(`<${id}@tongban.test>`);
    expect(await s.kernel.jobs.drain()).toBe(0);
  });
});
