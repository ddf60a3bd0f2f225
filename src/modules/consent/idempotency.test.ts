import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { tokenFor } from '../mediator/test-kit.js';
import { DEMO_AGREEMENTS } from './demo.js';
import { WEBHOOK_QUEUE } from './webhooks.js';

/**
 * Idempotency-Key on every write of the consent APIs (issue 9, ADR 31), one table of operations:
 * for each, the same request twice with a key answers the same (`Idempotent-Replayed: true`) and
 * writes nothing more (rows, audit records, webhook deliveries and their jobs); the answer is the
 * same again when only the result was kept (lost before it was sent); the key with another
 * request is 422; the same request twice at once writes as much as one.
 */
const BASE = '/govstack/consent';
const PREFILL = DEMO_AGREEMENTS.prefill;
const PUBLIC_URL = 'http://tongban.test';
/** Resident ID numbers of people with no account: a fresh one for every arrangement. */
let serial = 0;
const person = () => `11010119900101${String(1000 + (serial += 1)).slice(-4)}`;

type Method = 'POST' | 'PUT' | 'DELETE';
interface Req { readonly method: Method; readonly url: string; readonly body?: object; readonly individual?: string; readonly as?: 'admin' }
interface Case {
  readonly name: string;
  readonly status?: number;
  /** The request of a round (0: one after the other, 1: twice at once), on things arranged without a key. */
  readonly arrange: (round: number) => Promise<Req>;
  /** The same operation as another request. */
  readonly other: (req: Req) => Req;
}

const COUNTED = [
  'consent_agreements', 'consent_events', 'consent_policies', 'consent_individuals', 'consent_webhooks', 'consent_webhook_deliveries',
  'consent_signatures', 'tb_audit_record', 'kernel_idempotency_keys',
] as const;

