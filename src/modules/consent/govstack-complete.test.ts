import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { tokenFor } from '../mediator/test-kit.js';
import { DEMO_AGREEMENTS } from './demo.js';
import { specAnswersWithoutBody, specViolations } from './test-kit.js';
import { WEBHOOK_ATTEMPTS, WEBHOOK_QUEUE } from './webhooks.js';

/**
 * The operations ADR 29 added to the GovStack Consent API: policies, individuals, webhooks (with
 * delivery over real HTTP on loopback and a retry), signatures, drafts and delete-all. Every
 * answer is checked against the spec's own response schema.
 */
const BASE = '/govstack/consent';
const CITIZEN = '110101199003072359';
const CITIZEN_ACCOUNT = '0190a1b2-0000-7000-8000-000000000001';
const STRANGER = '110101198001010018';
const PREFILL = DEMO_AGREEMENTS.prefill;
const INDIVIDUAL = 'x-consentbb-individualid';
const SECRET = 'a-webhook-secret-of-the-psb-0001';

type Answer = { statusCode: number; json: <T = Record<string, unknown>>() => T; body: string; headers: Record<string, unknown> };
type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Received { headers: IncomingHttpHeaders; body: string }

describeEachDatabase('GovStack Consent API: policies, individuals, webhooks, signatures, drafts, delete-all', migrationSources, (use) => {
  let built: Built;
  // Real time, moved forward by the test to make a retry due.
  let offset = 0;
  const clock = { now: () => new Date(Date.now() + offset), advance: (ms: number) => { offset += ms; } };
  const tokens: Record<'psb' | 'amr' | 'noScope' | 'configOnly', string> = { psb: '', amr: '', noScope: '', configOnly: '' };
  let receiver: Server;
  let receiverUrl = '';
  const received: Received[] = [];
  let failuresLeft = 0;
  let keys: { publicJwk: string; privateKey: KeyObject };

  beforeAll(async () => {
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
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/consent-events`;
    const pair = generateKeyPairSync('ed25519');
    keys = { publicJwk: JSON.stringify(pair.publicKey.export({ format: 'jwk' })), privateKey: pair.privateKey };

    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: 'http://tongban.test', TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database, now: clock.now });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
    tokens.psb = await tokenFor(built, 'test-psb-consent', 'CN/GOV/110000-PSB/consent-system', ['consent:config', 'consent:service']);
    tokens.amr = await tokenFor(built, 'test-amr-consent', 'CN/GOV/110000-AMR/licence-system', ['consent:config', 'consent:service']);
    tokens.noScope = await tokenFor(built, 'test-no-scope', 'CN/GOV/110000-CAB/other', ['registration:read']);
    tokens.configOnly = await tokenFor(built, 'test-psb-config', 'CN/GOV/110000-PSB/config-only', ['consent:config']);
  });
  afterAll(async () => {
    await built.app.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  const send = async (method: Method, url: string, options: { as?: keyof typeof tokens; body?: object; individual?: string } = {}): Promise<Answer> =>
    built.app.inject({
      method, url: `${BASE}${url}`,
      headers: { accept: 'application/json', 'accept-language': 'en', authorization: `Bearer ${tokens[options.as ?? 'psb']}`, ...(options.individual ? { [INDIVIDUAL]: options.individual } : {}) },
      ...(options.body ? { payload: options.body } : {}),
    });
  /** The answer is 200 and valid against the spec's schema for `method path` (or the spec declares no body). */
  const valid = (answer: Answer, path: string, method: string) => {
    expect(answer.statusCode, answer.body).toBe(200);
    if (specAnswersWithoutBody(path, method)) return;
    expect(specViolations(path, method, answer.json())).toEqual([]);
  };
  const signed = (payload: string) => sign(null, Buffer.from(payload, 'utf8'), keys.privateKey).toString('base64url');

  it('creates, reads, versions, lists and deletes the caller agency\'s policies; data consumers read current ones', async () => {
    const policy = { id: 'psb-data-policy', name: 'PSB personal data policy', url: 'https://psb.example.cn/policy/v1', jurisdiction: 'CN-BJ', dataRetentionPeriodDays: 365 };
    const created = await send('POST', '/config/policy/', { body: { policy } });
    valid(created, '/config/policy/', 'post');
    expect(created.json()).toMatchObject({ policy: { id: 'psb-data-policy', version: '1', jurisdiction: 'CN-BJ', tongban: { controller: '110000-PSB' } }, revision: { id: 'psb-data-policy.v1', schemaName: 'Policy' } });
    expect((await send('POST', '/config/policy/', { body: { policy } })).json()).toMatchObject({ status: 409, code: 'TB_CONSENT_POLICY_EXISTS' });
    const bad = await send('POST', '/config/policy/', { body: { policy: { ...policy, id: 'psb-other', url: 'ftp://x' } } });
    expect(bad.json()).toMatchObject({ status: 422, code: 'TB_CONSENT_POLICY_INVALID', errors: [expect.objectContaining({ pointer: '/policy/url' })] });
    expect(String(bad.headers['content-type'])).toContain('application/problem+json');

    const updated = await send('PUT', '/config/policy/psb-data-policy/', { body: { policy: { ...policy, url: 'https://psb.example.cn/policy/v2' } } });
    valid(updated, '/config/policy/{policyId}/', 'put');
    expect(updated.json()).toMatchObject({ policy: { version: '2', url: 'https://psb.example.cn/policy/v2' } });
    const read = await send('GET', '/config/policy/psb-data-policy/');
    valid(read, '/config/policy/{policyId}/', 'get');
    const first = await send('GET', '/config/policy/psb-data-policy/?revisionId=psb-data-policy.v1');
    expect(first.json()).toMatchObject({ policy: { version: '1', url: 'https://psb.example.cn/policy/v1' } });
    const revisions = await send('GET', '/config/policy/psb-data-policy/revisions/');
    valid(revisions, '/config/policy/{policyId}/revisions/', 'get');
    expect(revisions.json<{ revisions: { id: string }[] }>().revisions.map((r) => r.id)).toEqual(['psb-data-policy.v2', 'psb-data-policy.v1']);
    const list = await send('GET', '/config/policies/');
    valid(list, '/config/policies/', 'get');
    expect(list.json<{ policies: { id: string }[] }>().policies.map((p) => p.id)).toEqual(['psb-data-policy']);
    expect((await send('GET', '/config/policies/', { as: 'amr' })).json()).toEqual({ policies: [] });
    expect((await send('GET', '/config/policy/psb-data-policy/', { as: 'amr' })).json()).toMatchObject({ status: 404, code: 'TB_CONSENT_POLICY_NOT_FOUND' });
    expect((await send('PUT', '/config/policy/psb-data-policy/', { as: 'amr', body: { policy } })).statusCode).toBe(404);

    const forConsumers = await send('GET', '/service/policy/psb-data-policy/', { as: 'amr' });
    valid(forConsumers, '/service/policy/{policyId}/', 'get');
    const deleted = await send('DELETE', '/config/policy/psb-data-policy/');
    valid(deleted, '/config/policy/{policyId}/', 'delete');
    expect(deleted.json()).toMatchObject({ revision: { id: 'psb-data-policy.v3' } });
    expect((await send('GET', '/service/policy/psb-data-policy/', { as: 'amr' })).statusCode).toBe(404);
    expect((await send('GET', '/service/policy/psb-data-policy/?revisionId=psb-data-policy.v2', { as: 'amr' })).json()).toMatchObject({ policy: { version: '2' } });
    expect((await send('GET', '/service/policy/no-such-policy/')).json()).toMatchObject({ status: 404, code: 'TB_CONSENT_POLICY_NOT_FOUND' });
  });

  it('registers individuals with the caller agency, finds their person account, audits every read, and keeps agencies apart', async () => {
    const created = await send('POST', '/config/individual/', { body: { individual: { externalId: CITIZEN, externalIdType: 'resident_id' } } });
    valid(created, '/config/individual/', 'post');
    expect(created.json()).toMatchObject({ individual: { id: CITIZEN, externalId: CITIZEN, externalIdType: 'resident_id', tongban: { accountId: CITIZEN_ACCOUNT, hasAccount: true } } });
    const stranger = await send('POST', '/service/individual/', { body: { individual: { id: STRANGER } } });
    valid(stranger, '/service/individual/', 'post');
    expect(stranger.json()).toMatchObject({ individual: { id: STRANGER, tongban: { accountId: null, hasAccount: false } } });

    valid(await send('GET', `/config/individual/${CITIZEN}/`), '/config/individual/{individualId}/', 'get');
    valid(await send('GET', `/service/individual/${STRANGER}/`), '/service/individual/{individualId}/', 'get');
    const configList = await send('GET', '/config/individuals/');
    valid(configList, '/config/individuals/', 'get');
    expect(configList.json<{ individuals: { id: string }[] }>().individuals.map((i) => i.id)).toEqual(expect.arrayContaining([CITIZEN, STRANGER]));
    valid(await send('GET', '/service/individuals/?limit=1'), '/service/individuals/', 'get');

    const updated = await send('PUT', `/service/individual/${STRANGER}/`, { body: { individual: { identityProviderId: 'cn-national-id' } } });
    valid(updated, '/service/individual/{individualId}/', 'put');
    expect(updated.json()).toMatchObject({ individual: { id: STRANGER, identityProviderId: 'cn-national-id' } });
    expect((await send('PUT', `/service/individual/${STRANGER}/`, { body: { individual: { externalId: CITIZEN } } })).json())
      .toMatchObject({ status: 422, code: 'TB_CONSENT_INDIVIDUAL_INVALID', errors: [expect.objectContaining({ pointer: '/individual/externalId' })] });
    expect((await send('PUT', '/service/individual/110101197001010011/', { body: { individual: {} } })).json()).toMatchObject({ status: 404, code: 'TB_CONSENT_INDIVIDUAL_NOT_FOUND' });
    expect((await send('POST', '/config/individual/', { body: { individual: { externalId: '12345' } } })).json())
      .toMatchObject({ status: 422, code: 'TB_CONSENT_INDIVIDUAL_INVALID', errors: [expect.objectContaining({ pointer: '/individual/externalId' })] });
    expect((await send('POST', '/config/individual/', { body: { individual: {} } })).json()).toMatchObject({ status: 422, errors: [expect.objectContaining({ pointer: '/individual/externalId' })] });

    // Another agency knows neither; a client without the scope is refused.
    expect((await send('GET', `/service/individual/${STRANGER}/`, { as: 'amr' })).json()).toMatchObject({ status: 404, code: 'TB_CONSENT_INDIVIDUAL_NOT_FOUND' });
    expect((await send('GET', '/config/individuals/', { as: 'amr' })).json()).toEqual({ individuals: [] });
    expect((await send('GET', '/config/individuals/', { as: 'noScope' })).json()).toMatchObject({ status: 403, code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    expect((await send('GET', '/service/individuals/', { as: 'configOnly' })).statusCode).toBe(403);

    const reads = (await built.kernel.audit.listBySubject(CITIZEN_ACCOUNT)).filter((r) => r.action === 'consent.individual.read');
    // The config read and the config list named this person; the service list of one showed the other.
    expect(reads).toHaveLength(2);
    expect(reads[0]).toMatchObject({ actor: { kind: 'client', id: 'test-psb-consent' }, purpose: 'Looking up the details the organisation keeps to manage your consent' });
  });

  it('signs a consent record: an unsigned signature with its payload, then the verified signature; a bad one is refused', async () => {
    const given = await send('POST', `/service/individual/record/data-agreement/${PREFILL}/?individualId=${CITIZEN}`);
    const id = given.json<{ consentRecord: { id: string } }>().consentRecord.id;
    const path = `/service/individual/record/consent-record/${id}/signature/`;
    const specPath = '/service/individual/record/consent-record/{consentRecordId}/signature/';

    const requested = await send('POST', path, { individual: CITIZEN, body: { signature: {} } });
    valid(requested, specPath, 'post');
    const unsigned = requested.json<{ signature: { id: string; payload: string; verificationMethod: string; signature: string } }>().signature;
    expect(unsigned).toMatchObject({ verificationMethod: 'Ed25519', signature: '', objectType: 'ConsentRecord' });
    expect(JSON.parse(unsigned.payload)).toMatchObject({ objectReference: id, verificationPayloadHash: expect.stringMatching(/^[0-9a-f]{64}$/) as string });

    expect((await send('POST', path, { individual: STRANGER })).json()).toMatchObject({ status: 403, code: 'TB_CONSENT_INDIVIDUAL_MISMATCH' });
    expect((await send('POST', path, { as: 'amr', individual: CITIZEN })).json()).toMatchObject({ status: 404, code: 'TB_CONSENT_RECORD_NOT_FOUND' });
    const forged = await send('PUT', path, { individual: CITIZEN, body: { signature: { signature: signed(`${unsigned.payload} `), verificationSignedBy: keys.publicJwk } } });
    expect(forged.json()).toMatchObject({ status: 422, code: 'TB_CONSENT_SIGNATURE_INVALID', errors: [expect.objectContaining({ pointer: '/signature/signature' })] });

    const done = await send('PUT', path, { individual: CITIZEN, body: { signature: { signature: signed(unsigned.payload), verificationSignedBy: keys.publicJwk, verificationSignedAs: 'individual' } } });
    valid(done, specPath, 'put');
    expect(done.json()).toMatchObject({ signature: { id: unsigned.id, verificationSignedAs: 'individual', tongban: { signed: true } } });
    expect((await send('PUT', path, { individual: CITIZEN, body: { signature: { signature: signed(unsigned.payload), verificationSignedBy: keys.publicJwk } } })).json())
      .toMatchObject({ status: 409, code: 'TB_CONSENT_SIGNATURE_SIGNED' });
    const record = await send('GET', `/service/verification/consent-record/${id}/`);
    expect(specViolations('/service/verification/consent-record/{consentRecordId}/', 'get', record.json())).toEqual([]);
    expect(record.json()).toMatchObject({ consentRecord: { state: 'signed', signature: { id: unsigned.id } } });
    expect((await built.kernel.audit.listBySubject(CITIZEN_ACCOUNT)).some((r) => r.action === 'consent.record.sign')).toBe(true);
  });

  it('gives consent by the draft flow: a draft to sign, then the signed record; a stale or tampered draft is refused', async () => {
    // A revision named must be the agreement's current one: older terms are not what the person consents to.
    const current = (await send('GET', `/config/data-agreement/${PREFILL}/`)).json<{ revision: { id: string } }>().revision.id;
    expect(current).toMatch(new RegExp(`^${PREFILL}\\.v\\d+$`));
    for (const stale of [`${PREFILL}.v0`, 'another-agreement.v1']) {
      const refused = await send('POST', `/service/individual/record/consent-record/draft/?individualId=${STRANGER}&dataAgreementId=${PREFILL}&revisionId=${stale}`);
      expect(refused.json()).toMatchObject({ status: 409, code: 'TB_CONSENT_REVISION_OUTDATED', errors: [{ pointer: '/querystring/revisionId' }] });
      const record = await send('POST', `/service/individual/record/data-agreement/${PREFILL}/?individualId=${STRANGER}&revisionId=${stale}`);
      expect(record.json()).toMatchObject({ status: 409, code: 'TB_CONSENT_REVISION_OUTDATED' });
    }
    const draft = await send('POST', `/service/individual/record/consent-record/draft/?individualId=${STRANGER}&dataAgreementId=${PREFILL}&revisionId=${current}`);
    valid(draft, '/service/individual/record/consent-record/draft/', 'post');
    const { consentRecord, signature } = draft.json<{ consentRecord: { id: string; dataAgreementRevisionHash: string }; signature: { id: string; payload: string } }>();
    expect(consentRecord.id).toBe('');
    expect(signature.id).toBe('');
    const body = (payload: string, hash = consentRecord.dataAgreementRevisionHash) => ({
      consentRecord: { dataAgreement: { id: PREFILL }, dataAgreementRevisionHash: hash, individual: { id: STRANGER }, optIn: true },
      signature: { payload, signature: signed(payload), verificationSignedBy: keys.publicJwk },
    });
    expect((await send('POST', '/service/individual/record/consent-record/', { body: body(signature.payload, 'f'.repeat(64)) })).json()).toMatchObject({ status: 409, code: 'TB_CONSENT_DRAFT_OUTDATED' });
    const tampered = signature.payload.replace(STRANGER, CITIZEN);
    expect((await send('POST', '/service/individual/record/consent-record/', { body: body(tampered) })).json())
      .toMatchObject({ status: 422, code: 'TB_CONSENT_SIGNATURE_INVALID', errors: [expect.objectContaining({ pointer: '/signature/payload' })] });
    expect((await send('POST', '/service/individual/record/consent-record/', { as: 'amr', body: body(signature.payload) })).statusCode).toBe(404);

    const stored = await send('POST', '/service/individual/record/consent-record/', { body: body(signature.payload) });
    valid(stored, '/service/individual/record/consent-record/', 'post');
    expect(stored.json()).toMatchObject({ consentRecord: { optIn: true, state: 'signed', individual: { id: STRANGER } }, signature: { tongban: { signed: true } } });
    expect(await built.services.consent.check({ agreementId: PREFILL, idNumber: STRANGER })).toEqual({ ok: true, basis: 'consent' });
  });

  it('delivers the agency\'s consent events to its webhook over HTTP, signed, and retries until the receiver accepts', async () => {
    const created = await send('POST', '/config/webhook/', { body: { webhook: { payloadUrl: receiverUrl, contentType: 'application/json', disabled: false, secretKey: SECRET } } });
    valid(created, '/config/webhook/', 'post');
    const hook = created.json<{ webhook: { id: string; secretKey: string } }>().webhook;
    expect(hook.secretKey).toBe('********');
    valid(await send('GET', `/config/webhook/${hook.id}/`), '/config/webhook/{webhookId}/', 'get');
    valid(await send('GET', '/config/webhooks/'), '/config/webhooks/', 'get');
    const updated = await send('PUT', `/config/webhook/${hook.id}/`, { body: { webhook: { payloadUrl: receiverUrl, contentType: 'application/json', secretKey: SECRET } } });
    valid(updated, '/config/webhook/{webhookId}/', 'put');
    expect((await send('GET', `/config/webhook/${hook.id}/`, { as: 'amr' })).json()).toMatchObject({ status: 404, code: 'TB_CONSENT_WEBHOOK_NOT_FOUND' });
    expect((await send('GET', '/config/webhooks/', { as: 'amr' })).json()).toEqual({ webhooks: [] });
    expect((await send('POST', '/config/webhook/', { body: { webhook: { payloadUrl: 'file:///etc/passwd', contentType: 'application/json', secretKey: SECRET } } })).json())
      .toMatchObject({ status: 422, code: 'TB_CONSENT_WEBHOOK_INVALID', errors: [expect.objectContaining({ pointer: '/webhook/payloadUrl' })] });
    expect((await send('POST', '/config/webhook/', { body: { webhook: { payloadUrl: receiverUrl, contentType: 'application/json', secretKey: 'short' } } })).json())
      .toMatchObject({ status: 422, errors: [expect.objectContaining({ pointer: '/webhook/secretKey' })] });
    expect((await send('GET', '/config/webhooks/', { as: 'noScope' })).statusCode).toBe(403);

    received.length = 0;
    failuresLeft = 1;
    const given = await send('POST', `/service/individual/record/data-agreement/${PREFILL}/?individualId=${CITIZEN}`);
    const recordId = given.json<{ consentRecord: { id: string } }>().consentRecord.id;
    await built.kernel.jobs.drain();
    expect(received).toHaveLength(1);
    const [deliveryBefore] = await built.services.consent.webhookDeliveries(hook.id, '110000-PSB');
    expect(deliveryBefore).toMatchObject({ event: 'consent.given', state: 'pending', attempts: 1, lastStatus: 503 });

    clock.advance(120_000);
    await built.kernel.jobs.drain();
    expect(received).toHaveLength(2);
    const [delivery] = await built.services.consent.webhookDeliveries(hook.id, '110000-PSB');
    expect(delivery).toMatchObject({ state: 'delivered', attempts: 2, lastStatus: 204 });
    for (const { headers, body } of received) {
      expect(body).toBe(delivery!.body);
      expect(headers).toMatchObject({ 'content-type': 'application/json', 'x-consentbb-event': 'consent.given', 'x-consentbb-delivery': delivery!.id });
      const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(String(headers['x-consentbb-signature'])) ?? [];
      expect(v1).toBe(createHmac('sha256', SECRET).update(`${t}.${body}`).digest('hex'));
    }
    expect(JSON.parse(delivery!.body)).toMatchObject({ event: 'consent.given', agency: '110000-PSB', data: { consentRecordId: recordId, dataAgreementId: PREFILL, individualId: CITIZEN, optIn: true } });

    // Refused all eight times, the delivery and its job are failed; an operator's retry sends it again.
    failuresLeft = 99;
    await send('PUT', `/service/individual/record/consent-record/${recordId}/`, { individual: CITIZEN, body: { consentRecord: { optIn: false } } });
    for (let i = 0; i < 10; i++) {
      await built.kernel.jobs.drain();
      clock.advance(3_600_000);
    }
    // Back to the tokens' time: they, and the client assertions behind them, carry the real time.
    clock.advance(-36_000_000);
    const [failedJob, ...more] = await built.kernel.jobs.failed({ queue: WEBHOOK_QUEUE });
    expect(more).toEqual([]);
    const withdrawn = (await built.services.consent.webhookDeliveries(hook.id, '110000-PSB')).find((d) => d.event === 'consent.withdrawn');
    expect(withdrawn).toMatchObject({ state: 'failed', attempts: WEBHOOK_ATTEMPTS });
    failuresLeft = 0;
    const sentBefore = received.length;
    expect(await built.kernel.jobs.retry(failedJob!.id)).toBe(true);
    await built.kernel.jobs.drain();
    expect(received.length).toBe(sentBefore + 1);
    expect(received.at(-1)?.body).toBe(withdrawn!.body);
    expect((await built.services.consent.webhookDeliveries(hook.id, '110000-PSB')).find((d) => d.id === withdrawn!.id)).toMatchObject({ state: 'delivered', attempts: WEBHOOK_ATTEMPTS + 1 });

    // A deleted webhook gets nothing more.
    const sentBeforeDeletion = received.length;
    const deleted = await send('DELETE', `/config/webhook/${hook.id}/`);
    valid(deleted, '/config/webhook/{webhookId}/', 'delete');
    expect((await send('GET', `/config/webhook/${hook.id}/`)).statusCode).toBe(404);
    await send('PUT', `/service/individual/record/consent-record/${recordId}/`, { individual: CITIZEN, body: { consentRecord: { optIn: true } } });
    await built.kernel.jobs.drain();
    expect(received).toHaveLength(sentBeforeDeletion);
  });

  it('deletes all of an individual\'s records for the agency: consents withdrawn, unsigned signatures and registration gone, history and audit kept', async () => {
    const consent = built.services.consent;
    const given = await send('POST', `/service/individual/record/data-agreement/${PREFILL}/?individualId=${CITIZEN}`);
    const id = given.json<{ consentRecord: { id: string } }>().consentRecord.id;
    await send('POST', `/service/individual/record/consent-record/${id}/signature/`, { individual: CITIZEN });
    const before = await consent.history(CITIZEN);
    expect(await consent.check({ agreementId: PREFILL, idNumber: CITIZEN })).toEqual({ ok: true, basis: 'consent' });

    expect((await send('DELETE', '/service/individual/record/')).json()).toMatchObject({ status: 400, code: 'TB_CONSENT_INDIVIDUAL_MISSING' });
    expect((await send('DELETE', '/service/individual/record/', { as: 'configOnly', individual: CITIZEN })).statusCode).toBe(403);
    const deleted = await send('DELETE', '/service/individual/record/', { individual: CITIZEN });
    valid(deleted, '/service/individual/record/', 'delete');
    expect(deleted.json()).toMatchObject({ tongban: { withdrawn: expect.arrayContaining([PREFILL]) as string[], signaturesDiscarded: 1, registrationErased: true } });

    expect(await consent.check({ agreementId: PREFILL, idNumber: CITIZEN })).toEqual({ ok: false, reason: 'withdrawn' });
    const after = await consent.history(CITIZEN);
    expect(after.map((e) => e.id)).toEqual(expect.arrayContaining(before.map((e) => e.id)));
    expect(after.length).toBeGreaterThan(before.length);
    expect(await consent.signatureOf(id)).toBeUndefined();
    const signedEarlier = after.find((e) => e.id !== id && e.kind === 'given' && e.agreementId === PREFILL);
    expect(signedEarlier).toBeDefined();
    expect((await send('GET', `/config/individual/${CITIZEN}/`)).json()).toMatchObject({ individual: { tongban: { registeredAt: null } } });
    const audited = (await built.kernel.audit.listBySubject(CITIZEN_ACCOUNT)).find((r) => r.action === 'consent.records.delete-all');
    expect(audited).toMatchObject({ actor: { kind: 'client', id: 'test-psb-consent' }, details: { agency: '110000-PSB', signaturesDiscarded: 1 } });
  });
});
