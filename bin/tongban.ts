#!/usr/bin/env -S npx tsx
import { Command } from 'commander';
import { registerAuditCommands } from '../src/cli/audit.js';
import { registerBackupCommands } from '../src/cli/backup.js';
import { registerCalendarCommands } from '../src/cli/calendar.js';
import { registerClientsCommands } from '../src/cli/clients.js';
import { openCli } from '../src/cli/context.js';
import { registerImportCommand } from '../src/cli/import.js';
import { registerJobsCommands } from '../src/cli/jobs.js';
import { registerKeysCommands } from '../src/cli/keys.js';
import { registerMigrateCommands } from '../src/cli/migrate.js';
import { registerSeedCommand } from '../src/cli/seed.js';
import { registerServeCommand } from '../src/cli/serve.js';
import { registerSessionsCommands } from '../src/cli/sessions.js';
import { registerTokensCommands } from '../src/cli/tokens.js';
import { ConfigError } from '../src/kernel/config/index.js';

const program = new Command('tongban').description('Tongban 通办: one-stop e-government platform');
registerServeCommand(program);
registerMigrateCommands(program);
registerSeedCommand(program, () => openCli());
registerAuditCommands(program, () => openCli());
registerImportCommand(program, () => openCli());
registerKeysCommands(program, () => openCli());
registerTokensCommands(program);
registerClientsCommands(program, () => openCli());
registerSessionsCommands(program, () => openCli());
registerJobsCommands(program, () => openCli());
registerBackupCommands(program);
registerCalendarCommands(program, () => openCli());

/** The message and each cause's, one a line: what an operator acts on (a stack trace buries it). */
function explain(error: unknown): string {
  const lines: string[] = [];
  for (let e: unknown = error, depth = 0; e !== undefined && depth < 8; depth++) {
    const message = e instanceof Error ? e.message : JSON.stringify(e);
    lines.push(depth === 0 ? message : `  caused by: ${message}`);
    e = e instanceof Error ? e.cause : undefined;
  }
  return lines.join('\n');
}

program.parseAsync().catch((error: unknown) => {
  // A bad setting names the variable and what is wrong; anything else prints its message and its
  // causes' messages, not the stack.
  console.error(error instanceof ConfigError ? error.message : explain(error));
  process.exitCode = 1;
});
