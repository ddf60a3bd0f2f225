import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { csrfToken, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { exchangeHref, readBodiesHref } from './pages-exchanges.js';
import { mediatorDemoApp, personaBrowsers, seedAdmin, startProvider, tokenFor } from './test-kit.js';

const PUBLIC_URL = 'http://tongban.test';
const CLIENT = 'CN/GOV/110000-CAB/case-system';
const KEPT = `${DEMO.psb.subsystem}/kept`;

/**
 * The stored bodies' purpose form answers a purpose longer than the body schema once allowed
 * (2,000), or sent twice, with the form: the error summary, a link to the box and what was typed.
 */
describeEachDatabase('mediator: the stored bodies\' purpose, long or repeated', migrationSources, (use) => {
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let token: string;
  let admin: TestBrowser;

  beforeAll(async () => {
    built = await mediatorDemoApp(use(), PUBLIC_URL);
    provider = await startProvider();
    const { mediator } = built.services;
    await mediator.addSubsystem({ memberId: DEMO.cab.member, code: 'case-system', name: 'Cases', clientId: 'test-cab-exchanges-input' }, seedAdmin);
    await mediator.saveService({ subsystemId: DEMO.psb.subsystem, code: 'kept', name: 'Kept', baseUrl: provider.url, storeBodies: true }, seedAdmin);
    await mediator.grant({ serviceId: KEPT, clientId: CLIENT, method: 'POST', path: '/echo' }, seedAdmin);
    token = await tokenFor(built, 'test-cab-exchanges-input', CLIENT);
    admin = (await personaBrowsers(built, PUBLIC_URL, ['platform-admin'])).get('platform-admin')!;
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  it('answers a purpose over 2,000 characters, and one sent twice, with the form and the text kept; nothing is read', async () => {
    const res = await built.app.inject({
      method: 'POST', url: `/r1/${KEPT}/echo`, payload: '{"note":"sealed"}',
      headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT, 'content-type': 'application/json' },
    });
    const messageId = String(res.headers['x-road-id']);
    const page = await admin.get(`${exchangeHref(messageId)}?lang=en`);
    const typed = 'p'.repeat(2001);
    for (const form of [[['purpose', typed]], [['purpose', typed], ['purpose', 'complaint']]] as const) {
      const refused = await admin.post(`${readBodiesHref(messageId)}?lang=en`, [['_csrf', csrfToken(page.body)], ...form]);
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toMatch(/<title>Error: /);
      expect(refused.body).toContain('href="#purpose"');
      expect(refused.body).toContain('Why you need to read them must be 500 characters or fewer');
      expect(refused.body).toContain(typed);
    }
    const reads = await sql<{ n: number }>`select count(*)::int as n from tb_audit_record where action = 'mediator.body.read' and resource_id = ${messageId}`.execute(built.kernel.db);
    expect(reads.rows[0]?.n).toBe(0);
    const read = await admin.post(`${readBodiesHref(messageId)}?lang=en`, [['_csrf', csrfToken(page.body)], ['purpose', 'complaint 2026-19'], ['purpose', typed]]);
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain('sealed');
  });
});
