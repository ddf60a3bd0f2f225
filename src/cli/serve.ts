import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server } from 'node:https';
import { createSecureContext } from 'node:tls';
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
      // The systems' certificate and key are read and checked before anything starts, and a start
      // that fails later (a port in use) closes what it opened, so the process ends with exit 1
      // instead of serving half a platform.
      const systemsTls = await readSystemsTls(config);
      const { app, kernel } = await prepareServer(config, options);
      let systems: { server: Server; port: number } | undefined;
      try {
        await app.listen({ host: config.host, port: config.port });
        systems = systemsTls && await listenSystemsPort(app, config.host, systemsTls);
        if (config.jobs.enabled) kernel.jobs.start();
      } catch (error) {
        await app.close().catch((failure: unknown) => app.log.error({ err: failure }, 'closing after a failed start failed'));
        throw error;
      }
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

interface SystemsTls { readonly port: number; readonly cert: Buffer; readonly key: Buffer }

/**
 * The mediator's systems' TLS settings (ADR 43), when configured: the certificate and key files
 * read, and checked to be a certificate and its key, before the platform starts.
 */
async function readSystemsTls(config: Config): Promise<SystemsTls | undefined> {
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
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    throw new Error(`TONGBAN_MEDIATOR_TLS_CERT_FILE, TONGBAN_MEDIATOR_TLS_KEY_FILE: ${tls.certFile} and ${tls.keyFile} are not a PEM certificate and its private key (${(error as Error).message})`, { cause: error });
  }
  return { port: tls.port, cert, key };
}

async function listenSystemsPort(app: Parameters<typeof listenForSystems>[0], host: string, tls: SystemsTls): Promise<{ server: Server; port: number }> {
  const server = await listenForSystems(app, { host, port: tls.port, cert: tls.cert, key: tls.key });
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : tls.port };
}
