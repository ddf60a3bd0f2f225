import { Command } from 'commander';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import type { Built } from '../app.js';
import { demoApp } from '../modules/applications/test-kit.js';
import { migrationSources } from '../modules/index.js';
import { registerKeysCommands } from './keys.js';

afterEach(() => { process.exitCode = undefined; });

describeEachDatabase('tongban keys', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => { await built.app.close(); });

  async function run(...args: string[]) {
    const lines: string[] = [];
    const errors: string[] = [];
    const program = new Command('tongban').exitOverride();
    registerKeysCommands(program, () => Promise.resolve({ services: built.services, close: () => Promise.resolve() }), { out: (l) => lines.push(l), err: (l) => errors.push(l) });
    process.exitCode = undefined;
    await program.parseAsync(['keys', ...args], { from: 'user' });
    const exitCode = process.exitCode;
    process.exitCode = undefined;
    return { lines, errors, exitCode };
  }

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
});
