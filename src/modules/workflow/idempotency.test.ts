import { v4 as uuidv4 } from 'uuid';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { countRows, expectIdempotentWrite } from '../../../test/helpers/idempotency.js';
import { buildApp, type Built } from '../../app.js';
import { builtinIssuer, createIdpUserStore, DEMO_PASSWORD, SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, signIn } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { catalogModule } from '../catalog/index.js';
import { demoPersona } from '../identity/demo-personas.js';
import { identityModule } from '../identity/index.js';
import { migrationSources } from '../index.js';
import type { WorkflowDefinition } from './service.js';

/**
 * Idempotency-Key on the writes of /api/workflow (issue 9, ADR 31): a retried note adds no second
 * note or audit record; a retried action gets the first answer instead of a refusal and records
 * nothing twice (history entry, audit record, jobs, messages).
 */
const PUBLIC_URL = 'http://tongban.test';
const AMR = '110000-AMR';
const SOLE_TRADER = '95b8e774-a8c4-4de6-bbd6-3d74151c3178';
const OFFICER = 'wf-idem-officer';
const COUNTED = ['workflow_notes', 'workflow_actions', 'workflow_cases', 'tb_audit_record', 'kernel_job', 'messaging_messages', 'kernel_idempotency_keys'] as const;

interface Req { readonly url: string; readonly body: object }

describeEachDatabase('Idempotency-Key on /api/workflow writes (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let definition: WorkflowDefinition;
  let cookie = '';

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    await identityModule.seed?.({ kernel: built.kernel, services: built.services });
    await catalogModule.seed?.({ kernel: built.kernel, services: built.services });
    const account = await built.services.identity.saveAccount({ kind: 'staff', name: '幂等经办人' });
    await built.services.identity.grantRole(account.id, AMR, 'officer');
    await createIdpUserStore(built.kernel.db).upsert({ subject: OFFICER, name: '幂等经办人', descriptionKey: 'identity.persona.officer', position: 200, password: DEMO_PASSWORD });
    await built.services.identity.linkIdentity(builtinIssuer(built.kernel.config), OFFICER, account.id);
    const service = await built.services.catalog.getServiceVersion(SOLE_TRADER, 1);
    if (!service) throw new Error('demo service missing');
    definition = service.definition.workflow;
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, OFFICER, { returnTo: '/backoffice' });
    cookie = `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE) ?? ''}`;
  });

  async function startCase(): Promise<string> {
    const caseId = uuidv4();
    await built.services.workflow.start(built.kernel.db, {
      caseId, reference: `TB-2026-${caseId.slice(0, 6).toUpperCase()}`, serviceId: SOLE_TRADER, serviceVersion: 1, agency: AMR, definition,
      submittedAt: built.kernel.now(), actor: { accountId: demoPersona('citizen').accountId, role: 'applicant' },
    });
    return caseId;
  }
  const send = (req: Req, key?: string) => built.app.inject({
    method: 'POST', url: req.url, payload: req.body,
    headers: { cookie, accept: 'application/json', 'accept-language': 'en', ...(key ? { 'idempotency-key': key } : {}) },
  });
  const counts = () => countRows(built.kernel.db, COUNTED);
  const claimed = async () => {
    const id = await startCase();
    expect((await send({ url: `/api/workflow/cases/${id}/actions`, body: { action: 'claim' } })).statusCode).toBe(200);
    return id;
  };

  const cases: { name: string; status: number; arrange: () => Promise<Req>; other: (r: Req) => Req }[] = [
    {
      name: 'POST /api/workflow/cases/{id}/notes', status: 201,
      arrange: async () => ({ url: `/api/workflow/cases/${await startCase()}/notes`, body: { text: 'Phoned the applicant' } }),
      other: (r) => ({ ...r, body: { text: 'Phoned the applicant again' } }),
    },
    {
      name: 'POST /api/workflow/cases/{id}/actions (claim)', status: 200,
      arrange: async () => ({ url: `/api/workflow/cases/${await startCase()}/actions`, body: { action: 'claim' } }),
      other: (r) => ({ ...r, body: { action: 'claim', reason: 'mine now' } }),
    },
    {
      name: 'POST /api/workflow/cases/{id}/actions (release)', status: 200,
      arrange: async () => ({ url: `/api/workflow/cases/${await claimed()}/actions`, body: { action: 'release' } }),
      other: (r) => ({ ...r, body: { action: 'reject', reason: 'no' } }),
    },
  ];

  it.each(cases)('$name: a retry writes nothing twice', async (c) => {
    await expectIdempotentWrite({
      ...c, key: `workflow-idem-${c.name.replace(/[^A-Za-z0-9]+/g, '-').slice(0, 80)}`, send, counts, db: built.kernel.db,
    });
  });

  it('without a key a second note is a second note, and a second claim is refused as before', async () => {
    const id = await startCase();
    const note = { url: `/api/workflow/cases/${id}/notes`, body: { text: 'Twice' } };
    expect([(await send(note)).statusCode, (await send(note)).statusCode]).toEqual([201, 201]);
    expect((await built.services.workflow.listNotes(id, { accountId: 'x', roles: [{ agency: AMR, role: 'officer' }] })).length).toBe(2);
    const claim = { url: `/api/workflow/cases/${id}/actions`, body: { action: 'claim' } };
    expect((await send(claim)).statusCode).toBe(200);
    expect((await send(claim)).json()).toMatchObject({ status: 409, code: 'TB_WORKFLOW_ACTION_NOT_ALLOWED' });
  });

  it('documents the header on both writes in /openapi.json', async () => {
    const spec = (await built.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }>();
    for (const path of ['/api/workflow/cases/{id}/notes', '/api/workflow/cases/{id}/actions']) {
      expect(spec.paths[path]?.post?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key'), path).toBe(true);
    }
  });
});
