import type { Command } from 'commander';
import { loadDefinitionFolder, type CatalogService, type FileProblem } from '../modules/catalog/index.js';
import { standardOutput, type CliOutput } from './output.js';

const where = (p: FileProblem) => `${p.file}${p.pointer ? ` at ${p.pointer}` : ''}`;

/**
 * `tongban import <dir>` publishes agencies.json and every service definition in a folder, all
 * or nothing: one invalid file and nothing is written, and every problem is listed with its file
 * and JSON Pointer. Importing the same files again changes nothing.
 */
export function registerImportCommand(
  program: Command,
  open: () => Promise<{ services: { catalog: CatalogService }; close(): Promise<void> }>,
  output: CliOutput = standardOutput,
): void {
  program.command('import').argument('<dir>', 'folder with agencies.json and service definition *.json files')
    .description('validate and publish service definitions (all or nothing; unchanged ones are left alone)')
    .action(async (dir: string) => {
      const loaded = await loadDefinitionFolder(dir);
      if (loaded.problems.length > 0) {
        for (const p of loaded.problems) output.err(`${where(p)}: ${p.detail}`);
        process.exitCode = 1;
        return;
      }
      const opened = await open();
      try {
        const report = await opened.services.catalog.importBundle(loaded.bundle, { kind: 'system', id: 'cli-import' });
        if (!report.ok) {
          for (const p of report.problems) output.err(`${where(p)}: ${p.detail}`);
          output.err(`nothing imported: ${report.problems.length} problem${report.problems.length === 1 ? '' : 's'}`);
          process.exitCode = 1;
          return;
        }
        for (const a of report.agencies) output.out(`${a.outcome.padEnd(9)} agency  ${a.code}`);
        for (const s of report.services) output.out(`${s.outcome.padEnd(9)} service ${s.slug} (version ${s.version})`);
      } finally {
        await opened.close();
      }
    });
}
