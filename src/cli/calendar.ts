import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { TongbanError } from '../kernel/http/index.js';
import type { CalendarStatus, RecomputeResult, WorkflowService } from '../modules/workflow/service.js';
import { standardOutput, type CliOutput } from './output.js';

type Opened = { services: { workflow: Pick<WorkflowService, 'calendar'> }; close(): Promise<void> };
const CLI_ACTOR = { kind: 'system', id: 'cli' } as const;

const describeStatus = (status: CalendarStatus, output: CliOutput) => {
  for (const y of status.years) output.out([y.year, y.origin, y.provisional ? 'provisional' : 'official', y.source].join('\t'));
  output.out(`covered until ${status.coveredUntil}`);
  for (const w of status.warnings) output.err(`warning: ${w.year} is ${w.problem}: load the State Council's notice (tongban calendar import <file.json>)`);
};
const describeRecompute = (r: RecomputeResult, output: CliOutput) => {
  output.out(`deadlines: ${r.changed} of ${r.checked} open cases moved`);
  if (r.jobsNotMoved > 0) output.err(`${r.jobsNotMoved} moved cases had no pending deadline job to move`);
};

/**
 * `tongban calendar import <file.json>` loads one year of the State Council's holiday arrangement
 * (days off, make-up working days) in place of the built-in or earlier imported year, without a
 * release, then recomputes the open cases' deadlines; `tongban calendar status` shows the years
 * in force; `tongban workflow recompute-deadlines` recomputes alone. All audited, actor `cli`.
 * Running instances read the calendar at boot: restart them after an import (docs/operations.md).
 */
export function registerCalendarCommands(program: Command, open: () => Promise<Opened>, output: CliOutput = standardOutput): void {
  const withWorkflow = async (work: (workflow: Opened['services']['workflow']) => Promise<void>) => {
    const opened = await open();
    try {
      await work(opened.services.workflow);
    } catch (error) {
      if (!(error instanceof TongbanError) || error.code !== 'TB_WORKFLOW_CALENDAR_INVALID') throw error;
      output.err(`the calendar file is not valid: ${error.detail ?? error.message}`);
      process.exitCode = 1;
    } finally {
      await opened.close();
    }
  };

  const calendar = program.command('calendar').description('the working-day calendar (public holidays and make-up working days)');
  calendar.command('import').description('load one year of the official holiday arrangement from a JSON file, then recompute open deadlines')
    .argument('<file>', 'JSON: { "year": 2027, "source": "<the notice>", "daysOff": ["2027-01-01", ...], "makeUpWorkdays": [...] }')
    .option('--no-recompute', 'leave the open cases\' deadlines as they are')
    .action(async (file: string, options: { recompute: boolean }) => {
      let json: unknown;
      try {
        json = JSON.parse(await readFile(file, 'utf8'));
      } catch (error) {
        output.err(`cannot read ${file} as JSON: ${error instanceof Error ? error.message : String(error)}`);
        process.exitCode = 1;
        return;
      }
      await withWorkflow(async (workflow) => {
        const status = await workflow.calendar.importYear(json, CLI_ACTOR);
        output.out(`imported ${(json as { year: number }).year}`);
        describeStatus(status, output);
        if (options.recompute) describeRecompute(await workflow.calendar.recompute(CLI_ACTOR), output);
      });
    });
  calendar.command('status').description('the years in force, where they come from, and what is missing or provisional')
    .action(() => withWorkflow(async (workflow) => describeStatus(await workflow.calendar.load(), output)));

  program.command('workflow').description('case deadlines')
    .command('recompute-deadlines').description('move the deadlines of open, not escalated cases to the calendar in force (and their deadline jobs)')
    .action(() => withWorkflow(async (workflow) => {
      await workflow.calendar.load();
      describeRecompute(await workflow.calendar.recompute(CLI_ACTOR), output);
    }));
}
