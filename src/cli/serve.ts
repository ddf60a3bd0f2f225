import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import type { Command } from 'commander';
import { loadConfig, type Config } from '../kernel/config/index.js';
import { closeSystemsListener, listenForSystems } from '../modules/mediator/index.js';
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
      const systems = await systemsPort(app, config);
      const where = config.database.kind === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.kind === 'pglite' ? config.database.dataDir : 'memory'}`;
      console.log(`\nTongban 通办 is running at ${config.publicUrl}/  (data: ${where})`);
      if (systems) console.log(`Information mediator for systems (TLS, client certificates): https://${config.host}:${systems.port}/r1/`);
      if (options.seed) console.log(demoSignInLines(config).join('\n'));
      console.log('Press Ctrl+C to stop.\n');

      // Graceful shutdown: stop accepting, let requests in flight and running jobs finish.
      // Before the listener closes, answers say `Connection: close` for `shutdown.drainMs`: a
      // keep-alive client then opens a new connection for its next request instead of sending it
      // on one the server is about to drop, and a balancer sees `/readyz` fail and stops sending.
      // Issue 9, ADR 0025.
      let stopping = false;
      const closeWhenStopping = (_request: IncomingMessage, response: ServerResponse) => {
        if (stopping && !response.headersSent) response.setHeader('connection', 'close');
      };
      app.server.on('request', closeWhenStopping);
      systems?.server.on('request', closeWhenStopping);
      const stop = (signal: string) => {
        if (stopping) return;
        stopping = true;
        app.readiness.draining = true;
        app.log.info({ signal }, 'shutting down');
        const force = setTimeout(() => process.exit(1), SHUTDOWN_GRACE_MS);
        force.unref();
        setTimeout(() => {
          // The systems' port first: its requests in flight still need the app and its database.
          (systems ? closeSystemsListener(systems.server) : Promise.resolve()).then(() => app.close()).then(() => process.exit(0), (error: unknown) => {
            console.error(error);
            process.exit(1);
          });
        }, config.shutdown.drainMs);
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
}

/** The mediator's systems' TLS port, when configured (ADR 43); unreadable files stop the start. */
async function systemsPort(app: Parameters<typeof listenForSystems>[0], config: Config): Promise<{ server: Server; port: number } | undefined> {
  const tls = config.mediatorTls;
  if (!tls) return undefined;
  const read = async (name: string, file: string) => {
    try {
      return await readFile(file);
    } catch (error) {
      throw new Error(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
  };
  const [cert, key] = [await read('TONGBAN_MEDIATOR_TLS_CERT_FILE', tls.certFile), await read('TONGBAN_MEDIATOR_TLS_KEY_FILE', tls.keyFile)];
  const server = await listenForSystems(app, { host: config.host, port: tls.port, cert, key });
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : tls.port };
}
