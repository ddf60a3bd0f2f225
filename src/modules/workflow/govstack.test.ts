import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { parse } from 'yaml';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { createClientAssertion, declaredScopes, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { toJsonSchema } from '../../../test/helpers/openapi.js';
import { demoPersona } from '../identity/index.js';
import { migrationSources } from '../index.js';
import { accountPrincipal, schedulingApp, submitResidenceApplication, testClock } from '../scheduling/test-kit.js';

const BASE = '/govstack/workflow';
const CITIZEN = demoPersona('citizen');
const RESIDENCE = 'residence-certificate';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
const spec = parse(readFileSync(new URL('./spec/swagger.yaml', import.meta.url), 'utf8')) as { paths: Record<string, Record<string, Json>>; components: { schemas: Json } };
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addSchema(JSON.parse(JSON.stringify({ $id: 'workflow', definitions: toJsonSchema(spec.components.schemas) }).replaceAll('"#/components/schemas/', '"workflow#/definitions/')) as object);

/** Errors of `body` against the spec's answer schema of an operation and status (empty when it conforms). */
function violations(path: string, method: string, status: string, body: unknown): string[] {
  const operation = spec.paths[path]?.[method] as { responses: Record<string, { content?: Record<string, { schema: Json }> }> };
  const schema = Object.values(operation.responses[status]?.content ?? {})[0]?.schema;
  if (schema === undefined) throw new Error(`no response schema for ${method} ${path}`);
  const validate = ajv.compile(JSON.parse(JSON.stringify(toJsonSchema(schema)).replaceAll('"#/components/schemas/', '"workflow#/definitions/')) as object);
  return validate(body) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message ?? ''}`);
}

interface Process { id: string; processDefinition: { name: string; type: string; version: string; isExecutable: boolean; isClosed: boolean; description: string; processBody: { code: string; value: string }[] } }
interface Instance { id: number; processRef: string; initTime: string; state: string; lastChangeTime: string }

describeEachDatabase('GovStack Workflow API', migrationSources, (use) => {
  const clock = testClock();
  let built: Built;
  let citizen: Principal;
  const tokens = new Map<string, string>();
  let residence: { id: string; version: number; processId: string };
  let amrProcessId: string;
  let open: { id: string };
  let withdrawn: { id: string };

  const token = async (clientId: string, organisation: string, scopes: string[]) => {
    const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation, scopes });
    const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl, now: clock.now() });
    const res = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, scopes) });
    return res.json<{ access_token: string }>().access_token;
  };
  const call = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, as: string | undefined, payload?: unknown, lang = 'en') => built.app.inject({
    method, url: `${BASE}${path}`,
    headers: { accept: 'application/json', 'accept-language': lang, ...(as ? { authorization: `Bearer ${tokens.get(as) ?? 'unknown'}` } : {}) },
    ...(payload !== undefined ? { payload: payload as object } : {}),
  });
  const numberOf = async (caseId: string) => (await built.services.workflow.instance(caseId)).number;

  beforeAll(async () => {
    built = await schedulingApp(use(), clock.now);
    citizen = await accountPrincipal(built, CITIZEN.accountId);
    tokens.set('psb', await token('psb-workflow', 'CN/GOV/110000-PSB/case-system', ['workflow:read', 'workflow:write']));
    tokens.set('psb-read', await token('psb-workflow-dashboard', 'CN/GOV/110000-PSB/dashboard', ['workflow:read']));
    tokens.set('psb-other', await token('psb-scheduler-only', 'CN/GOV/110000-PSB/scheduler', ['scheduler:read']));
    tokens.set('amr', await token('amr-workflow', 'CN/GOV/110000-AMR/case-system', ['workflow:read', 'workflow:write']));
    const service = await built.services.catalog.getCurrentService(RESIDENCE);
    if (!service) throw new Error('no residence service');
    residence = { id: service.id, version: service.version, processId: `${service.id}.v${service.version}` };
    const amr = await built.services.catalog.getCurrentService('sole-trader-business-licence');
    amrProcessId = `${amr!.id}.v${amr!.version}`;
    open = await submitResidenceApplication(built, citizen);
    clock.advance(60_000);
    withdrawn = await submitResidenceApplication(built, citizen);
    clock.advance(60_000);
    await built.services.workflow.act(undefined, { caseId: withdrawn.id, action: 'withdraw', actor: citizen, applicantAccountId: citizen.accountId });
  }, 120_000);
  afterAll(async () => { await built?.app.close(); });

  it('declares its scopes, so that the API clients page offers them', () => {
    const scopes = declaredScopes().map((s) => s.scope);
    expect(scopes).toEqual(expect.arrayContaining(['workflow:read', 'workflow:write']));
    expect(declaredScopes().find((s) => s.scope === 'workflow:read')?.text['zh-CN']).toMatch(/工作流/);
  });

  it('lists its own agency\'s services as processes, as the spec describes them', async () => {
    const res = await call('GET', '/processes', 'psb');
    expect(res.statusCode).toBe(200);
    const body = res.json<Process[]>();
    expect(violations('/processes', 'get', '200', body)).toEqual([]);
    // The check can fail: a number where the spec has a string does not conform.
    expect(violations('/processes', 'get', '200', [{ id: 1 }])).not.toEqual([]);
    const ids = body.map((p) => p.id);
    expect(ids).toContain(residence.processId);
    expect(ids).not.toContain(amrProcessId);
    for (const p of body) expect(p.processDefinition.processBody).toContainEqual({ code: 'agency', value: '110000-PSB' });
    const mine = body.find((p) => p.id === residence.processId)!;
    expect(mine.processDefinition).toMatchObject({ name: expect.stringMatching(/residence permit/) as string, type: 'Public', version: String(residence.version), isExecutable: true, isClosed: true });
    expect(mine.processDefinition.processBody).toEqual(expect.arrayContaining([
      { code: 'serviceId', value: residence.id }, { code: 'initialState', value: 'submitted' },
      { code: 'state.withdrawn.final', value: 'true' }, { code: 'state.in_review.final', value: 'false' },
    ]));
    const transition = mine.processDefinition.processBody.find((p) => p.code === 'transition.1');
    expect(JSON.parse(transition!.value)).toMatchObject({ action: expect.any(String) as string, from: expect.any(Array) as unknown[], to: expect.any(String) as string });

    const zh = await call('GET', '/processes', 'psb', undefined, 'zh-CN');
    expect(zh.json<Process[]>().find((p) => p.id === residence.processId)?.processDefinition.name).toMatch(/居住/);
  });

  it('answers one process by id, and 404 problem+json for an unknown one or another agency\'s', async () => {
    const res = await call('GET', `/processes/${residence.processId}`, 'psb-read');
    expect(res.statusCode).toBe(200);
    expect(violations('/processes/{processId}', 'get', '200', res.json())).toEqual([]);
    expect(res.json<Process>().id).toBe(residence.processId);

    for (const id of [`${residence.id}.v999`, residence.id, 'nonsense', amrProcessId]) {
      const missing = await call('GET', `/processes/${encodeURIComponent(id)}`, 'psb');
      expect(missing.statusCode, id).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.json()).toMatchObject({ code: 'TB_WORKFLOW_PROCESS_NOT_FOUND', status: 404 });
    }
    // The other agency's own system sees it.
    expect((await call('GET', `/processes/${amrProcessId}`, 'amr')).statusCode).toBe(200);
  });

  it('refuses a call without a token, with a token lacking the scope, and writes with a read-only token', async () => {
    const none = await call('GET', '/processes', undefined);
    expect(none.statusCode).toBe(401);
    expect(none.json()).toMatchObject({ code: 'TB_AUTH_CLIENT_TOKEN_MISSING' });
    expect(none.headers['www-authenticate']).toBe('Bearer scope="workflow:read"');
    const bad = await call('GET', '/instances', 'nobody');
    expect(bad.statusCode).toBe(401);
    const scopeless = await call('GET', `/instances/${await numberOf(open.id)}`, 'psb-other');
    expect(scopeless.statusCode).toBe(403);
    expect(scopeless.json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    const readOnly = await call('POST', `/instances/${await numberOf(open.id)}/stop`, 'psb-read');
    expect(readOnly.statusCode).toBe(403);
    // The token is checked before the query: an unknown caller learns nothing about it.
    expect((await call('GET', '/instances?maxResult=0', undefined)).statusCode).toBe(401);
  });

  it('lists its agency\'s cases as instances, newest first, filtered by process, and audits each applicant\'s', async () => {
    const res = await call('GET', '/instances/', 'psb');
    expect(res.statusCode).toBe(200);
    const body = res.json<Instance[]>();
    expect(violations('/instances/', 'get', '200', body)).toEqual([]);
    expect(violations('/instances/', 'get', '200', [{ id: open.id }])).not.toEqual([]);
    const [openNumber, withdrawnNumber] = [await numberOf(open.id), await numberOf(withdrawn.id)];
    expect(body.map((i) => i.id).slice(0, 2)).toEqual([withdrawnNumber, openNumber]);
    expect(body.find((i) => i.id === openNumber)).toMatchObject({ processRef: residence.processId, state: 'running', initTime: expect.stringMatching(/Z$/) as string });
    expect(body.find((i) => i.id === withdrawnNumber)).toMatchObject({ state: 'terminated' });
    // Without the slash too; and by process, exactly or by service.
    expect((await call('GET', '/instances', 'psb')).json<Instance[]>()).toEqual(body);
    expect((await call('GET', `/instances?processId=${residence.processId}`, 'psb')).json<Instance[]>().every((i) => i.processRef === residence.processId)).toBe(true);
    expect((await call('GET', `/instances?processId=${residence.id}`, 'psb')).json<Instance[]>().map((i) => i.id)).toEqual(expect.arrayContaining([openNumber, withdrawnNumber]));
    expect((await call('GET', '/instances?maxResult=1', 'psb')).json<Instance[]>().map((i) => i.id)).toEqual([withdrawnNumber]);
    expect((await call('GET', '/instances?maxResult=1&firstResult=1', 'psb')).json<Instance[]>().map((i) => i.id)).toEqual([openNumber]);

    const listed = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'workflow.case.list');
    expect(listed.length).toBeGreaterThan(0);
    expect(listed[0]).toMatchObject({
      actor: { kind: 'client', id: 'psb-workflow', organisation: '110000-PSB' }, subject: CITIZEN.accountId,
      purpose: 'An agency system reading its cases as process instances (GovStack Workflow API)',
    });
    expect(listed.some((r) => (r.details?.cases as string[]).includes(open.id))).toBe(true);

    // Another agency's system sees none of these.
    const amr = (await call('GET', '/instances', 'amr')).json<Instance[]>().map((i) => i.id);
    expect(amr).not.toContain(openNumber);
    expect(amr).not.toContain(withdrawnNumber);
  });

  it('refuses a bad query with 400 and the field, and another agency\'s or an unknown process filter with 404', async () => {
    for (const query of ['maxResult=0', 'maxResult=101', 'firstResult=-1', 'processId=nonsense', 'maxResult=x']) {
      const res = await call('GET', `/instances?${query}`, 'psb');
      expect(res.statusCode, query).toBe(400);
      expect(res.json(), query).toMatchObject({ code: 'TB_KERNEL_VALIDATION', errors: [{ pointer: expect.stringMatching(/^\/querystring\//) as string }] });
    }
    for (const processId of [amrProcessId, `${residence.id}.v999`, '00000000-0000-4000-8000-000000000000']) {
      const res = await call('GET', `/instances?processId=${processId}`, 'psb');
      expect(res.statusCode, processId).toBe(404);
      expect(res.json()).toMatchObject({ code: 'TB_WORKFLOW_PROCESS_NOT_FOUND', errors: [{ pointer: '/querystring/processId' }] });
    }
  });

  it('answers one instance by number or by case id, audited for its applicant; 404 for an unknown one or another agency\'s', async () => {
    const number = await numberOf(open.id);
    const before = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'workflow.case.view').length;
    const res = await call('GET', `/instances/${number}`, 'psb');
    expect(res.statusCode).toBe(200);
    expect(violations('/instances/{instanceId}', 'get', '200', res.json())).toEqual([]);
    expect(res.json()).toEqual({ id: number, processRef: residence.processId, initTime: expect.any(String) as string, state: 'running', lastChangeTime: expect.any(String) as string });
    expect((await call('GET', `/instances/${open.id}`, 'psb')).json()).toEqual(res.json());

    const viewed = (await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'workflow.case.view');
    expect(viewed.length).toBe(before + 2);
    expect(viewed.find((r) => r.requestId === res.headers['x-request-id'])).toMatchObject({
      actor: { kind: 'client', id: 'psb-workflow', organisation: '110000-PSB' }, resource: { type: 'case', id: open.id }, details: { cases: [open.id], numbers: [number] },
    });

    for (const [id, as] of [[String(number), 'amr'], [open.id, 'amr'], ['999999999', 'psb'], ['00000000-0000-4000-8000-000000000000', 'psb'], ['abc', 'psb'], ['99999999999999999999', 'psb']] as const) {
      const missing = await call('GET', `/instances/${id}`, as);
      expect(missing.statusCode, `${id} as ${as}`).toBe(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.json()).toMatchObject({ code: 'TB_WORKFLOW_NOT_FOUND' });
    }
    // The refused reads are not audited as reads.
    expect((await built.kernel.audit.listBySubject(CITIZEN.accountId, { limit: 500 })).filter((r) => r.action === 'workflow.case.view').length).toBe(before + 2);
  });

  it('refuses to start an instance: a case starts from an application (after the process is checked)', async () => {
    const before = (await call('GET', '/instances', 'psb')).json<Instance[]>();
    const res = await call('POST', `/processes/${residence.processId}/start`, 'psb', { processStartedBy: 'psb-case-system', InstanceValues: [{ code: 'x', value: 'y' }] });
    expect(res.statusCode).toBe(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'TB_WORKFLOW_START_NEEDS_APPLICATION', detail: expect.stringContaining(`/govstack/registration/services/${residence.id}/applications`) as string });
    expect((await call('GET', '/instances', 'psb')).json<Instance[]>()).toEqual(before);

    expect((await call('POST', `/processes/${amrProcessId}/start`, 'psb', { processStartedBy: 'x' })).statusCode).toBe(404);
    const missingStarter = await call('POST', `/processes/${residence.processId}/start`, 'psb', {});
    expect(missingStarter.statusCode).toBe(400);
    expect(missingStarter.json()).toMatchObject({ code: 'TB_KERNEL_VALIDATION' });
    expect((await call('POST', `/processes/${residence.processId}/start`, undefined, { processStartedBy: 'x' })).statusCode).toBe(401);
  });

  it('refuses to stop an instance: no action of a system ends a case; 404 for another agency\'s', async () => {
    const number = await numberOf(open.id);
    const res = await call('POST', `/instances/${number}/stop`, 'psb');
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'TB_WORKFLOW_STOP_NOT_OFFERED' });
    expect((await built.services.workflow.getCase(open.id)).final).toBe(false);
    expect((await call('POST', `/instances/${await numberOf(withdrawn.id)}/stop`, 'psb')).json()).toMatchObject({ code: 'TB_WORKFLOW_STOP_NOT_OFFERED', detail: expect.stringContaining('already ended') as string });
    expect((await call('POST', `/instances/${number}/stop`, 'amr')).statusCode).toBe(404);
    expect((await call('POST', '/instances/424242424/stop', 'psb')).statusCode).toBe(404);
    expect((await call('POST', `/instances/${number}/stop`, undefined)).statusCode).toBe(401);
  });

  it('refuses to add, change or delete a process with 405: services are published through the catalog', async () => {
    for (const [method, path] of [['POST', '/processes'], ['PUT', `/processes/${residence.processId}`], ['DELETE', `/processes/${residence.processId}`]] as const) {
      const res = await call(method, path, 'psb', method === 'DELETE' ? undefined : { name: 'x', type: 'Public', version: '1' });
      expect(res.statusCode, `${method} ${path}`).toBe(405);
      expect(res.headers.allow).toBe('GET');
      expect(res.json()).toMatchObject({ code: 'TB_WORKFLOW_PROCESS_READ_ONLY' });
      expect((await call(method, path, undefined, method === 'DELETE' ? undefined : {})).statusCode).toBe(401);
    }
    expect((await call('GET', `/processes/${residence.processId}`, 'psb')).statusCode).toBe(200);
  });

  it('records every authenticated call with its operation, and none for a refused caller', async () => {
    const calls = async () => (await sql<{ actor_id: string; details: { operation: string } }>`select actor_id, details from tb_audit_record where action = 'govstack.workflow.call'`.execute(built.kernel.db)).rows;
    const before = (await calls()).length;
    await call('GET', '/processes', 'psb-read');
    await call('GET', '/processes', undefined);
    const after = await calls();
    expect(after.length).toBe(before + 1);
    expect(after.map((r) => [r.actor_id, r.details.operation])).toContainEqual(['psb-workflow-dashboard', 'getProcessList']);
  });
});
