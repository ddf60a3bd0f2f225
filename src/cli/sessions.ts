import type { Command } from 'commander';
import { createSessionStore } from '../kernel/auth/index.js';
import type { Kernel } from '../kernel/context.js';
import { standardOutput, type CliOutput } from './output.js';

type Opened = { kernel: Pick<Kernel, 'db' | 'audit' | 'now'>; close(): Promise<void> };

/**
 * `tongban sessions end`: an operator signs a person out everywhere (an account taken over, a
 * device lost) or everyone (a breach, a leaked session table), ASVS 5.0 7.4.5. The next request
 * with an ended session is anonymous, on every instance at once: sessions live in the database.
 * Audited as `auth.session.end` with actor `cli`.
 */
export function registerSessionsCommands(program: Command, open: () => Promise<Opened>, output: CliOutput = standardOutput): void {
  const sessions = program.command('sessions').description('people\'s sign-in sessions');
  sessions.command('end').description('sign a person out of every session (--account), or everyone (--all)')
    .option('--account <accountId>', 'the account whose sessions end')
    .option('--all', 'every session of every account')
    .action(async (options: { account?: string; all?: boolean }) => {
      if ((options.account === undefined) === (options.all !== true)) {
        output.err('Give either --account <accountId> or --all');
        process.exitCode = 1;
        return;
      }
      const opened = await open();
      try {
        const { kernel } = opened;
        const store = createSessionStore(kernel.db, kernel.now);
        const count = options.account === undefined ? await store.destroyAll() : await store.destroyAllFor(options.account);
        await kernel.audit.append(kernel.db, {
          actor: { kind: 'system', id: 'cli' }, action: 'auth.session.end', details: { which: options.account === undefined ? 'all' : 'account', sessions: count },
          ...(options.account === undefined ? {} : { subject: options.account }),
        });
        output.out(`${count} ${count === 1 ? 'session' : 'sessions'} ended`);
      } finally {
        await opened.close();
      }
    });
}
