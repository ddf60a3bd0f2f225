import { sql } from 'kysely';
import { beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { countRows, expectIdempotentWrite } from '../../../test/helpers/idempotency.js';
import { buildApp, type Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { createTestBrowser, signIn } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { seedAdmin } from './test-kit.js';

/**
 * Idempotency-Key on `POST /api/mediator/services` (issue 9, ADR 31), an upsert: a retry with the
 * same key and body registers or updates nothing again (no second row, no second audit record, the
 * row's updated_at untouched) and answers the same; the key with another body is 422.
 */
const PUBLIC_URL = 'http://127.0.0.1:9';
const COUNTED = ['mediator_services', 'tb_audit_record', 'kernel_idempotency_keys'] as const;

interface Req { readonly code: string; readonly name: string }

describeEachDatabase('Idempotency-Key on POST /api/mediator/services (issue 9, ADR 31)', migrationSources, (use) => {
  let built: Built;
  let cookie = '';
  let n = 0;

  beforeAll(async () => {
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: PUBLIC_URL, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.ready();
    for (const mod of modules.filter((m) => m.name === 'identity' || m.name === 'mediator')) await mod.seed?.({ kernel: built.kernel, services: built.services });
    const browser = createTestBrowser(built.app, PUBLIC_URL);
    await signIn(browser, 'agency-admin');
    cookie = `${SESSION_COOKIE}=${browser.cookie(SESSION_COOKIE) ?? ''}`;
  });

  const body = (req: Req) => ({ subsystemId: DEMO.psb.subsystem, code: req.code, name: req.name, baseUrl: 'http://127.0.0.1:9/households' });
  const send = (req: Req, key?: string) => built.app.inject({
    method: 'POST', url: '/api/mediator/services', payload: body(req),
    headers: { cookie, accept: 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
  });
  const counts = () => countRows(built.kernel.db, COUNTED);
  const fresh = () => { n += 1; return `households-${n}`; };

  const cases: { name: string; arrange: () => Promise<Req> }[] = [
    { name: 'a new service', arrange: () => Promise.resolve({ code: fresh(), name: 'Households' }) },
    {
      name: 'an update of an existing service',
      arrange: async () => {
        const code = fresh();
        await built.services.mediator.saveService({ ...body({ code, name: 'Households' }), subsystemId: DEMO.psb.subsystem }, seedAdmin);
        return { code, name: 'Households (renamed)' };
      },
    },
  ];

  it.each(cases)('$name: a retry writes nothing twice', async (c) => {
    await expectIdempotentWrite({
      ...c, status: 200, key: `mediator-service-${c.name.replace(/[^A-Za-z0-9]+/g, '-')}`, other: (r) => ({ ...r, name: `${r.name} again` }),
      send, counts, db: built.kernel.db,
    });
  });

  it('keeps the row as the first request wrote it: a replay does not touch updated_at', async () => {
    const req = { code: fresh(), name: 'Households' };
    const first = await send(req, 'mediator-service-updated-at');
    expect(first.statusCode).toBe(200);
    const stamp = async () => (await sql<{ updated_at: Date }>`select updated_at from mediator_services where id = ${`${DEMO.psb.subsystem}/${req.code}`}`.execute(built.kernel.db)).rows[0]?.updated_at;
    const before = await stamp();
    await new Promise((resolve) => setTimeout(resolve, 20));
    const again = await send(req, 'mediator-service-updated-at');
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(await stamp()).toEqual(before);
  });

  it('without a key a retry is a second update and a second audit record, as before', async () => {
    const req = { code: fresh(), name: 'Households' };
    const audited = async () => Number((await sql<{ n: string }>`select count(*) as n from tb_audit_record where resource_id = ${`${DEMO.psb.subsystem}/${req.code}`}`.execute(built.kernel.db)).rows[0]?.n);
    expect([(await send(req)).statusCode, (await send(req)).statusCode]).toEqual([200, 200]);
    expect(await audited()).toBe(2);
  });

  it('documents the header in /openapi.json', async () => {
    const spec = (await built.app.inject({ url: '/openapi.json' })).json<{ paths: Record<string, Record<string, { parameters?: { name: string; in: string }[] }>> }>();
    expect(spec.paths['/api/mediator/services']?.post?.parameters?.some((p) => p.in === 'header' && p.name === 'idempotency-key')).toBe(true);
  });
});
