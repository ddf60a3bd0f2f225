import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { countRows, expectIdempotentWrite } from '../../../test/helpers/idempotency.js';
import type { Built } from '../../app.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { demoApp, multipartBody, pdf, type TestFile } from '../applications/test-kit.js';
import { migrationSources } from '../index.js';

/**
 * Idempotency-Key on the GovStack Registration upload `POST /documents` (issue 9, ADR 31): a
 * retry of the same file keeps no second upload (row, expiry job); another file under the key is
 * 422. The call record `govstack.registration.call` is written for every call, replays included
 * (it records calls, as the Scheduler's does), so it is not counted.
 */
const BASE = '/govstack/registration';
const FRONT_DESK = 'CN/GOV/110000-CAB/front-desk';

interface Req { readonly file: TestFile; readonly metadata?: string }

describeEachDatabase('Idempotency-Key on the GovStack Registration upload (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let token = '';

  beforeAll(async () => {
    built = await demoApp(use());
    const demo = await seedDemoClient(built.kernel.db, { clientId: 'cab-upload-idem', name: 'cab-upload-idem', organisation: FRONT_DESK, scopes: ['registration:apply'] });
    const assertion = await createClientAssertion({ clientId: 'cab-upload-idem', privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['registration:apply']) });
    token = res.json<{ access_token: string }>().access_token;
  });
  afterAll(async () => { await built.app.close(); });

  const send = (req: Req, key?: string) => {
    const { payload, contentType } = multipartBody({}, { file: req.file });
    return built.app.inject({
      method: 'POST', url: `${BASE}/documents${req.metadata ? `?additionalMetadata=${req.metadata}` : ''}`, payload,
      headers: { authorization: `Bearer ${token}`, 'content-type': contentType, accept: 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    });
  };
  const counts = async () => ({
    ...(await countRows(built.kernel.db, ['application_uploads', 'kernel_job', 'kernel_idempotency_keys'])),
    audit: Number((await sql<{ n: string }>`select count(*) as n from tb_audit_record where action <> 'govstack.registration.call'`.execute(built.kernel.db)).rows[0]?.n),
  });

  it('a retried upload keeps no second file', async () => {
    await expectIdempotentWrite<Req>({
      status: 200, key: 'upload-idem-0001', send, counts, db: built.kernel.db,
      arrange: (n) => Promise.resolve({ file: { filename: 'lease.pdf', type: 'application/pdf', content: pdf(`lease ${n}`) }, metadata: 'premises_proof' }),
      // The same name, other bytes: the file is in the fingerprint by its hash.
      other: (r) => ({ ...r, file: { ...r.file, content: pdf('another lease') } }),
    });
  });

  it('without a key the same file twice is two uploads; a refused file is not kept under its key', async () => {
    const file = { filename: 'twice.pdf', type: 'application/pdf', content: pdf('twice') };
    const [a, b] = [await send({ file }), await send({ file })];
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect(a.json<{ url: string }>().url).not.toBe(b.json<{ url: string }>().url);
    const before = await counts();
    const refused = await send({ file: { filename: 'x.pdf', type: 'application/pdf', content: Buffer.from('not a pdf') } }, 'upload-idem-0002');
    expect(refused.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
    // The key was not used up: the right file under it is kept.
    expect((await send({ file }, 'upload-idem-0002')).statusCode).toBe(200);
  });

  it('documents the header in /openapi.json', async () => {
    const doc = (await built.app.inject({ method: 'GET', url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { parameters?: { in: string; name: string }[] }>> }>();
    expect(doc.paths[`${BASE}/documents`]?.post?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);
  });
});
