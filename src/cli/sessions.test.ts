import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, expect, it } from 'vitest';
import { describeEachDatabase } from '../../test/helpers/databases.js';
import type { Built } from '../app.js';
import { demoApp, personaBrowser } from '../modules/applications/test-kit.js';
import { demoPersona } from '../modules/identity/demo-personas.js';
import { migrationSources } from '../modules/index.js';
import { registerSessionsCommands } from './sessions.js';
import { runCli } from './test-kit.js';

afterEach(() => { process.exitCode = undefined; });

/** An operator signs a person out everywhere, or everyone (ASVS 5.0 7.4.5), on both databases. */
describeEachDatabase('tongban sessions end', migrationSources, (use) => {
  let built: Built;
  beforeAll(async () => { built = await demoApp(use()); });
  afterAll(async () => { await built.app.close(); });

  const run = (...args: string[]) => runCli((program, output) => registerSessionsCommands(program, () => Promise.resolve({ kernel: built.kernel, close: () => Promise.resolve() }), output), ['sessions', ...args]);
  const signedIn = async (browser: Awaited<ReturnType<typeof personaBrowser>>) => (await browser.get('/account')).statusCode === 200;

  it('ends every session of one account, then of everyone; the next request is anonymous; audited as cli', async () => {
    const [phone, laptop, other] = [await personaBrowser(built, 'citizen'), await personaBrowser(built, 'citizen'), await personaBrowser(built, 'officer')];
    const citizen = demoPersona('citizen').accountId;

    expect(await run('end', '--account', citizen)).toEqual({ lines: ['2 sessions ended'], errors: [], exitCode: undefined });
    expect([await signedIn(phone), await signedIn(laptop), await signedIn(other)]).toEqual([false, false, true]);

    const again = await personaBrowser(built, 'citizen');
    expect((await run('end', '--all')).lines).toEqual(['2 sessions ended']);
    expect([await signedIn(again), await signedIn(other)]).toEqual([false, false]);

    const records = (await sql<{ subject: string | null; which: string; sessions: number; actor_id: string }>`
      select subject, details->>'which' as which, (details->>'sessions')::int as sessions, actor_id from tb_audit_record
      where action = 'auth.session.end' order by at, seq`.execute(built.kernel.db)).rows;
    expect(records).toEqual([
      { subject: citizen, which: 'account', sessions: 2, actor_id: 'cli' },
      { subject: null, which: 'all', sessions: 2, actor_id: 'cli' },
    ]);
  });

  it('refuses neither or both of --account and --all, ending nothing', async () => {
    const browser = await personaBrowser(built, 'clerk');
    for (const args of [[], ['--account', 'x', '--all']]) {
      const refused = await run('end', ...args);
      expect([refused.exitCode, refused.errors]).toEqual([1, ['Give either --account <accountId> or --all']]);
    }
    expect(await signedIn(browser)).toBe(true);
  });
});
