import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import type { TestBrowser } from '../../kernel/auth/test-kit.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { shanghaiDay } from '../workflow/service.js';
import { demoApp, jpeg, pdf, personaBrowser } from '../applications/test-kit.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { specViolations } from './test-kit.js';

const BASE = '/govstack/registration';
const SOLE = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const CASE_SYSTEM = 'CN/GOV/110000-AMR/case-system';
const DATA = {
  operator: { operator_name: '张伟', operator_id_number: '110101199003072359', operator_phone: '13800138000' },
  business: {
    organisation: 'individual', business_address: { province: '北京市', city: '北京市', district: '朝阳区', line1: '建国路1号' },
    business_scope: ['retail'], scope_detail: 'Selling fruit', employees: 2, capital: { amount: 500000, currency: 'CNY' },
  },
};
const dataUrl = (type: string, name: string, content: Buffer) => `data:${type};name=${name};base64,${content.toString('base64')}`;
const valid = (body: unknown) => specViolations('statistics', '/data/statistics', 'get', '200', body);

describeEachDatabase('GovStack Registration API: statistics', migrationSources, (use) => {
  let built: Built;
  let citizen: TestBrowser;
  let officer: TestBrowser;
  let operate = '';
  const files: string[] = [];

  const call = (method: 'GET' | 'POST' | 'PUT', url: string, as: { session: TestBrowser } | { token: string } | undefined, body?: object, mediator = CASE_SYSTEM) => {
    const headers: Record<string, string> = { accept: 'application/json', 'accept-language': 'en', 'information-mediator-client': mediator };
    if (as && 'session' in as) headers.cookie = `${SESSION_COOKIE}=${as.session.cookie(SESSION_COOKIE) ?? ''}`;
    if (as && 'token' in as) headers.authorization = `Bearer ${as.token}`;
    return built.app.inject({ method, url: `${BASE}${url}`, headers, ...(body ? { payload: body } : {}) });
  };
  const decide = async (fileId: string, as: { session: TestBrowser } | { token: string }, action: string, reason?: string) => {
    const res = await call('PUT', `/applications/${fileId}`, as, { applicantId: '', formData: { data: { decision: { action, ...(reason ? { reason } : {}) } } } });
    expect(res.statusCode, res.body).toBe(200);
  };

  beforeAll(async () => {
    built = await demoApp(use());
    citizen = await personaBrowser(built, 'citizen');
    officer = await personaBrowser(built, 'officer');
    const demo = await seedDemoClient(built.kernel.db, { clientId: 'amr-case-system', name: 'AMR', organisation: CASE_SYSTEM, scopes: ['registration:read', 'registration:operate'] });
    const assertion = await createClientAssertion({ clientId: 'amr-case-system', privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
    operate = (await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['registration:read', 'registration:operate']) })).json<{ access_token: string }>().access_token;
    const submission = { applicantId: demoPersona('citizen').accountId, formData: { data: DATA }, documentUrls: [dataUrl('application/pdf', 'premises_proof', pdf()), dataUrl('image/jpeg', 'operator_id', jpeg())] };
    for (let i = 0; i < 3; i += 1) {
      const res = await call('POST', `/services/${SOLE}/applications`, { session: citizen }, submission, 'CN/GOV/110000-CAB/citizen-app');
      expect(res.statusCode, res.body).toBe(200);
      files.push(res.json<{ fileId: string }>().fileId);
    }
    // The case system approves one and rejects one; the officer asks about the third.
    await decide(files[0]!, { token: operate }, 'claim');
    await decide(files[0]!, { token: operate }, 'approve');
    await decide(files[1]!, { token: operate }, 'claim');
    await decide(files[1]!, { token: operate }, 'reject', 'Not a retail address');
    await decide(files[2]!, { session: officer }, 'claim');
    await decide(files[2]!, { session: officer }, 'request_info', 'Which floor?');
  });
  afterAll(async () => { await built.app.close(); });

  it('counts the agency\'s decisions, in the spec\'s own response schema', async () => {
    const res = await call('GET', '/data/statistics', { token: operate });
    expect(res.statusCode, res.body).toBe(200);
    expect(valid(res.json())).toEqual([]);
    expect(res.json()).toEqual([{ processed: 3, approved: 1, sentBack: 1, rejected: 1, references: { timeframeDay: false, timeframeWeek: false, timeframeMonth: false, timeframeYear: false } }]);
  });

  it('filters by operator, role, service and period, and buckets by day', async () => {
    const byClient = await call('GET', '/data/statistics?operator=client:amr-case-system', { token: operate });
    expect(byClient.json()).toMatchObject([{ processed: 2, approved: 1, sentBack: 0, rejected: 1, references: { operator: 'client:amr-case-system' } }]);
    expect((await call('GET', '/data/statistics?role=supervisor', { token: operate })).json()).toMatchObject([{ processed: 0, approved: 0 }]);
    const byName = await call('GET', `/data/statistics?registrationName=${encodeURIComponent('Register as a sole trader (individual business licence)')}`, { token: operate });
    expect(byName.statusCode, byName.body).toBe(200);
    expect(byName.json()).toMatchObject([{ processed: 3, references: { registrationName: 'Register as a sole trader (individual business licence)' } }]);
    expect((await call('GET', `/data/statistics?registrationName=${SOLE}`, { token: operate })).json()).toMatchObject([{ processed: 3 }]);

    const today = shanghaiDay(built.kernel.now());
    const days = await call('GET', `/data/statistics?startDate=2020-01-01&endDate=${today}&timeframe=year`, { token: operate });
    expect(valid(days.json())).toEqual([]);
    const buckets = days.json<{ processed: number; references: { startDate: string; endDate: string; timeframeYear: boolean } }[]>();
    expect(buckets[0]?.references).toMatchObject({ startDate: '2020-01-01', endDate: '2020-12-31', timeframeYear: true });
    expect(buckets.at(-1)).toMatchObject({ processed: 3, references: { endDate: today } });
    expect(buckets.slice(0, -1).every((b) => b.processed === 0)).toBe(true);
    expect((await call('GET', '/data/statistics?endDate=2020-01-01', { token: operate })).json()).toMatchObject([{ processed: 0, references: { endDate: '2020-01-01' } }]);
  });

  it('refuses a bad period, an unknown service, a person who is not an operator, and callers without the header', async () => {
    const backwards = await call('GET', '/data/statistics?startDate=2026-03-05&endDate=2026-03-01', { token: operate });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json()).toMatchObject({ code: 'TB_WORKFLOW_STATISTICS_RANGE' });
    expect((await call('GET', '/data/statistics?startDate=March', { token: operate })).statusCode).toBe(400);
    expect((await call('GET', '/data/statistics?timeframe=decade', { token: operate })).statusCode).toBe(400);
    expect((await call('GET', '/data/statistics?registrationName=Nothing%20like%20this', { token: operate })).statusCode).toBe(404);
    expect((await call('GET', '/data/statistics', { session: citizen })).statusCode).toBe(403);
    expect((await call('GET', '/data/statistics', undefined)).statusCode).toBe(401);
    const noHeader = await built.app.inject({ method: 'GET', url: `${BASE}/data/statistics`, headers: { authorization: `Bearer ${operate}` } });
    expect(noHeader.statusCode).toBe(400);
    // An officer's session counts the officer's agencies.
    expect((await call('GET', '/data/statistics', { session: officer })).json()).toMatchObject([{ processed: 3 }]);
  });
});
