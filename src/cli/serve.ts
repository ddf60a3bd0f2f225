import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Command } from 'commander';
import { loadConfig } from '../kernel/config/index.js';
import { prepareServer } from './context.js';
import { demoSignInLines } from './demo-sign-ins.js';

const SHUTDOWN_GRACE_MS = 25_000;

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('migrate the database and serve the platform over HTTP')
    .option('--seed', 'load the demo agencies, services and people (idempotent)', false)
    .action(async (options: { seed: boolean }) => {
      const config = loadConfig();
      const { app, kernel } = await prepareServer(config, options);
      if (config.jobs.enabled) kernel.jobs.start();
      await app.listen({ host: config.host, port: config.port });
      const where = config.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.kind === 'pglite' ? config.database.dataDir : 'memory'}`;
      console.log(`\nTongban 通办 is running at ${config.publicUrl}/  (data: ${where})`);
      if (options.seed) console.log(demoSignInLines(config).join('\n'));
      console.log('Press Ctrl+C to stop.\n');

      // Graceful shutdown: stop accepting, let requests in flight and running jobs finish.
      // Before the listener closes, answers say `Connection: close` for `shutdown.drainMs`: a
      // keep-alive client then opens a new connection for its next request instead of sending it
      // on one the server is about to drop, and a balancer sees `/readyz` fail and stops sending.
      // Issue 9, ADR 0025.
      let stopping = false;
      app.server.on('request', (_request: IncomingMessage, response: ServerResponse) => {
        if (stopping && !response.headersSent) response.setHeader('connection', 'close');
      });
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        app.readiness.draining = true;
        app.log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
        force.unref();
        setTimeout(() => {
          app.close().then(() => process.exit(0), (error: unknown) => {
            console.error(error);
            process.exit(1);
          });
        }, config.shutdown.drainMs);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}
