import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Ajv } from 'ajv';
import { sql } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { declaredScopes } from '../../kernel/auth/machine/index.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources } from '../index.js';
import { tokenFor } from '../mediator/test-kit.js';
import { isInternalHost } from '../../kernel/net/internal-address.js';
import { BATCH_MAX, callbackTarget } from './govstack.js';
import { startSmtpSink, type SmtpSink } from './test-kit.js';

/**
 * The GovStack Messaging API (docs/adr/0063-govstack-messaging.md) through the whole app: sends
 * reach a real SMTP server on loopback after the outbox's job runs, the callback reaches a real
 * HTTP receiver on loopback (once refused, then retried), and every answer is checked against
 * swagger.yaml's own schemas.
 */
const BASE = '/govstack/messaging';
const PSB = 'CN/GOV/110000-PSB/notify-system';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const spec = parse(readFileSync(new URL('./spec/swagger.yaml', import.meta.url), 'utf8')) as { definitions: Record<string, Json> };
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
ajv.addFormat('base64', /^[A-Za-z0-9+/]*={0,2}$/);
ajv.addFormat('bae64', /^[A-Za-z0-9+/]*={0,2}$/);
// The spec's objects list their properties without closing them: closed here, so a misspelt field
// (requestUID for requestUid) or a string count fails the check.
const closed = (name: string) => ({ ...(spec.definitions[name] as object), additionalProperties: false });
const violations = (name: string, body: unknown): string[] => {
  const validate = ajv.compile(closed(name));
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
};

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value), 'utf8').toString('base64');
const single = (overrides: Record<string, unknown> = {}) => ({
  senderInfo: { organisationName: '北京市公安局', email: 'someone-else@evil.example', name: 'Notify system' },
  recipientInfo: { email: 'zhang.wei@example.cn', name: '张伟' },
  emailContent: { encoding: 'UTF-8', title: '居住证已可领取', content: '您好：\n\n您的居住证已制作完成，请到大厅领取。' },
  ...overrides,
});

interface Received { headers: IncomingHttpHeaders; body: string }