describeEachDatabase('Idempotency-Key on every write of the consent APIs (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let psb = '';
  let admin: TestBrowser;
  let receiver: Server;
  let receiverUrl = '';
  let keys: { publicJwk: string; privateKey: KeyObject };

  beforeAll(async () => {
    receiver = createServer((_req, res) => { res.writeHead(204).end(); });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/consent-events`;
    const pair = generateKeyPairSync('ed25519');
    keys = { publicJwk: JSON.stringify(pair.publicKey.export({ format: 'jwk' })), privateKey: pair.privateKey };
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
    psb = await tokenFor(built, 'test-psb-idem', 'CN/GOV/110000-PSB/consent-system', ['consent:config', 'consent:service']);
    admin = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(admin, 'agency-admin');
    // A live webhook: every consent event writes a delivery and its job, which a retry must not write again.
    expect((await send({ method: 'POST', url: '/config/webhook/', body: { webhook: { payloadUrl: receiverUrl, contentType: 'application/json', secretKey: 'a-webhook-secret-of-the-psb-idem' } } })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await built.app.close();
    await new Promise<void>((resolve) => receiver.close(() => resolve()));
  });

  function send(req: Req, key?: string) {
    const auth = req.as === 'admin' ? { cookie: `${SESSION_COOKIE}=${admin.cookie(SESSION_COOKIE) ?? ''}` } : { authorization: `Bearer ${psb}` };
    return built.app.inject({
      method: req.method, url: req.as === 'admin' ? req.url : `${BASE}${req.url}`, ...(req.body ? { payload: req.body } : {}),
      headers: { accept: 'application/json', 'accept-language': 'en', ...auth, ...(req.individual ? { 'x-consentbb-individualid': req.individual } : {}), ...(key ? { 'idempotency-key': key } : {}) },
    });
  }
  /** Arranges through the API, without a key; the answer's JSON. */
  async function done<T = Record<string, unknown>>(req: Req): Promise<T> {
    const res = await send(req);
    expect(res.statusCode, res.body).toBeLessThan(300);
    return res.json<T>();
  }
  async function counts(): Promise<Record<string, number>> {
    const out: Record<string, number> = {};
    for (const table of COUNTED) out[table] = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(built.kernel.db)).rows[0]?.n);
    out.webhookJobs = Number((await sql<{ n: string }>`select count(*) as n from kernel_job where queue = ${WEBHOOK_QUEUE}`.execute(built.kernel.db)).rows[0]?.n);
    return out;
  }
  const delta = (from: Record<string, number>, to: Record<string, number>) => Object.fromEntries(Object.keys(to).map((k) => [k, (to[k] ?? 0) - (from[k] ?? 0)]));

  const signed = (payload: string) => sign(null, Buffer.from(payload, 'utf8'), keys.privateKey).toString('base64url');
  const agreementBody = (id: string, purpose = 'Identity check') => ({
    dataAgreement: { id, lawfulBasis: 'consent', tongban: { purpose: { 'zh-CN': '核验', en: purpose }, legalBasis: { 'zh-CN': '同意', en: 'Consent' }, items: ['name'], retention: { 'zh-CN': '一年', en: 'One year' }, consentDays: 30 } },
  });
  const adminAgreement = (id: string) => ({
    id, controller: '110000-PSB', lawfulBasis: 'legal_obligation', purpose: { 'zh-CN': '核对', en: 'Check' }, legalBasis: { 'zh-CN': '法律', en: 'A law' }, items: ['name'], retention: { 'zh-CN': '一年', en: 'One year' },
  });
  const policyBody = (id: string, url = 'https://psb.example.cn/policy') => ({ policy: { id, name: 'PSB data policy', url } });
  const webhookBody = (secretKey: string) => ({ webhook: { payloadUrl: receiverUrl, contentType: 'application/json', secretKey, disabled: true } });
  const given = async (idNumber: string) => (await done<{ consentRecord: { id: string } }>({ method: 'POST', url: `/service/individual/record/data-agreement/${PREFILL}/?individualId=${idNumber}` })).consentRecord.id;
  const withBody = (req: Req, body: object): Req => ({ ...req, body });

  const cases: Case[] = [
    { name: 'POST /config/data-agreement/', arrange: (n) => Promise.resolve({ method: 'POST', url: '/config/data-agreement/', body: agreementBody(`idem-agreement-${n}`) }), other: (r) => withBody(r, agreementBody('idem-agreement-x')) },
    {
      name: 'PUT /config/data-agreement/{id}/',
      arrange: async (n) => { await done({ method: 'POST', url: '/config/data-agreement/', body: agreementBody(`idem-version-${n}`) }); return { method: 'PUT', url: `/config/data-agreement/idem-version-${n}/`, body: agreementBody(`idem-version-${n}`, 'Identity check, v2') }; },
      other: (r) => withBody(r, agreementBody('idem-version-x', 'Identity check, v3')),
    },
    {
      name: 'DELETE /config/data-agreement/{id}/',
      arrange: async (n) => { await done({ method: 'POST', url: '/config/data-agreement/', body: agreementBody(`idem-retire-${n}`) }); return { method: 'DELETE', url: `/config/data-agreement/idem-retire-${n}/` }; },
      other: () => ({ method: 'DELETE', url: '/config/data-agreement/idem-retire-x/' }),
    },
    { name: 'POST /service/individual/record/data-agreement/{id}/ (consent record)', arrange: () => Promise.resolve({ method: 'POST', url: `/service/individual/record/data-agreement/${PREFILL}/?individualId=${person()}` }), other: (r) => ({ ...r, url: `/service/individual/record/data-agreement/${PREFILL}/?individualId=${person()}` }) },
    {
      name: 'PUT /service/individual/record/consent-record/{id}/ (withdraw)',
      arrange: async () => { const id = person(); return { method: 'PUT', url: `/service/individual/record/consent-record/${await given(id)}/`, individual: id, body: { consentRecord: { optIn: false } } }; },
      other: (r) => withBody(r, { consentRecord: { optIn: true } }),
    },
    { name: 'POST /config/policy/', arrange: (n) => Promise.resolve({ method: 'POST', url: '/config/policy/', body: policyBody(`idem-policy-${n}`) }), other: (r) => withBody(r, policyBody('idem-policy-x')) },
    {
      name: 'PUT /config/policy/{id}/',
      arrange: async (n) => { await done({ method: 'POST', url: '/config/policy/', body: policyBody(`idem-policy-v-${n}`) }); return { method: 'PUT', url: `/config/policy/idem-policy-v-${n}/`, body: policyBody(`idem-policy-v-${n}`, 'https://psb.example.cn/policy/v2') }; },
      other: (r) => withBody(r, policyBody('idem-policy-v', 'https://psb.example.cn/policy/v3')),
    },
    {
      name: 'DELETE /config/policy/{id}/',
      arrange: async (n) => { await done({ method: 'POST', url: '/config/policy/', body: policyBody(`idem-policy-d-${n}`) }); return { method: 'DELETE', url: `/config/policy/idem-policy-d-${n}/` }; },
      other: () => ({ method: 'DELETE', url: '/config/policy/idem-policy-d-x/' }),
    },
    ...(['config', 'service'] as const).map((s): Case => ({
      name: `POST /${s}/individual/`, arrange: () => Promise.resolve({ method: 'POST', url: `/${s}/individual/`, body: { individual: { externalId: person() } } }),
      other: (r) => withBody(r, { individual: { externalId: person() } }),
    })),
    {
      name: 'PUT /service/individual/{id}/',
      arrange: async () => { const id = person(); await done({ method: 'POST', url: '/service/individual/', body: { individual: { externalId: id } } }); return { method: 'PUT', url: `/service/individual/${id}/`, body: { individual: { identityProviderId: 'cn-national-id' } } }; },
      other: (r) => withBody(r, { individual: { identityProviderId: 'cn-other-id' } }),
    },
    { name: 'POST /config/webhook/', arrange: (n) => Promise.resolve({ method: 'POST', url: '/config/webhook/', body: webhookBody(`a-webhook-secret-idem-${n}`) }), other: (r) => withBody(r, webhookBody('a-webhook-secret-idem-x')) },
    {
      name: 'PUT /config/webhook/{id}/',
      arrange: async (n) => { const { webhook } = await done<{ webhook: { id: string } }>({ method: 'POST', url: '/config/webhook/', body: webhookBody(`a-webhook-secret-put-${n}`) }); return { method: 'PUT', url: `/config/webhook/${webhook.id}/`, body: webhookBody(`a-webhook-secret-new-${n}`) }; },
      other: (r) => withBody(r, webhookBody('a-webhook-secret-new-x')),
    },
    {
      name: 'DELETE /config/webhook/{id}/',
      arrange: async (n) => { const { webhook } = await done<{ webhook: { id: string } }>({ method: 'POST', url: '/config/webhook/', body: webhookBody(`a-webhook-secret-del-${n}`) }); return { method: 'DELETE', url: `/config/webhook/${webhook.id}/` }; },
      other: () => ({ method: 'DELETE', url: '/config/webhook/0190a1b2-0000-7000-8000-00000000dead/' }),
    },
    { name: 'POST /service/individual/record/consent-record/draft/', arrange: () => Promise.resolve({ method: 'POST', url: `/service/individual/record/consent-record/draft/?dataAgreementId=${PREFILL}&individualId=${person()}` }), other: (r) => ({ ...r, url: `/service/individual/record/consent-record/draft/?dataAgreementId=${PREFILL}&individualId=${person()}` }) },
    {
      name: 'POST /service/individual/record/consent-record/ (signed draft)',
      arrange: async () => {
        const id = person();
        const draft = await done<{ consentRecord: { dataAgreementRevisionHash: string }; signature: { payload: string } }>({ method: 'POST', url: `/service/individual/record/consent-record/draft/?dataAgreementId=${PREFILL}&individualId=${id}` });
        const signature = { payload: draft.signature.payload, signature: signed(draft.signature.payload), verificationSignedBy: keys.publicJwk, verificationSignedAs: 'the person' };
        return { method: 'POST', url: '/service/individual/record/consent-record/', body: { consentRecord: { dataAgreementId: PREFILL, dataAgreementRevisionHash: draft.consentRecord.dataAgreementRevisionHash, individual: { id }, optIn: true }, signature } };
      },
      other: (r) => withBody(r, { ...r.body, signature: { ...(r.body as { signature: object }).signature, verificationSignedAs: 'someone else' } }),
    },
    {
      name: 'POST /service/individual/record/consent-record/{id}/signature/',
      arrange: async () => { const id = person(); return { method: 'POST', url: `/service/individual/record/consent-record/${await given(id)}/signature/`, individual: id }; },
      // Only the individual named in the header differs: it is part of what the key is bound to.
      other: (r) => ({ ...r, individual: person() }),
    },
    {
      name: 'PUT /service/individual/record/consent-record/{id}/signature/',
      arrange: async () => {
        const id = person();
        const record = await given(id);
        const { signature } = await done<{ signature: { payload: string } }>({ method: 'POST', url: `/service/individual/record/consent-record/${record}/signature/`, individual: id });
        return { method: 'PUT', url: `/service/individual/record/consent-record/${record}/signature/`, individual: id, body: { signature: { signature: signed(signature.payload), verificationSignedBy: keys.publicJwk } } };
      },
      other: (r) => withBody(r, { signature: { ...(r.body as { signature: object }).signature, verificationSignedAs: 'someone else' } }),
    },
    {
      name: 'DELETE /service/individual/record/ (delete all)',
      arrange: async () => { const id = person(); await given(id); return { method: 'DELETE', url: '/service/individual/record/', individual: id }; },
      other: (r) => ({ ...r, individual: person() }),
    },
    { name: 'POST /api/consent/agreements', status: 201, arrange: (n) => Promise.resolve({ method: 'POST', url: '/api/consent/agreements', as: 'admin', body: adminAgreement(`idem-admin-${n}`) }), other: (r) => withBody(r, adminAgreement('idem-admin-x')) },
    {
      name: 'PUT /api/consent/agreements/{id}',
      arrange: async (n) => { await done({ method: 'POST', url: '/api/consent/agreements', as: 'admin', body: adminAgreement(`idem-admin-v-${n}`) }); return { method: 'PUT', url: `/api/consent/agreements/idem-admin-v-${n}`, as: 'admin', body: { ...adminAgreement(''), id: undefined, items: ['name', 'sex'] } }; },
      other: (r) => withBody(r, { ...adminAgreement(''), id: undefined, items: ['name', 'dateOfBirth'] }),
    },
    {
      name: 'DELETE /api/consent/agreements/{id}',
      arrange: async (n) => { await done({ method: 'POST', url: '/api/consent/agreements', as: 'admin', body: adminAgreement(`idem-admin-r-${n}`) }); return { method: 'DELETE', url: `/api/consent/agreements/idem-admin-r-${n}`, as: 'admin' }; },
      other: () => ({ method: 'DELETE', url: '/api/consent/agreements/idem-admin-r-x', as: 'admin' }),
    },
  ];

  it.each(cases)('$name: a retry writes nothing twice', async (c) => {
    const status = c.status ?? 200;
    const key = `consent-idem-${c.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 90)}`;
    const req = await c.arrange(0);
    const before = await counts();
    const first = await send(req, key);
    expect(first.statusCode, first.body).toBe(status);
    const after = await counts();
    expect(after.kernel_idempotency_keys).toBe(before.kernel_idempotency_keys! + 1);

    const again = await send(req, key);
    expect(again.statusCode).toBe(status);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    // The answer lost before it was kept: the replay makes it again from the kept result.
    await sql`update kernel_idempotency_keys set response_status = null, response_body = null where key = ${key}`.execute(built.kernel.db);
    const rendered = await send(req, key);
    expect(rendered.statusCode).toBe(status);
    expect(rendered.body).toBe(first.body);

    const other = await send(c.other(req), key);
    expect(other.statusCode, other.body).toBe(422);
    expect(String(other.headers['content-type'])).toContain('application/problem+json');
    expect(other.json()).toMatchObject({ status: 422, code: 'TB_IDEMPOTENCY_KEY_REUSED' });
    expect(await counts()).toEqual(after);

    // Twice at once: one writes, the other gets its answer or 409 while it is in flight.
    const req2 = await c.arrange(1);
    const base = await counts();
    const answers = await Promise.all([send(req2, `${key}-2`), send(req2, `${key}-2`)]);
    const ok = answers.filter((a) => a.statusCode === status);
    expect(ok.length, answers.map((a) => a.body).join('\n')).toBeGreaterThanOrEqual(1);
    for (const a of ok) expect(a.body).toBe(ok[0]!.body);
    for (const a of answers.filter((x) => x.statusCode !== status)) expect(a.json()).toMatchObject({ status: 409, code: 'TB_IDEMPOTENCY_IN_FLIGHT' });
    expect(delta(base, await counts())).toEqual(delta(before, after));
  });
});
