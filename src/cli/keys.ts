import type { Command } from 'commander';
import type { Services } from '../modules/index.js';
import { standardOutput, type CliOutput } from './output.js';

/**
 * `tongban keys rotate --agency <code>`: a new current certificate signing key for the agency;
 * the old one is retired but stays published in the JWKS, so certificates it signed still verify.
 * `tongban keys list [--agency <code>]` shows every key and whether it is current.
 * `tongban keys reseal` moves every stored private key onto the current wrapping key (ADR 42).
 */
export function registerKeysCommands(
  program: Command,
  open: () => Promise<{ services: Pick<Services, 'documents'>; close(): Promise<void> }>,
  output: CliOutput = standardOutput,
): void {
  const keys = program.command('keys').description('the agencies\' certificate signing keys');

  keys.command('rotate').description('make a new current signing key for an agency (old keys stay published)')
    .requiredOption('--agency <code>', 'agency code, e.g. 110000-PSB')
    .action(async (options: { agency: string }) => {
      const opened = await open();
      try {
        const rotated = await opened.services.documents.rotateKey(options.agency, { kind: 'system', id: 'cli' });
        output.out(`${options.agency}: new current key ${rotated.kid}`);
        output.out(rotated.retired ? `retired (still published): ${rotated.retired}` : 'it had no key before');
      } catch (error) {
        output.err(`${options.agency}: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
      } finally {
        await opened.close();
      }
    });

  keys.command('reseal').description('seal every stored private key under the current wrapping key (after changing TONGBAN_CERTIFICATE_WRAPPING_KEY)')
    .action(async () => {
      const opened = await open();
      try {
        const report = await opened.services.documents.resealKeys({ kind: 'system', id: 'cli' });
        output.out(`resealed under the current wrapping key: ${report.resealed.length}`);
        for (const kid of report.resealed) output.out(`  ${kid}`);
        output.out(`already under it: ${report.unchanged}`);
        for (const kid of report.unopened) {
          output.err(`${kid}: opens under no configured wrapping key (TONGBAN_CERTIFICATE_WRAPPING_KEY, TONGBAN_CERTIFICATE_ACCEPTED_WRAPPING_KEYS), left as it was`);
        }
        if (report.unopened.length > 0) process.exitCode = 1;
      } catch (error) {
        output.err(error instanceof Error ? error.message : String(error));
        process.exitCode = 1;
      } finally {
        await opened.close();
      }
    });

  keys.command('list').description('list signing keys, current and retired')
    .option('--agency <code>', 'only this agency')
    .action(async (options: { agency?: string }) => {
      const opened = await open();
      try {
        for (const key of await opened.services.documents.listKeys(options.agency)) {
          output.out(`${key.agency}\t${key.retired_at ? `retired ${key.retired_at.toISOString()}` : 'current'}\t${key.kid}`);
        }
      } finally {
        await opened.close();
      }
    });
}
