import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { loadConfig } from '../../kernel/config/index.js';
import { migrationSources, modules } from '../index.js';
import { MEDIATOR_DEMO } from '../mediator/index.js';
import { closedPort, seedAdmin, startProvider, tokenFor } from '../mediator/test-kit.js';
import { DEMO_AGREEMENTS } from './demo.js';

const CLIENT = 'CN/GOV/110000-CAB/case-system';
const SERVICE = 'CN/GOV/110000-PSB/population/consented';
const PERSON = '110101199003072359';
const OTHER = '11010119800101001X';

/**
 * The mediator's consent port, wired in src/modules/index.ts, over real loopback HTTP: a
 * service that needs consent under an agreement passes only while the person's consent is on record.
 */
describeEachDatabase('consent: mediated calls that need consent', migrationSources, (use) => {
  let built: Built;
  let provider: { app: FastifyInstance; url: string };
  let token: string;
  let demoToken: string;

  beforeAll(async () => {
    // Listening on the public URL's port, so the demo population service (served by the app
    // itself under /demo-providers) answers the mediator over loopback.
    const port = await closedPort();
    const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: `http://127.0.0.1:${port}`, TONGBAN_DATA_DIR: ':memory:' });
    built = await buildApp({ config: { ...base, database: use().config.database }, database: use().database });
    await built.app.listen({ host: '127.0.0.1', port });
    for (const mod of modules.filter((m) => ['identity', 'catalog', 'consent', 'mediator'].includes(m.name))) await mod.seed?.({ kernel: built.kernel, services: built.services });
    provider = await startProvider();
    const { mediator } = built.services;
    await mediator.addSubsystem({ memberId: 'CN/GOV/110000-CAB', code: 'case-system', name: 'Cases', clientId: 'test-cab-case-system' }, seedAdmin);
    await mediator.saveService({ subsystemId: 'CN/GOV/110000-PSB/population', code: 'consented', name: 'Persons (consent)', baseUrl: provider.url, needsConsent: true, agreementId: DEMO_AGREEMENTS.mediator }, seedAdmin);
    await mediator.grant({ serviceId: SERVICE, clientId: CLIENT, method: 'GET', path: '/persons/*' }, seedAdmin);
    token = await tokenFor(built, 'test-cab-case-system', CLIENT);
    demoToken = await tokenFor(built, MEDIATOR_DEMO.cab.clientId, MEDIATOR_DEMO.cab.subsystem);
  });
  afterAll(async () => {
    await built.app.close();
    await provider.app.close();
  });

  const call = (person: string, headers: Record<string, string> = { 'x-road-userid': person }) => built.app.inject({
    method: 'GET', url: `/r1/${SERVICE}/persons/${person}`,
    headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT, 'x-road-issue': 'civil affairs case', ...headers },
  });
  const change = { agreementId: DEMO_AGREEMENTS.mediator, idNumber: PERSON, channel: 'online' as const, actor: { kind: 'person' as const, id: 'citizen' } };

  it('gates the demo population service on the demo agreement: refused, answered after consent, refused after withdrawal', async () => {
    const demo = (await built.services.mediator.listServices()).find((s) => s.id === MEDIATOR_DEMO.psb.service);
    expect(demo).toMatchObject({ needs_consent: true, agreement_id: DEMO_AGREEMENTS.mediator });
    const ask = () => built.app.inject({
      method: 'GET', url: `/r1/${MEDIATOR_DEMO.psb.service}/persons/${PERSON}`,
      headers: { authorization: `Bearer ${demoToken}`, 'information-mediator-client': MEDIATOR_DEMO.cab.subsystem, 'x-road-issue': 'minimum living allowance case' },
    });
    expect((await ask()).json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING', status: 403 });
    await built.services.consent.give(change);
    const answered = await ask();
    expect(answered.statusCode).toBe(200);
    expect(answered.json()).toMatchObject({ idNumber: PERSON, name: '张伟', requestedBy: MEDIATOR_DEMO.cab.subsystem, purpose: 'minimum living allowance case' });
    await built.services.consent.withdraw(change);
    expect((await ask()).json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING' });
  });

  it('refuses the call with the mediator\'s consent-missing error while there is no consent', async () => {
    const res = await call(PERSON);
    expect(res.statusCode).toBe(403);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING', status: 403 });
  });

  it('passes the call to the provider once the person has given consent, naming them by header or path', async () => {
    await built.services.consent.give(change);
    const res = await call(PERSON);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: PERSON, received: { userId: PERSON, issue: 'civil affairs case' } });
    expect((await call(PERSON, {})).statusCode).toBe(200);
    // Someone else's consent does not cover another person.
    expect((await call(OTHER)).json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING' });
    // Nor when the header names the person who consented and the path or the query someone else.
    expect((await call(OTHER, { 'x-road-userid': PERSON })).json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING' });
    const asked = await built.app.inject({
      method: 'GET', url: `/r1/${SERVICE}/persons/${PERSON}?spouse=${OTHER}`,
      headers: { authorization: `Bearer ${token}`, 'information-mediator-client': CLIENT, 'x-road-issue': 'civil affairs case', 'x-road-userid': PERSON },
    });
    expect(asked.json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING' });
  });

  it('refuses the call again after the person withdraws consent', async () => {
    await built.services.consent.withdraw(change);
    const res = await call(PERSON);
    expect(res.statusCode).toBe(403);
    expect(res.json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING' });
  });

  it('refuses a call under a retired agreement even with consent on record', async () => {
    const { consent } = built.services;
    await consent.give(change);
    expect((await call(PERSON)).statusCode).toBe(200);
    await consent.retireAgreement(DEMO_AGREEMENTS.mediator, { actor: { kind: 'system', id: 'test' }, may: () => true });
    expect((await call(PERSON)).json()).toMatchObject({ code: 'TB_MEDIATOR_CONSENT_MISSING' });
  });
});
