import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import type { Built } from '../app.js';
import { demoApp } from '../modules/applications/test-kit.js';
import { migrationSources } from '../modules/index.js';
import { registerKeysCommands } from './keys.js';
import { runCli } from './test-kit.js';

afterEach(() => { process.exitCode = undefined; });

describeEachDatabase('tongban keys', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => { await built.app.close(); });

  const run = (...args: string[]) => runCli((program, output) => registerKeysCommands(program, () => Promise.resolve({ services: built.services, close: () => Promise.resolve() }), output), ['keys', ...args]);

  it('rotates an agency\'s key, keeps the old one published, lists both, and refuses an unknown agency', async () => {
    const first = await run('rotate', '--agency', '110000-HUC');
    expect(first.lines[1]).toBe('it had no key before');
    const second = await run('rotate', '--agency', '110000-HUC');
    const oldKid = /new current key (\S+)/.exec(first.lines[0] ?? '')?.[1];
    expect(second.lines[1]).toBe(`retired (still published): ${oldKid ?? 'missing'}`);
    const listed = await run('list', '--agency', '110000-HUC');
    expect(listed.lines.map((l) => l.split('\t')[1]?.split(' ')[0])).toEqual(['retired', 'current']);
    const published = (await built.app.inject({ method: 'GET', url: '/issuers/110000-HUC/jwks.json' })).json<{ keys: { kid: string }[] }>();
    expect(published.keys.map((k) => k.kid)).toContain(oldKid);
    const unknown = await run('rotate', '--agency', 'nope');
    expect(unknown.exitCode).toBe(1);
    expect(unknown.errors[0]).toContain('nope');
  });

  it('reseals stored keys under the current wrapping key, names any key it cannot open, and fails then', async () => {
    const secrets = () => built.kernel.db.withTables<{ tb_secret: { name: string; value: string } }>();
    const created = await run('rotate', '--agency', '110000-PSB');
    const kid = /new current key (\S+)/.exec(created.lines[0] ?? '')?.[1] ?? '';
    const name = `documents.signing-key.${kid}`;
    const sealedValue = (await secrets().selectFrom('tb_secret').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value;

    const clean = await run('reseal');
    expect(clean.exitCode).toBeUndefined();
    expect(clean.lines[0]).toBe('resealed under the current wrapping key: 0');
    expect(clean.lines.at(-1)).toMatch(/^already under it: [1-9]\d*$/);

    // Changed bytes: no configured key opens it; it is named, left as it was, and the command fails.
    const broken = `${sealedValue.slice(0, -2)}${sealedValue.endsWith('AA') ? 'BB' : 'AA'}`;
    await secrets().updateTable('tb_secret').set({ value: broken }).where('name', '=', name).execute();
    const failed = await run('reseal');
    expect(failed.exitCode).toBe(1);
    expect(failed.errors).toEqual([expect.stringContaining(`${kid}: opens under no configured wrapping key`)]);
    expect((await secrets().selectFrom('tb_secret').select('value').where('name', '=', name).executeTakeFirstOrThrow()).value).toBe(broken);
    const audited = await built.kernel.db.withTables<{ tb_audit_record: { action: string; details: unknown } }>()
      .selectFrom('tb_audit_record').select('details').where('action', '=', 'documents.key.reseal').execute();
    expect(audited).toHaveLength(2);
    expect(audited.map((r) => r.details)).toEqual(expect.arrayContaining([
      expect.objectContaining({ resealed: 0, unopened: [] }),
      expect.objectContaining({ resealed: 0, unopened: [kid] }),
    ]));
    await secrets().updateTable('tb_secret').set({ value: sealedValue }).where('name', '=', name).execute();
  });
});
