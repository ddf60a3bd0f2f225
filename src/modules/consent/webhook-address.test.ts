import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { generateSigningKey } from '../../kernel/audit/signing.js';
import { loadConfig, type Config } from '../../kernel/config/index.js';
import { fakeResolver, v4 } from '../../kernel/net/test-kit.js';
import { migrationSources, modules } from '../index.js';
import { tokenFor } from '../mediator/test-kit.js';
import { DEMO_AGREEMENTS } from './demo.js';
import { WEBHOOK_QUEUE } from './webhooks.js';

/**
 * A webhook's payload URL is an address an API client chose (docs/security.md, "Outbound calls").
 * In production it is refused when saved if it is internal as written, and an event is not sent
 * when its host name resolves to an internal address: the delivery records why, once, and is not
 * retried. The resolver is injected: no real DNS.
 */
const BASE = '/govstack/consent';
const CITIZEN = '110101199003072359';
const SECRET = 'a-webhook-secret-of-the-psb-0001';

describeEachDatabase('GovStack Consent webhooks: internal addresses in production', migrationSources, (use) => {
  let built: Built;
  let token = '';
  let offset = 0;
  const resolve = fakeResolver({ 'hooks.example': [[v4('10.0.0.7')]] });

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    // Production as far as the webhook's rules go; the secrets production requires are made up here.
    const config: Config = {
      ...base, env: 'production', database: use().config.database,
      secrets: { ...base.secrets, sessionSecret: 's'.repeat(32), auditSigningKey: generateSigningKey(), paymentsWebhookSecret: 'p'.repeat(32) },
    };
    built = await buildApp({ config, database: use().database, now: () => new Date(Date.now() + offset), resolve });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
    token = await tokenFor(built, 'test-psb-consent', 'CN/GOV/110000-PSB/consent-system', ['consent:config', 'consent:service']);
  });
  afterAll(async () => { await built?.app.close(); });

  const send = (method: 'POST', url: string, body?: object) => built.app.inject({
    method, url: `${BASE}${url}`, headers: { accept: 'application/json', 'accept-language': 'en', authorization: `Bearer ${token}` }, ...(body ? { payload: body } : {}),
  });
  const webhook = (payloadUrl: string) => ({ webhook: { payloadUrl, contentType: 'application/json', disabled: false, secretKey: SECRET } });

  it('refuses a payload URL of this host or a private network as written', async () => {
    for (const url of ['https://127.0.0.1/events', 'https://localhost/events', 'https://169.254.169.254/latest', 'https://[fd00::1]/events', 'http://hooks.example/events']) {
      expect((await send('POST', '/config/webhook/', webhook(url))).json(), url)
        .toMatchObject({ status: 422, code: 'TB_CONSENT_WEBHOOK_INVALID', errors: [expect.objectContaining({ pointer: '/webhook/payloadUrl' })] });
    }
  });

  it('does not send an event to a name that resolves to an internal address: failed once with the code, no retry', async () => {
    const created = await send('POST', '/config/webhook/', webhook('https://hooks.example/events'));
    expect(created.statusCode, created.body).toBe(200);
    const hook = created.json<{ webhook: { id: string } }>().webhook;
    await send('POST', `/service/individual/record/data-agreement/${DEMO_AGREEMENTS.prefill}/?individualId=${CITIZEN}`);
    await built.kernel.jobs.drain();
    offset += 3_600_000;
    await built.kernel.jobs.drain();
    const deliveries = await built.services.consent.webhookDeliveries(hook.id, '110000-PSB');
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ event: 'consent.given', state: 'failed', attempts: 1, lastStatus: null });
    expect(deliveries[0]?.lastError).toMatch(/^TB_CONSENT_WEBHOOK_ADDRESS_INTERNAL: /);
    expect(resolve.calls).toEqual(['hooks.example']);
    expect(await built.kernel.jobs.failed({ queue: WEBHOOK_QUEUE })).toEqual([]);
  });
});
