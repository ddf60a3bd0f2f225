import type { Command } from 'commander';
import type { Kernel } from '../kernel/context.js';
import type { JobInfo } from '../kernel/jobs/index.js';
import { standardOutput, type CliOutput } from './output.js';

type Opened = { kernel: Pick<Kernel, 'db' | 'audit' | 'jobs'>; close(): Promise<void> };
const CLI_ACTOR = { kind: 'system', id: 'cli' } as const;
const DEFAULT_LIMIT = 100;

/** What `failed --json` prints per job: the full last error, times in ISO 8601. */
const asJson = (job: JobInfo) => ({
  id: job.id, queue: job.queue, attempts: job.attempts, maxAttempts: job.maxAttempts,
  failedAt: job.finishedAt?.toISOString() ?? null, lastError: job.lastError ?? null,
});

// One line per job: an error that spans lines (a cause chain) is folded onto it.
const asLine = (job: JobInfo) =>
  [job.id, job.queue, `${job.attempts}/${job.maxAttempts}`, job.finishedAt?.toISOString() ?? '-', (job.lastError ?? '').replace(/\s+/g, ' ')].join('\t');

/**
 * `tongban jobs`: the background jobs that gave up (ADR 4). A job fails after its last attempt
 * (12 by default, about two and a half hours of retrying) and keeps its last error. An operator
 * lists them, fixes the cause (a mail server, a partner's endpoint), and retries one job or every
 * failed job of a queue; a retried job starts again with a fresh set of attempts and runs at the
 * next poll of an instance that handles its queue. Each retry is audited (`jobs.retry`, actor `cli`).
 */
export function registerJobsCommands(program: Command, open: () => Promise<Opened>, output: CliOutput = standardOutput): void {
  const jobs = program.command('jobs').description('background jobs that failed, and retrying them');

  const refuse = (message: string) => {
    output.err(message);
    process.exitCode = 1;
  };
  const withKernel = async (work: (kernel: Opened['kernel']) => Promise<void>) => {
    const opened = await open();
    try {
      await work(opened.kernel);
    } finally {
      await opened.close();
    }
  };

  jobs.command('failed').description('list failed jobs, the latest failure first: id, queue, attempts/max, failed at, last error')
    .option('--queue <queue>', 'only the jobs of this queue')
    .option('--limit <n>', 'at most this many', String(DEFAULT_LIMIT))
    .option('--json', 'a JSON array, with each last error in full')
    .action(async (options: { queue?: string; limit: string; json?: boolean }) => {
      const limit = Number(options.limit);
      if (!/^\d+$/.test(options.limit) || !Number.isSafeInteger(limit) || limit < 1) return refuse('--limit must be a whole number of at least 1');
      await withKernel(async (kernel) => {
        const failed = await kernel.jobs.failed({ limit, ...(options.queue === undefined ? {} : { queue: options.queue }) });
        if (options.json === true) output.out(JSON.stringify(failed.map(asJson), null, 2));
        else if (failed.length === 0) output.out(options.queue === undefined ? 'no failed jobs' : `no failed jobs in queue ${options.queue}`);
        else for (const job of failed) output.out(asLine(job));
        if (failed.length === limit) output.err(`showing the latest ${limit}; there may be more (--limit)`);
      });
    });

  jobs.command('retry').description('run a failed job again with a fresh set of attempts, or every failed job of a queue (--queue <queue> --all)')
    .argument('[id]', 'the job id, as `tongban jobs failed` shows it')
    .option('--queue <queue>', 'with --all: the queue whose failed jobs run again')
    .option('--all', 'every failed job of --queue')
    .action(async (id: string | undefined, options: { queue?: string; all?: boolean }) => {
      const oneJob = id !== undefined && options.queue === undefined && options.all !== true;
      const wholeQueue = id === undefined && options.queue !== undefined && options.all === true;
      if (!oneJob && !wholeQueue) return refuse('Give a job id, or --queue <queue> --all');
      await withKernel(async (kernel) => {
        if (id !== undefined) {
          const retried = await kernel.jobs.retry(id);
          const job = await kernel.jobs.get(id);
          if (!retried || job === undefined) return refuse(job === undefined ? `No job ${id}` : `Job ${id} is ${job.state}, not failed: nothing to retry`);
          await kernel.audit.append(kernel.db, { actor: CLI_ACTOR, action: 'jobs.retry', resource: { type: 'job', id }, details: { queue: job.queue, jobs: 1 } });
          output.out(`job ${id} (queue ${job.queue}) will run again`);
          return;
        }
        const queue = options.queue ?? '';
        const count = await kernel.jobs.retryQueue(queue);
        if (count > 0) await kernel.audit.append(kernel.db, { actor: CLI_ACTOR, action: 'jobs.retry', details: { queue, jobs: count } });
        output.out(count === 0 ? `no failed jobs in queue ${queue}` : `${count} failed ${count === 1 ? 'job' : 'jobs'} of queue ${queue} will run again`);
      });
    });
}