describeEachDatabase('GovStack Messaging API', migrationSources, (use) => {
  let built: Built;
  let sink: SmtpSink;
  let receiver: Server;
  let receiverUrl = '';
  const received: Received[] = [];
  let failuresLeft = 0;
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset), advance: (ms: number) => { offset += ms; } };
  const tokens = { psb: '', psbOther: '', amr: '', noScope: '' };

  beforeAll(async () => {
    sink = await startSmtpSink();
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
      req.on('end', () => {
        received.push({ headers: req.headers, body });
        if (failuresLeft > 0) {
          failuresLeft -= 1;
          res.writeHead(503).end('busy');
        } else res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/callback/email`;
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:', TONGBAN_SMTP_URL: sink.url });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database, now: clock.now });
    await built.app.ready();
    tokens.psb = await tokenFor(built, 'psb-notify', PSB, ['messaging:send']);
    tokens.psbOther = await tokenFor(built, 'psb-other', 'CN/GOV/110000-PSB/other-system', ['messaging:send']);
    tokens.amr = await tokenFor(built, 'amr-notify', 'CN/GOV/110000-AMR/notify-system', ['messaging:send']);
    tokens.noScope = await tokenFor(built, 'psb-scheduler', PSB, ['scheduler:read']);
  });
  afterAll(async () => {
    await built?.app.close();
    await sink?.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });
  beforeEach(async () => {
    // Back to real time: the access tokens (issued at the start) last minutes, and tests move the clock for retries.
    offset = 0;
    await built.kernel.jobs.drain();
    sink.received.length = 0;
    received.length = 0;
  });

  const post = (path: string, body: unknown, options: { as?: keyof typeof tokens | null; headers?: Record<string, string> } = {}) => built.app.inject({
    method: 'POST', url: `${BASE}${path}`, payload: body as object,
    headers: { 'content-type': 'application/json', 'accept-language': 'en', ...(options.as === null ? {} : { authorization: `Bearer ${tokens[options.as ?? 'psb']}` }), ...options.headers },
  });
  const status = (requestUid: string, statuses: readonly string[], as: keyof typeof tokens = 'psb') => built.app.inject({
    method: 'GET', url: `${BASE}/status/email?${statuses.map((s) => `status=${s}`).join('&')}`,
    headers: { authorization: `Bearer ${tokens[as]}`, requestuid: requestUid, 'accept-language': 'en' },
  });
  const ALL = ['scheduled', 'processing', 'deferred', 'bounced', 'notSent', 'delivered'];
  const count = async (table: 'messaging_requests' | 'messaging_messages' | 'messaging_request_notes') =>
    Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(built.kernel.db)).rows[0]?.n);

  it('sends a single email (with its Cc and Bcc) after commit through SMTP, from the platform\'s address, and answers its status', async () => {
    const sent = await post('/send/email/single', single({ recipientInfo: { email: 'zhang.wei@example.cn', emailCC: 'li.na@example.cn', emailBCC: 'archive@psb.example.cn', name: '张伟' } }));
    expect(sent.statusCode, sent.body).toBe(200);
    expect(violations('responseRequestAccepted', sent.json())).toEqual([]);
    // The check can fail: swagger.json's casing does not conform to swagger.yaml's schema.
    expect(violations('responseRequestAccepted', { response: 'ok', requestUID: 'x' })).not.toEqual([]);
    const { requestUid, response } = sent.json<{ requestUid: string; response: string }>();
    expect(response).toBe('Request successfully accepted. Use "requestUid" to track its status.');
    expect(sink.received).toHaveLength(0);

    const before = await status(requestUid, ALL);
    expect(before.statusCode).toBe(200);
    expect(before.json()).toEqual({ scheduled: 3, processing: 0, deferred: 0, bounced: 0, notSent: 0, delivered: 0 });
    expect(violations('requestStatus', before.json())).toEqual([]);

    await built.kernel.jobs.drain();
    const mails = await sink.parsed();
    expect(mails).toHaveLength(3);
    const to = (m: (typeof mails)[number]) => (Array.isArray(m.to) ? m.to : m.to ? [m.to] : []).flatMap((a) => a.value.map((v) => v.address));
    // Each address gets its own copy (the mail port sends to one address), in whatever order the jobs ran.
    expect(mails.map((m) => to(m)).sort()).toEqual([['archive@psb.example.cn'], ['li.na@example.cn'], ['zhang.wei@example.cn']]);
    for (const mail of mails) {
      expect(mail.subject).toBe('居住证已可领取');
      expect(mail.text).toContain('您的居住证已制作完成，请到大厅领取。');
      // The sender is the platform, whatever senderInfo.email says.
      expect(mail.from?.value[0]?.address).toBe('no-reply@tongban.test');
    }
    const after = await status(requestUid, ['delivered', 'scheduled']);
    expect(after.json()).toEqual({ delivered: 3, scheduled: 0 });
    expect(violations('requestStatus', after.json())).toEqual([]);
    // Another system of the same agency sees it too.
    expect((await status(requestUid, ['delivered'], 'psbOther')).json()).toEqual({ delivered: 3 });
  });

  it('takes an Idempotency-Key: a retry gets the first answer and sends nothing twice', async () => {
    const headers = { 'idempotency-key': 'psb-notify-0001' };
    const first = await post('/send/email/single', single(), { headers });
    const again = await post('/send/email/single', single(), { headers });
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.json()).toEqual(first.json());
    await built.kernel.jobs.drain();
    expect(sink.received).toHaveLength(1);
    const other = await post('/send/email/single', single({ emailContent: { title: 'Another', content: 'x' } }), { headers });
    expect(other.json()).toMatchObject({ status: 422, code: 'TB_IDEMPOTENCY_KEY_REUSED' });
  });

  it('answers deferred while a temporary refusal is retried, then delivered', async () => {
    sink.refuseNext(1, 451);
    const { requestUid } = (await post('/send/email/single', single())).json<{ requestUid: string }>();
    await built.kernel.jobs.drain();
    expect((await status(requestUid, ALL)).json()).toMatchObject({ deferred: 1, delivered: 0 });
    clock.advance(120_000);
    await built.kernel.jobs.drain();
    expect((await status(requestUid, ALL)).json()).toMatchObject({ deferred: 0, delivered: 1 });
    expect(sink.received).toHaveLength(1);
  });

  it('sends a batch, counts a bounce, and calls the callback URI over HTTP with the result, retrying a refusal', async () => {
    const list = [
      { recipientInfo: { email: 'a@example.cn', name: 'A' } },
      { recipientInfo: { email: 'b@example.cn' } },
      { recipientInfo: { email: 'c@example.cn' } },
    ];
    const sent = await post('/send/email/batch', {
      callbackURI: { URI: receiverUrl }, senderInfo: { organisationName: 'PSB' },
      recipientInfo: { batchEmailAsBase64: b64(list) }, emailContent: { title: 'Notice', content: 'Office closed on Friday.' },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    expect(violations('responseRequestAccepted', sent.json())).toEqual([]);
    const { requestUid } = sent.json<{ requestUid: string }>();

    sink.refuseNext(1, 550);
    failuresLeft = 1;
    await built.kernel.jobs.drain();
    expect(sink.received).toHaveLength(2);
    expect((await status(requestUid, ALL)).json()).toEqual({ scheduled: 0, processing: 0, deferred: 0, bounced: 1, notSent: 0, delivered: 2 });
    // Every message is final: the callback was called once and refused (503).
    expect(received).toHaveLength(1);
    clock.advance(120_000);
    await built.kernel.jobs.drain();
    expect(received).toHaveLength(2);
    for (const call of received) {
      expect(call.headers).toMatchObject({ 'content-type': 'application/json', requestuid: requestUid });
      const body = JSON.parse(call.body) as { meta: string; content: string };
      expect(violations('callbackContent', body)).toEqual([]);
      expect(body.meta).toBe('deliveryStatus');
      const result = JSON.parse(Buffer.from(body.content, 'base64').toString('utf8')) as { requestUid: string; status: Record<string, number>; messages: { email: string; status: string }[] };
      expect(result).toMatchObject({ requestUid, status: { delivered: 2, bounced: 1 } });
      expect(result.messages.map((m) => m.email)).toEqual(['a@example.cn', 'b@example.cn', 'c@example.cn']);
      expect(result.messages.filter((m) => m.status === 'bounced')).toHaveLength(1);
    }
    const caller = { client: { clientId: 'psb-notify', organisation: PSB }, locale: 'en' as const };
    expect((await built.services.messaging.govstack.request(caller, requestUid)).row).toMatchObject({ callback_state: 'delivered', callback_attempts: 2, callback_status: 204 });
    // Done is done: more drains call nothing.
    clock.advance(600_000);
    await built.kernel.jobs.drain();
    expect(received).toHaveLength(2);
  });

  it('keeps what a system posts to callback/email about its own request, and refuses others\' requests', async () => {
    const { requestUid } = (await post('/send/email/single', single())).json<{ requestUid: string }>();
    const note = await post('/callback/email', { meta: 'reply', content: b64('收到，谢谢') }, { headers: { requestuid: requestUid } });
    expect(note.statusCode, note.body).toBe(200);
    expect(note.body).toBe('');
    const caller = { client: { clientId: 'psb-notify', organisation: PSB }, locale: 'en' as const };
    const { notes } = await built.services.messaging.govstack.request(caller, requestUid);
    expect(notes.map((n) => [n.meta, Buffer.from(n.content, 'base64').toString('utf8')])).toEqual([['reply', '收到，谢谢']]);
    const bad = await post('/callback/email', { meta: 'reply', content: 'not base64!' }, { headers: { requestuid: requestUid } });
    expect(bad.json()).toMatchObject({ status: 400, code: 'TB_MESSAGING_REQUEST_INVALID', errors: [{ pointer: '/content' }] });
    const foreign = await post('/callback/email', { content: b64('x') }, { as: 'amr', headers: { requestuid: requestUid } });
    expect(foreign.json()).toMatchObject({ status: 404, code: 'TB_MESSAGING_REQUEST_NOT_FOUND' });
    expect((await built.services.messaging.govstack.request(caller, requestUid)).notes).toHaveLength(1);
  });

  it('refuses a call without a token or without the scope, before reading the body', async () => {
    const none = await post('/send/email/single', single(), { as: null });
    expect(none.statusCode).toBe(401);
    expect(none.headers['www-authenticate']).toBe('Bearer scope="messaging:send"');
    expect(none.headers['content-type']).toContain('application/problem+json');
    const wrong = await post('/send/email/batch', 'not json at all', { as: 'noScope' });
    expect(wrong.json()).toMatchObject({ status: 403, code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    const statusWithout = await built.app.inject({ method: 'GET', url: `${BASE}/status/email?status=delivered`, headers: { requestuid: 'x' } });
    expect(statusWithout.statusCode).toBe(401);
  });

  it('refuses a bad body naming every field, and stores nothing', async () => {
    const before = await Promise.all([count('messaging_requests'), count('messaging_messages')]);
    const bad = await post('/send/email/single', {
      callback: { URI: 'file:///etc/passwd' }, recipientInfo: { emailCC: 'not an address' }, emailContent: { encoding: 'GB2312', title: '' },
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect(bad.json<{ errors: { pointer: string }[] }>().errors.map((e) => e.pointer).sort()).toEqual([
      '/callback/URI', '/emailContent/content', '/emailContent/encoding', '/emailContent/title', '/recipientInfo/email', '/recipientInfo/emailCC',
    ]);
    for (const uri of ['ftp://agency.example.cn/x', 'javascript:alert(1)', 'http://user:pw@agency.example.cn/', 'gopher://127.0.0.1:25/']) {
      const refused = await post('/send/email/single', single({ callback: { URI: uri } }));
      expect(refused.json(), uri).toMatchObject({ status: 400, code: 'TB_MESSAGING_REQUEST_INVALID', errors: [{ pointer: '/callback/URI' }] });
    }
    // swagger.json's casing is named, not silently dropped.
    const casing = await post('/send/email/batch', { callbackUri: { uri: receiverUrl }, recipientInfo: { batchEmailAsBase64: b64([{ recipientInfo: { email: 'a@example.cn' } }]) }, emailContent: { title: 't', content: 'c' } });
    expect(casing.json()).toMatchObject({ status: 400, errors: [{ pointer: '/callbackUri' }] });
    const typed = await post('/send/email/single', single({ recipientInfo: { email: { nested: true } } }));
    expect(typed.json()).toMatchObject({ status: 400, errors: [{ pointer: '/recipientInfo/email' }] });
    const notBase64 = await post('/send/email/batch', { recipientInfo: { batchEmailAsBase64: '%%%' }, emailContent: { title: 't', content: 'c' } });
    expect(notBase64.json()).toMatchObject({ status: 400, errors: [{ pointer: '/recipientInfo/batchEmailAsBase64' }] });
    const badEntry = await post('/send/email/batch', {
      recipientInfo: { batchEmailAsBase64: b64([{ recipientInfo: { email: 'a@example.cn' } }, { recipientInfo: { email: 'b at example' } }]) }, emailContent: { title: 't', content: 'c' },
    });
    expect(badEntry.json()).toMatchObject({ status: 400, errors: [{ pointer: '/recipientInfo/batchEmailAsBase64/1/recipientInfo/email' }] });
    expect([await count('messaging_requests'), await count('messaging_messages')]).toEqual(before);
  });

  it('refuses a batch over the cap with 413 problem+json, and takes one at the cap', async () => {
    const list = (n: number) => Array.from({ length: n }, (_, i) => ({ recipientInfo: { email: `p${i}@example.cn` } }));
    const over = await post('/send/email/batch', { recipientInfo: { batchEmailAsBase64: b64(list(BATCH_MAX + 1)) }, emailContent: { title: 't', content: 'c' } });
    expect(over.statusCode).toBe(413);
    expect(over.headers['content-type']).toContain('application/problem+json');
    expect(over.json()).toMatchObject({ code: 'TB_MESSAGING_BATCH_TOO_LARGE', errors: [{ pointer: '/recipientInfo/batchEmailAsBase64' }] });
    const zh = await built.app.inject({
      method: 'POST', url: `${BASE}/send/email/batch`, payload: { recipientInfo: { batchEmailAsBase64: b64(list(BATCH_MAX + 1)) }, emailContent: { title: 't', content: 'c' } },
      headers: { authorization: `Bearer ${tokens.psb}`, 'accept-language': 'zh-CN' },
    });
    expect(zh.json<{ errors: { detail: string }[] }>().errors[0]).toBeDefined();
    const at = await post('/send/email/batch', { recipientInfo: { batchEmailAsBase64: b64(list(BATCH_MAX)) }, emailContent: { title: 't', content: 'c' } });
    expect(at.statusCode).toBe(200);
    expect((await status(at.json<{ requestUid: string }>().requestUid, ['scheduled'])).json()).toEqual({ scheduled: BATCH_MAX });
  });

  it('shows a request\'s status only to its own agency: another agency\'s id is 404 as an unknown one', async () => {
    const { requestUid } = (await post('/send/email/single', single())).json<{ requestUid: string }>();
    const foreign = await status(requestUid, ['delivered'], 'amr');
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json()).toMatchObject({ code: 'TB_MESSAGING_REQUEST_NOT_FOUND' });
    const unknown = await status('0190a1b2-0000-7000-8000-00000000ffff', ['delivered'], 'amr');
    const same = (answer: typeof foreign) => { const { status: s, code, title, detail, errors } = answer.json<Record<string, unknown>>(); return { s, code, title, detail, errors }; };
    expect(same(unknown)).toEqual(same(foreign));
    expect((await status('not-a-uuid', ['delivered'])).statusCode).toBe(404);
    const noStatus = await built.app.inject({ method: 'GET', url: `${BASE}/status/email`, headers: { authorization: `Bearer ${tokens.psb}`, requestuid: requestUid } });
    expect(noStatus.json()).toMatchObject({ status: 400, errors: [{ pointer: '/querystring/status' }] });
    expect((await status(requestUid, ['sent'])).json()).toMatchObject({ status: 400 });
  });
});

describe('GovStack Messaging: the callback URI and the scope', () => {
  it('refuses non-http(s) everywhere, and in production plain http and internal addresses written as literals', () => {
    for (const uri of ['file:///etc/passwd', 'ftp://a.example.cn/', 'javascript:alert(1)', 'http://u:p@a.example.cn/', 'https://a.example.cn/#x', 'not a url']) {
      expect(callbackTarget(uri, false), uri).toBeUndefined();
    }
    expect(callbackTarget('http://127.0.0.1:8080/cb', false)?.href).toBe('http://127.0.0.1:8080/cb');
    for (const uri of ['http://agency.example.cn/cb', 'https://127.0.0.1/cb', 'https://localhost/cb', 'https://10.1.2.3/', 'https://169.254.169.254/latest', 'https://[::1]/', 'https://[fd00::1]/', 'https://192.168.0.1/', 'https://[::ffff:127.0.0.1]/']) {
      expect(callbackTarget(uri, true), uri).toBeUndefined();
    }
    expect(callbackTarget('https://agency.example.cn/callback/email', true)?.hostname).toBe('agency.example.cn');
    expect(isInternalHost('8.8.8.8')).toBe(false);
    expect(isInternalHost('172.20.0.1')).toBe(true);
  });

  it('declares messaging:send in both languages, so the API clients page offers it', () => {
    expect(declaredScopes().find((s) => s.scope === 'messaging:send')?.text).toEqual({
      en: 'GovStack Messaging: send emails from the platform\'s address and read their delivery status',
      'zh-CN': 'GovStack 消息接口：以平台地址发送电子邮件并查询发送状态',
    });
  });
});
