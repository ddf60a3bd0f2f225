import { generateKeyPairSync } from 'node:crypto';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { expectPagesAccessible } from '../../../test/helpers/accessible-pages.js';
import { describeEachDatabase } from '../../../test/helpers/databases.js';
import type { Built } from '../../app.js';
import { SESSION_COOKIE } from '../../kernel/auth/index.js';
import { csrfToken, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { migrationSources } from '../index.js';
import { MEDIATOR_DEMO as DEMO } from './index.js';
import { mediatorDemoApp, personaBrowsers } from './test-kit.js';
import { makeCertificate } from './test-tls.js';

const PUBLIC_URL = 'http://tongban.test';
const REGISTRY = '/admin/mediator/registry';
const OPENAPI = '{"openapi":"3.1.0","info":{"title":"Households","version":"1"},"paths":{"/households/{id}":{"get":{}}}}';

describeEachDatabase('mediator registry pages', migrationSources, (use) => {
  let built: Built;
  let browsers: Map<string, TestBrowser>;
  /** Pages other tests met, checked with axe at the end. */
  const sessionPages: [string, string][] = [];

  beforeAll(async () => {
    built = await mediatorDemoApp(use(), PUBLIC_URL);
    browsers = await personaBrowsers(built, PUBLIC_URL, ['officer', 'agency-admin', 'platform-admin']);
  });
  afterAll(async () => { await built.app.close(); });

  const as = (persona: string) => browsers.get(persona)!;
  /** Posts a form as a person would: the CSRF token comes from the form's own page. */
  const submit = async (persona: string, formPage: string, action: string, form: Record<string, string>) => {
    const token = csrfToken((await as(persona).get(formPage)).body);
    return as(persona).post(action, { _csrf: token, ...form });
  };
  const audited = async (action: string, id: string) =>
    (await sql<{ actor_id: string }>`select actor_id from tb_audit_record where action = ${action} and resource_id = ${id}`.execute(built.kernel.db)).rows;

  it('lists the registry of the administrator\'s own agency, all of it for a platform administrator, none for an officer', async () => {
    const own = await as('agency-admin').get(`${REGISTRY}?lang=en`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Information mediator registry');
    expect(own.body).toContain(`<code>${DEMO.psb.service}</code>`);
    expect(own.body).not.toContain(DEMO.amr.service);
    expect(own.body).toContain('/persons/*');
    const chinese = await as('agency-admin').get(REGISTRY);
    expect(chinese.body).toContain('信息中介注册管理');
    const all = await as('platform-admin').get(`${REGISTRY}?lang=en`);
    expect(all.body).toContain(`<code>${DEMO.amr.service}</code>`);
    expect(all.body).toContain(`<code>${DEMO.psb.service}</code>`);
    expect((await as('officer').get(REGISTRY)).statusCode).toBe(403);
  });

  it('adds a subsystem of the own agency, audited; refuses another agency\'s member; keeps what was typed on an error', async () => {
    const form = `${REGISTRY}/subsystems/new`;
    const wrong = await submit('agency-admin', form, form, { member: DEMO.psb.member, code: 'bad code!', name: '', clientId: 'psb-household' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('tb-error-summary');
    expect(wrong.body).toContain('href="#code"');
    expect(wrong.body).toContain('href="#name"');
    expect(wrong.body).toContain('value="bad code!"');
    expect(wrong.body).toContain('value="psb-household"');
    expect(wrong.body).toMatch(new RegExp(`<option value="${DEMO.psb.member}" selected`));

    const added = await submit('agency-admin', form, form, { member: DEMO.psb.member, code: 'household', name: '户籍系统', clientId: 'psb-household' });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`${REGISTRY}?done=subsystem`);
    expect((await as('agency-admin').follow(added)).body).toContain(`<code>${DEMO.psb.member}/household</code>`);
    expect(await audited('mediator.subsystem.add', `${DEMO.psb.member}/household`)).toEqual([{ actor_id: '0190a1b2-0000-7000-8000-000000000005' }]);

    const again = await submit('agency-admin', form, form, { member: DEMO.psb.member, code: 'household', name: '户籍系统', clientId: '' });
    expect(again.statusCode).toBe(422);
    expect(again.body).toContain('已存在相同编码或相同接口客户端的子系统');

    const other = await submit('agency-admin', form, form, { member: DEMO.amr.member, code: 'sneaky', name: 'Sneaky', clientId: '' });
    expect(other.statusCode).toBe(403);
    expect((await built.services.mediator.listSubsystems(DEMO.amr.member)).map((s) => s.code)).not.toContain('sneaky');
  });

  it('adds and edits a service with a pasted OpenAPI description, and refuses to edit another agency\'s', async () => {
    const form = `${REGISTRY}/services/new`;
    const fields = { subsystem: DEMO.psb.subsystem, code: 'households', name: '户籍查询', baseUrl: 'https://household.psb.example.cn/api', agreementId: '', timeoutMs: '' };
    const broken = await submit('agency-admin', form, form, { ...fields, openapi: '{"openapi": "3.1.0", paths: {}', options: 'needsConsent' });
    expect(broken.statusCode).toBe(422);
    expect(broken.body).toContain('href="#openapi"');
    expect(broken.body).toContain('href="#agreementId"');
    // The textarea keeps the broken JSON, escaped; the ticked box stays ticked.
    expect(broken.body).toContain('{&quot;openapi&quot;: &quot;3.1.0&quot;, paths: {}</textarea>');
    expect(broken.body).toMatch(/value="needsConsent" checked/);

    const saved = await submit('agency-admin', form, form, { ...fields, openapi: OPENAPI, options: 'storeBodies' });
    expect(saved.statusCode).toBe(303);
    const id = `${DEMO.psb.subsystem}/households`;
    const service = (await built.services.mediator.listServices()).find((s) => s.id === id);
    expect(service).toMatchObject({ base_url: 'https://household.psb.example.cn/api', store_bodies: true, needs_consent: false, openapi: JSON.parse(OPENAPI) as unknown });
    expect(await audited('mediator.service.add', id)).toHaveLength(1);

    const edit = `${REGISTRY}/services/edit?id=${encodeURIComponent(id)}`;
    const editPage = await as('agency-admin').get(`${edit}&lang=en`);
    expect(editPage.body).toContain('value="https://household.psb.example.cn/api"');
    expect(editPage.body).toMatch(/value="storeBodies" checked/);
    const changed = await submit('agency-admin', edit, edit, { name: '户籍查询（新）', baseUrl: 'https://household.psb.example.cn/v2', openapi: OPENAPI, agreementId: '', timeoutMs: '5000', code: 'ignored' });
    expect(changed.statusCode).toBe(303);
    expect((await built.services.mediator.listServices()).find((s) => s.id === id)).toMatchObject({ name: '户籍查询（新）', base_url: 'https://household.psb.example.cn/v2', timeout_ms: 5000, store_bodies: false });
    expect(await audited('mediator.service.update', id)).toHaveLength(1);

    const foreign = `${REGISTRY}/services/edit?id=${encodeURIComponent(DEMO.amr.service)}`;
    expect((await as('agency-admin').get(foreign)).statusCode).toBe(403);
    const token = csrfToken((await as('agency-admin').get(REGISTRY)).body);
    expect((await as('agency-admin').post(foreign, { _csrf: token, ...fields, code: 'companies', subsystem: DEMO.amr.subsystem, openapi: '' })).statusCode).toBe(403);
  });

  it('grants an access right and revokes it after confirmation, both audited; keeps a wrong path', async () => {
    const form = `${REGISTRY}/rights/new`;
    const wrong = await submit('agency-admin', form, form, { service: DEMO.psb.service, client: DEMO.cab.subsystem, method: 'GET', path: 'persons/**/x' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('href="#path"');
    expect(wrong.body).toContain('value="persons/**/x"');
    const foreign = await submit('agency-admin', form, form, { service: DEMO.amr.service, client: DEMO.cab.subsystem, method: 'GET', path: '/companies/*/history' });
    expect(foreign.statusCode).toBe(403);

    const granted = await submit('agency-admin', form, form, { service: DEMO.psb.service, client: DEMO.cab.subsystem, method: 'GET', path: '/persons/*/photo' });
    expect(granted.statusCode).toBe(303);
    const right = (await built.services.mediator.listRights({ serviceId: DEMO.psb.service })).find((r) => r.path === '/persons/*/photo');
    expect(right).toBeDefined();
    expect(await audited('mediator.right.grant', right!.id)).toHaveLength(1);

    const confirm = `${REGISTRY}/rights/${right!.id}/revoke`;
    const confirmPage = await as('agency-admin').get(`${confirm}?lang=en`);
    expect(confirmPage.body).toContain('Revoke this access right?');
    expect(confirmPage.body).toContain(`${DEMO.cab.subsystem} will no longer be able to call GET /persons/*/photo`);
    // Another agency's administrator cannot even see the confirmation of a right on this service.
    const amrRight = (await built.services.mediator.listRights({ serviceId: DEMO.amr.service }))[0]!;
    expect((await as('agency-admin').get(`${REGISTRY}/rights/${amrRight.id}/revoke`)).statusCode).toBe(403);

    const revoked = await submit('agency-admin', confirm, confirm, {});
    expect(revoked.statusCode).toBe(303);
    expect(revoked.headers.location).toBe(`${REGISTRY}?done=revoke`);
    expect((await built.services.mediator.listRights({ serviceId: DEMO.psb.service })).some((r) => r.id === right!.id)).toBe(false);
    expect(await audited('mediator.right.revoke', right!.id)).toHaveLength(1);
    // A post without the form's CSRF token changes nothing.
    expect((await as('agency-admin').post(`${REGISTRY}/rights/${amrRight.id}/revoke`, {})).statusCode).toBe(403);
  });

  it('registers a TLS client certificate from the form, saying what is wrong with a pasted key, and removes it after confirmation', async () => {
    const form = `${REGISTRY}/certificates/new`;
    const pair = makeCertificate('population.psb.example.cn');
    const empty = await submit('agency-admin', `${form}?lang=en`, form, { subsystem: '', certificate: '' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#subsystem"');
    expect(empty.body).toContain('href="#certificate"');
    const key = await submit('agency-admin', form, form, { subsystem: DEMO.psb.subsystem, certificate: pair.key });
    expect(key.statusCode).toBe(422);
    expect(key.body).toContain('这是私钥');
    // A pasted private key is not shown again in the page.
    expect(key.body).not.toContain('PRIVATE KEY');
    const foreign = await submit('agency-admin', form, form, { subsystem: DEMO.cab.subsystem, certificate: pair.cert });
    expect(foreign.statusCode).toBe(403);

    const added = await submit('agency-admin', form, form, { subsystem: DEMO.psb.subsystem, certificate: pair.cert });
    expect(added.statusCode).toBe(303);
    expect(added.headers.location).toBe(`${REGISTRY}?done=certificate`);
    const [row] = await built.services.mediator.listCertificates(DEMO.psb.subsystem);
    const grouped = (row!.sha256.match(/.{2}/g) ?? []).join(':').toUpperCase();
    const list = await as('agency-admin').get(`${REGISTRY}?lang=en&done=certificate`);
    expect(list.body).toContain('The certificate has been registered.');
    expect(list.body).toContain(grouped);
    expect(list.body).toContain('CN=population.psb.example.cn, O=Tongban test');
    expect(await audited('mediator.certificate.add', row!.sha256)).toEqual([{ actor_id: '0190a1b2-0000-7000-8000-000000000005' }]);
    const twice = await submit('agency-admin', form, form, { subsystem: DEMO.psb.subsystem, certificate: pair.cert });
    expect(twice.statusCode).toBe(422);
    expect(twice.body).toContain('该证书已登记');

    const confirm = `${REGISTRY}/certificates/${row!.sha256}/remove`;
    const confirmPage = await as('agency-admin').get(`${confirm}?lang=en`);
    expect(confirmPage.body).toContain('Remove this certificate?');
    expect(confirmPage.body).toContain(`Calls from ${DEMO.psb.subsystem} with the certificate ${grouped} will be refused`);
    expect((await as('officer').get(confirm)).statusCode).toBe(403);
    const removed = await submit('agency-admin', confirm, confirm, {});
    expect(removed.statusCode).toBe(303);
    expect(removed.headers.location).toBe(`${REGISTRY}?done=certificateRemoved`);
    expect(await built.services.mediator.listCertificates(DEMO.psb.subsystem)).toEqual([]);
    expect(await audited('mediator.certificate.remove', row!.sha256)).toHaveLength(1);
    expect((await as('agency-admin').get(confirm)).statusCode).toBe(404);
  });

  it('registers access-token keys from the form, never showing a pasted private key again, and removes one after confirmation but not the last', async () => {
    const form = `${REGISTRY}/keys/new`;
    const jwk = (kid: string) => ({ ...generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' }), kid });
    const empty = await submit('agency-admin', `${form}?lang=en`, form, { subsystem: '', key: 'not json' });
    expect(empty.statusCode).toBe(422);
    expect(empty.body).toContain('href="#subsystem"');
    expect(empty.body).toContain('公钥必须是 JSON Web Key（JWK）');
    const secret = JSON.stringify({ ...generateKeyPairSync('ed25519').privateKey.export({ format: 'jwk' }), kid: 'secret' });
    const leaked = await submit('agency-admin', form, form, { subsystem: DEMO.psb.subsystem, key: secret });
    expect(leaked.statusCode).toBe(422);
    expect(leaked.body).toContain('这是私钥');
    expect(leaked.body).not.toContain((JSON.parse(secret) as { d: string }).d);
    expect((await submit('agency-admin', form, form, { subsystem: DEMO.cab.subsystem, key: JSON.stringify(jwk('x')) })).statusCode).toBe(403);

    for (const kid of ['population-a', 'population-b']) {
      const added = await submit('agency-admin', form, form, { subsystem: DEMO.psb.subsystem, key: JSON.stringify(jwk(kid)) });
      expect(added.headers.location).toBe(`${REGISTRY}?done=key`);
    }
    const list = await as('agency-admin').get(`${REGISTRY}?lang=en&done=key`);
    expect(list.body).toContain('The key has been registered.');
    expect(list.body).toContain('<code>CN:GOV:110000-PSB:population</code>');
    const confirm = `${REGISTRY}/keys/remove?subsystem=${encodeURIComponent(DEMO.psb.subsystem)}&kid=population-a`;
    expect(list.body).toContain(confirm.replaceAll('&', '&amp;'));
    expect((await as('agency-admin').get(`${confirm}&lang=en`)).body).toContain(`${DEMO.psb.subsystem} can no longer get access tokens with the key population-a`);
    expect((await as('officer').get(confirm)).statusCode).toBe(403);
    const removed = await submit('agency-admin', confirm, confirm, {});
    expect(removed.headers.location).toBe(`${REGISTRY}?done=keyRemoved`);
    expect((await built.services.mediator.clientKeysOf(await built.services.mediator.listSubsystems(DEMO.psb.member))).map((k) => k.kid)).toEqual(['population-b']);
    // The last key has no remove link, and its confirmation is refused.
    expect((await as('agency-admin').get(REGISTRY)).body).not.toContain('kid=population-b');
    expect((await as('agency-admin').get(confirm)).statusCode).toBe(404);
    expect(await audited('mediator.client-key.remove', DEMO.psb.subsystem)).toEqual([{ actor_id: '0190a1b2-0000-7000-8000-000000000005' }]);
  });

  it('asks for a sign-in within ten minutes before any change (ADR 52): the forms\' pages ask to sign in again, posts and the API are refused, nothing changes', async () => {
    const agencyAdminId = '0190a1b2-0000-7000-8000-000000000005';
    const setSignIns = (at: Date) => sql`update kernel_session set authenticated_at = ${at} where account_id = ${agencyAdminId}`.execute(built.kernel.db);
    const form = `${REGISTRY}/rights/new`;
    let kept = '';
    const token = csrfToken((await as('agency-admin').get(form)).body);
    await setSignIns(new Date(built.kernel.now().getTime() - 11 * 60_000));
    try {
      expect((await as('agency-admin').get(`${REGISTRY}?lang=en`)).statusCode).toBe(200);
      const asked = await as('agency-admin').get(`${form}?lang=en`);
      expect(asked.statusCode).toBe(200);
      expect(asked.body).toContain('Sign in again first');
      expect(asked.body).not.toContain('name="path"');
      expect(asked.body).toContain(`/auth/signin?reauth=1&amp;returnTo=${encodeURIComponent(`${form}?lang=en`)}`);
      expect((await as('agency-admin').get(form)).body).toContain('请先重新登录');
      sessionPages.push(['sign in again (en)', asked.body]);

      const refused = await as('agency-admin').post(form, { _csrf: token, service: DEMO.psb.service, client: DEMO.cab.subsystem, method: 'GET', path: '/persons/*/late' });
      expect(refused.statusCode).toBe(403);
      // What was typed is kept (ADR 55): signing in again comes back to it.
      expect(refused.body).toContain('您填写的内容将保留 15 分钟');
      kept = /returnTo=%2Fauth%2Fheld%2F([0-9a-f-]{36})/.exec(refused.body)?.[1] ?? '';
      expect(kept).not.toBe('');
      sessionPages.push(['sign in again, answers kept (zh)', refused.body]);
      // Still too old a sign-in: the kept answers ask for it again.
      expect((await as('agency-admin').get(`/auth/held/${kept}?lang=en`)).body).toContain('Sign in again first');
      const viaApi = await built.app.inject({
        method: 'POST', url: '/api/mediator/rights', payload: { serviceId: DEMO.psb.service, clientId: DEMO.cab.subsystem, method: 'GET', path: '/persons/*/late' },
        headers: { accept: 'application/json', cookie: `${SESSION_COOKIE}=${as('agency-admin').cookie(SESSION_COOKIE) ?? ''}` },
      });
      expect(viaApi.statusCode).toBe(403);
      expect(viaApi.json()).toMatchObject({ code: 'TB_AUTH_REAUTHENTICATION_REQUIRED' });
      expect((await built.services.mediator.listRights({ serviceId: DEMO.psb.service })).some((r) => r.path === '/persons/*/late')).toBe(false);
    } finally {
      await setSignIns(built.kernel.now());
    }
    expect((await as('agency-admin').get(form)).body).toContain('name="path"');

    // Signed in again: the kept answers, as a form with a fresh token, send the change once.
    const offered = await as('agency-admin').get(`/auth/held/${kept}?lang=en`);
    expect(offered.statusCode).toBe(200);
    expect(offered.body).toContain('Send what you entered');
    expect(offered.body).toContain(`action="${form}"`);
    const hidden = Object.fromEntries([...offered.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1] ?? '', (m[2] ?? '').replaceAll('&amp;', '&')]));
    expect(hidden).toMatchObject({ service: DEMO.psb.service, client: DEMO.cab.subsystem, method: 'GET', path: '/persons/*/late' });
    expect(hidden._csrf).not.toBe(token);
    sessionPages.push(['kept answers (en)', offered.body]);
    const sent = await as('agency-admin').post(form, hidden);
    expect(sent.statusCode).toBe(303);
    expect((await built.services.mediator.listRights({ serviceId: DEMO.psb.service })).some((r) => r.path === '/persons/*/late')).toBe(true);
    // Sent: the kept answers are no longer offered, to their owner or anyone else.
    expect((await as('agency-admin').get(`/auth/held/${kept}`)).statusCode).toBe(404);
    expect((await as('platform-admin').get(`/auth/held/${kept}`)).statusCode).toBe(404);
  });

  it('passes axe (WCAG 2.2 AA) in Chromium: the list and a form with errors, in both languages', async () => {
    const pair = makeCertificate('axe.psb.example.cn');
    await built.services.mediator.addCertificate({ subsystemId: DEMO.psb.subsystem, pem: pair.cert }, { actor: { kind: 'system', id: 'test' }, may: () => true });
    const [certificate] = await built.services.mediator.listCertificates(DEMO.psb.subsystem);
    const [cabKey] = await built.services.mediator.clientKeysOf(await built.services.mediator.listSubsystems(DEMO.cab.member));
    const pages: [string, string][] = [];
    for (const lang of ['zh-CN', 'en']) {
      pages.push([`registry ${lang}`, (await as('platform-admin').get(`${REGISTRY}?lang=${lang}&done=grant`)).body]);
      const form = `${REGISTRY}/services/new?lang=${lang}`;
      const errors = await submit('platform-admin', form, `${REGISTRY}/services/new`, { subsystem: '', code: 'listMethods', name: '', baseUrl: 'ftp://x', openapi: '[]', options: 'needsConsent', agreementId: '', timeoutMs: '5' });
      expect(errors.statusCode).toBe(422);
      pages.push([`service form with errors ${lang}`, errors.body]);
      const certificateForm = `${REGISTRY}/certificates/new?lang=${lang}`;
      const wrong = await submit('platform-admin', certificateForm, `${REGISTRY}/certificates/new`, { subsystem: '', certificate: 'not a certificate' });
      expect(wrong.statusCode).toBe(422);
      pages.push([`certificate form with errors ${lang}`, wrong.body]);
      pages.push([`remove certificate ${lang}`, (await as('platform-admin').get(`${REGISTRY}/certificates/${certificate!.sha256}/remove?lang=${lang}`)).body]);
      const keyForm = `${REGISTRY}/keys/new?lang=${lang}`;
      const badKey = await submit('platform-admin', keyForm, `${REGISTRY}/keys/new`, { subsystem: '', key: 'not json' });
      expect(badKey.statusCode).toBe(422);
      pages.push([`key form with errors ${lang}`, badKey.body]);
      const removeKey = await as('platform-admin').get(`${REGISTRY}/keys/remove?subsystem=${encodeURIComponent(DEMO.cab.subsystem)}&kid=${encodeURIComponent(cabKey!.kid)}&lang=${lang}`);
      expect(removeKey.statusCode).toBe(200);
      pages.push([`remove key ${lang}`, removeKey.body]);
    }
    await expectPagesAccessible(built.app, PUBLIC_URL, [...pages, ...sessionPages]);
  });
});
