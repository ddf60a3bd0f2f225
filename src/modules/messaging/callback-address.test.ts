import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { generateSigningKey } from '../../kernel/audit/signing.js';
import { loadConfig, type Config } from '../../kernel/config/index.js';
import type { Resolve } from '../../kernel/net/pinned.js';
import { fakeResolver, v4 } from '../../kernel/net/test-kit.js';
import { migrationSources } from '../index.js';
import { tokenFor } from '../mediator/test-kit.js';
import { CALLBACK_QUEUE } from './service-govstack.js';

/**
 * The callback URI's host name is resolved when the callback is made (docs/security.md, "Outbound
 * calls"): in production a name that resolves to an internal address is not called, recorded as a
 * final failure and not retried; the connection goes to the address that was checked (rebinding).
 * The resolver is injected: no real DNS.
 */
const PSB = 'CN/GOV/110000-PSB/notify-system';
const caller = { client: { clientId: 'psb-notify', organisation: PSB }, locale: 'en' as const };

const email = (uri: string) => ({
  recipientInfo: { email: 'zhang.wei@example.cn' }, emailContent: { title: 'Notice', content: 'Office closed on Friday.' }, callback: { URI: uri },
});

function setUp(use: () => { config: Pick<Config, 'database'>; database: Built['kernel']['database'] }, env: 'production' | 'test', resolve: Resolve) {
  const state = { built: undefined as unknown as Built, token: '', offset: 0 };
  beforeAll(async () => {
    // Without TONGBAN_SMTP_URL messages are kept (final at once), so the callback follows the first drain.
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    // Production as far as the callback's rules go; the secrets production requires are made up here.
    const secrets = env === 'production' ? { ...base.secrets, sessionSecret: 's'.repeat(32), auditSigningKey: generateSigningKey(), paymentsWebhookSecret: 'p'.repeat(32) } : base.secrets;
    const config: Config = { ...base, env, secrets, database: use().config.database };
    state.built = await buildApp({ config, database: use().database, now: () => new Date(Date.now() + state.offset), resolve });
    await state.built.app.ready();
    state.token = await tokenFor(state.built, 'psb-notify', PSB, ['messaging:send']);
  });
  afterAll(async () => { await state.built?.app.close(); });
  beforeEach(() => { state.offset = 0; });
  const send = async (uri: string) => {
    const sent = await state.built.app.inject({
      method: 'POST', url: '/govstack/messaging/send/email/single', payload: email(uri),
      headers: { 'content-type': 'application/json', authorization: `Bearer ${state.token}` },
    });
    expect(sent.statusCode, sent.body).toBe(200);
    return sent.json<{ requestUid: string }>().requestUid;
  };
  return { state, send };
}

describeEachDatabase('GovStack Messaging: a callback host that resolves to an internal address, in production', migrationSources, (use) => {
  const resolve = fakeResolver({ 'callback.example': [[v4('127.0.0.1')]], 'metadata.example': [[v4('93.184.216.34'), v4('169.254.169.254')]] });
  const { state, send } = setUp(use, 'production', resolve);

  it('is not called: the request records the refusal with its code, once, and the job does not retry', async () => {
    for (const host of ['callback.example', 'metadata.example']) {
      state.offset = 0; // the access token lasts minutes
      const requestUid = await send(`https://${host}/callback/email`);
      await state.built.kernel.jobs.drain();
      state.offset += 3_600_000;
      await state.built.kernel.jobs.drain();
      const { row } = await state.built.services.messaging.govstack.request(caller, requestUid);
      expect(row, host).toMatchObject({ callback_state: 'failed', callback_attempts: 1, callback_status: null });
      expect(row.callback_error, host).toMatch(/^TB_MESSAGING_CALLBACK_ADDRESS_INTERNAL: /);
      expect(resolve.calls.filter((c) => c === host), host).toHaveLength(1);
    }
    expect(await state.built.kernel.jobs.failed({ queue: CALLBACK_QUEUE })).toEqual([]);
  });
});

describeEachDatabase('GovStack Messaging: the callback goes to the address that was checked', migrationSources, (use) => {
  let receiver: Server;
  let port = 0;
  const hosts: (string | undefined)[] = [];
  // The first answer is the one checked; a later lookup would give another address (rebinding).
  const resolve = fakeResolver({ 'callback.example': [[v4('127.0.0.1')], [v4('10.9.9.9')]] });
  const { state, send } = setUp(use, 'test', resolve);
  beforeAll(async () => {
    receiver = createServer((req, res) => { hosts.push(req.headers.host); req.resume(); req.on('end', () => res.writeHead(204).end()); });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    port = (receiver.address() as AddressInfo).port;
  });
  afterAll(async () => { await new Promise((resolve) => receiver.close(resolve)); });

  it('resolves the name once and connects to that address, with the name as Host', async () => {
    const requestUid = await send(`http://callback.example:${port}/callback/email`);
    await state.built.kernel.jobs.drain();
    expect(hosts).toEqual([`callback.example:${port}`]);
    expect(resolve.calls).toEqual(['callback.example']);
    expect((await state.built.services.messaging.govstack.request(caller, requestUid)).row).toMatchObject({ callback_state: 'delivered', callback_attempts: 1, callback_status: 204 });
  });
});
