import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JWK } from 'jose';
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import type { Built } from '../app.js';
import { createClientAssertion, tokenRequestBody } from '../kernel/auth/machine/index.js';
import { keyPair } from '../kernel/auth/machine/testing.js';
import { demoApp } from '../modules/applications/test-kit.js';
import { migrationSources } from '../modules/index.js';
import { registerClientsCommands } from './clients.js';
import { runCli } from './test-kit.js';

afterEach(() => { process.exitCode = undefined; });

describeEachDatabase('tongban clients', migrationSources, (use) => {
  let built: Built;
  const dir = mkdtempSync(join(tmpdir(), 'tongban-clients-'));
  const file = (name: string, value: unknown) => {
    const path = join(dir, name);
    writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
    return path;
  };

  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => {
    await built.app.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const run = (...args: string[]) => runCli((program, output) => registerClientsCommands(program, () => Promise.resolve({ kernel: built.kernel, close: () => Promise.resolve() }), output), ['clients', ...args]);
  /** What the system then does: a token request signed with its private key, through the real endpoint. */
  const tokenWith = async (clientId: string, privateJwk: JWK) => {
    const assertion = await createClientAssertion({ clientId, privateJwk, audience: built.app.machineAuth.tokenUrl });
    return built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['mediator.call']) });
  };
  const audited = async (clientId: string) => (await sql<{ action: string; actor_id: string }>`
    select action, actor_id from tb_audit_record where resource_type = 'api-client' and resource_id = ${clientId} order by at, seq`.execute(built.kernel.db)).rows;

  it('registers a system with its public key, which then gets an access token; list shows it; the change is audited', async () => {
    const first = await keyPair('EdDSA', 'housing-2026');
    const added = await run('add', '--id', 'huc-housing', '--name', 'Housing system', '--organisation', 'CN/GOV/110000-HUC/housing-system',
      '--scope', 'mediator.call', 'read:rights', '--key-file', file('first.json', first.publicJwk));
    expect(added.errors).toEqual([]);
    expect(added.lines).toEqual(['registered', 'huc-housing\tenabled\tCN/GOV/110000-HUC/housing-system\tmediator.call read:rights', '  key housing-2026 (OKP Ed25519)']);
    expect((await tokenWith('huc-housing', first.privateJwk)).statusCode).toBe(200);
    expect((await run('list', '--organisation', 'CN/GOV/110000-HUC/housing-system')).lines[0]).toBe('huc-housing\tenabled\tCN/GOV/110000-HUC/housing-system\tmediator.call read:rights');
    expect(await audited('huc-housing')).toEqual([{ action: 'auth.client.add', actor_id: 'cli' }]);
  });

  it('rolls a key: the new one works once added, the old one is refused once removed; the last key stays', async () => {
    const second = await keyPair('EdDSA', 'housing-2027');
    const added = await run('add-key', 'huc-housing', '--key-file', file('second.json', { keys: [second.publicJwk] }));
    expect(added.lines[0]).toBe('added housing-2027');
    expect((await tokenWith('huc-housing', second.privateJwk)).statusCode).toBe(200);
    expect((await run('remove-key', 'huc-housing', 'housing-2026')).lines[0]).toBe('removed housing-2026');
    const old = await keyPair('EdDSA', 'housing-2026');
    expect((await tokenWith('huc-housing', old.privateJwk)).statusCode).toBe(401);
    const last = await run('remove-key', 'huc-housing', 'housing-2027');
    expect(last.exitCode).toBe(1);
    expect(last.errors[0]).toMatch(/last key/i);
    expect((await tokenWith('huc-housing', second.privateJwk)).statusCode).toBe(200);
    expect((await audited('huc-housing')).map((r) => r.action)).toEqual(['auth.client.add', 'auth.client.key.add', 'auth.client.key.remove']);
  });

  it('renames a system and replaces its scopes: a scope taken away is refused in the token it already holds; audited', async () => {
    const key = await keyPair('EdDSA', 'scopes-test');
    await run('add', '--id', 'huc-config-reader', '--name', 'Config reader', '--organisation', 'CN/GOV/110000-HUC/housing-system', '--scope', 'read:conf', 'mediator.call', '--key-file', file('s.json', key.publicJwk));
    const assertion = await createClientAssertion({ clientId: 'huc-config-reader', privateJwk: key.privateJwk, audience: built.app.machineAuth.tokenUrl });
    const issued = await built.app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, ['read:conf']) });
    const status = () => built.app.inject({ url: '/govstack/im/api/v1/status', headers: { authorization: `Bearer ${issued.json<{ access_token: string }>().access_token}` } });
    expect((await status()).statusCode).toBe(200);

    const changed = await run('set', 'huc-config-reader', '--name', 'Housing mediator client', '--scope', 'mediator.call');
    expect(changed.errors).toEqual([]);
    expect(changed.lines.slice(0, 2)).toEqual(['changed', 'huc-config-reader\tenabled\tCN/GOV/110000-HUC/housing-system\tmediator.call']);
    const refused = await status();
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'TB_AUTH_CLIENT_SCOPE_MISSING' });
    expect((await tokenWith('huc-config-reader', key.privateJwk)).statusCode).toBe(200);

    // The same again writes and records nothing.
    const same = await run('set', 'huc-config-reader', '--name', 'Housing mediator client', '--scope', 'mediator.call');
    expect([same.exitCode ?? 0, same.lines[0]]).toEqual([0, 'unchanged']);

    const nothing = await run('set', 'huc-config-reader');
    expect([nothing.exitCode, nothing.errors[0]]).toEqual([1, 'Give --name, --scope or both']);
    const badScope = await run('set', 'huc-config-reader', '--scope', 'has"quote');
    expect(badScope.exitCode).toBe(1);
    // A scope no service checks is refused, naming the ones that are: a typo would grant nothing.
    const typo = await run('set', 'huc-config-reader', '--scope', 'mediator.call', 'registry:read');
    expect(typo.exitCode).toBe(1);
    expect(typo.errors.join('\n')).toMatch(/No route checks the scope "registry:read": choose one of .*registries:read/);
    expect((await run('add', '--id', 'huc-typo', '--name', 'Typo', '--organisation', '110000-HUC', '--scope', 'mediator.cal', '--key-file', file('typo.json', (await keyPair('EdDSA', 'typo')).publicJwk))).exitCode).toBe(1);
    expect((await run('set', 'no-such-client', '--name', 'x')).errors[0]).toMatch(/no API client/i);
    const records = (await sql<{ action: string; name: string | null; removed: string[] | null }>`
      select action, details->>'name' as name, details->'removed' as removed from tb_audit_record where resource_type = 'api-client' and resource_id = 'huc-config-reader' order by at, seq`.execute(built.kernel.db)).rows;
    expect(records).toEqual([
      { action: 'auth.client.add', name: null, removed: null },
      { action: 'auth.client.change', name: 'Housing mediator client', removed: ['read:conf'] },
    ]);
  });

  it('disables a system (no new tokens) and enables it again, each audited', async () => {
    const key = await keyPair('EdDSA', 'disable-test');
    await run('add', '--id', 'huc-disabled', '--name', 'Paused system', '--organisation', '110000-HUC', '--scope', 'mediator.call', '--key-file', file('d.json', key.publicJwk));
    expect((await run('disable', 'huc-disabled')).lines[0]).toContain('gets no new access tokens');
    expect((await tokenWith('huc-disabled', key.privateJwk)).json()).toMatchObject({ error: 'invalid_client' });
    await run('enable', 'huc-disabled');
    expect((await tokenWith('huc-disabled', key.privateJwk)).statusCode).toBe(200);
    expect((await audited('huc-disabled')).map((r) => r.action)).toEqual(['auth.client.add', 'auth.client.disable', 'auth.client.enable']);
  });

  it('refuses a private key, a file that is not JSON or not there, a taken id and an unknown client, changing and auditing nothing', async () => {
    const key = await keyPair('EdDSA', 'secret');
    const privateFile = await run('add', '--id', 'huc-leaky', '--name', 'Leaky', '--organisation', '110000-HUC', '--scope', 'mediator.call', '--key-file', file('private.json', key.privateJwk));
    expect(privateFile.exitCode).toBe(1);
    expect(privateFile.errors[0]).toMatch(/private/i);
    expect(privateFile.errors.join('\n')).not.toContain(String(key.privateJwk.d));
    const notJson = await run('add', '--id', 'huc-leaky', '--name', 'Leaky', '--organisation', '110000-HUC', '--scope', 'mediator.call', '--key-file', file('bad.json', 'not json'));
    expect(notJson.errors[0]).toContain('is not JSON');
    const missing = await run('add-key', 'huc-housing', '--key-file', join(dir, 'nothing.json'));
    expect(missing.errors[0]).toContain('cannot be read (ENOENT)');
    const taken = await run('add', '--id', 'huc-housing', '--name', 'Again', '--organisation', '110000-HUC', '--scope', 'mediator.call', '--key-file', file('again.json', key.publicJwk));
    expect(taken.errors[0]).toContain('already exists');
    const unknown = await run('disable', 'nobody-here');
    expect([unknown.exitCode, unknown.errors[0]]).toEqual([1, 'There is no API client with id nobody-here']);
    expect((await run('list', '--organisation', '110000-HUC')).lines.filter((l) => l.startsWith('huc-leaky'))).toEqual([]);
    expect(await audited('huc-leaky')).toEqual([]);
    expect(await audited('nobody-here')).toEqual([]);
    expect((await audited('huc-housing')).map((r) => r.action)).toEqual(['auth.client.add', 'auth.client.key.add', 'auth.client.key.remove']);
  });
});
