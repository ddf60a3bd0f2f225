import { randomBytes } from 'node:crypto';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createAuditTrail } from './kernel/audit/index.js';
import { authPlugin } from './kernel/auth/index.js';
import { machineAuthPlugin } from './kernel/auth/machine/index.js';
import type { Config } from './kernel/config/index.js';
import type { Kernel } from './kernel/context.js';
import { createDatabase, type Database } from './kernel/db/index.js';
import { registerHealth } from './kernel/health.js';
import { errorHandlerPlugin, frameworkErrorHandler } from './kernel/http/index.js';
import { metricsPlugin } from './kernel/http/metrics.js';
import { openApiPlugin } from './kernel/http/openapi.js';
import { baselineSecurityHeaders, securityPlugin } from './kernel/http/security.js';
import { i18nPlugin } from './kernel/i18n/plugin.js';
import { createJobQueue, registerJobMetrics, registerJobPruning } from './kernel/jobs/index.js';
import { createLogger, requestIdFrom } from './kernel/log.js';
import type { Resolve } from './kernel/net/pinned.js';
import { resolveSecret } from './kernel/secrets/index.js';
import { createServices, migrationSources, modules, type Services } from './modules/index.js';
import { renderErrorPage } from './ui/error-page.js';
import { uiAssetsPlugin } from './ui/assets-plugin.js';

export interface BuildOptions {
  readonly config: Config;
  /** An already-open database (tests); otherwise one is opened from the config. */
  readonly database?: Database;
  readonly logger?: Logger;
  readonly now?: () => Date;
  /** The resolver of caller-chosen outbound addresses (tests); otherwise the system's. */
  readonly resolve?: Resolve;
}

export interface Built {
  readonly app: FastifyInstance;
  readonly kernel: Kernel;
  readonly services: Services;
}

const AUDIT_CHECKPOINT_JOB = 'kernel.audit-checkpoint';
const AUDIT_CHECKPOINT_EVERY_MS = 10 * 60_000;

/** Opens the kernel's shared parts: database, log, audit trail, job queue. */
export async function createKernel(options: BuildOptions): Promise<Kernel> {
  const { config } = options;
  const database = options.database ?? createDatabase(config);
  const log = options.logger ?? createLogger(config);
  const now = options.now ?? (() => new Date());
  const db = database.db;
  const audit = await createAuditTrail({ db, config, log, now });
  const jobs = createJobQueue({ db, log, now, pollMs: config.jobs.pollMs });
  // Signed checkpoints bound what a database writer could rewrite unnoticed (ADR 3): one every
  // ten minutes across all instances, for every log (the mediator's message log too), and a
  // verification can start at one once older records are archived (ADR 35).
  jobs.register(AUDIT_CHECKPOINT_JOB, async () => {
    for (const log of audit.logs()) await log.checkpoint();
  });
  jobs.every(AUDIT_CHECKPOINT_JOB, AUDIT_CHECKPOINT_EVERY_MS, {});
  // Finished jobs are deleted after TONGBAN_JOBS_RETENTION_DAYS by an hourly job.
  registerJobPruning(jobs, { retentionDays: config.jobs.retentionDays, now });
  return { config, database, db, log, audit, jobs, now, ...(options.resolve ? { resolve: options.resolve } : {}) };
}

/**
 * Builds the whole application without listening (STYLE 4): kernel plugins first, then each
 * module's encapsulated plugin. Migrations are run by the caller (`tongban serve`, tests).
 */
export async function buildApp(options: BuildOptions): Promise<Built> {
  const kernel = await createKernel(options);
  const { config } = kernel;
  // Modules opt into the TypeBox type provider in their own scope; the root stays plain.
  const logger: FastifyBaseLogger = kernel.log;
  const app: FastifyInstance = Fastify({
    loggerInstance: logger,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    bodyLimit: config.limits.bodyBytes,
    // TONGBAN_TRUST_PROXY: whose X-Forwarded-For gives request.ip (rate limits, audit of sign-ins).
    trustProxy: config.trustProxy,
    ajv: { customOptions: { allErrors: true, removeAdditional: false, coerceTypes: 'array' } },
    // A bad address or an over-long path parameter: problem+json or the error page, not Fastify's JSON.
    frameworkErrors: frameworkErrorHandler(renderErrorPage, baselineSecurityHeaders(config)),
  });

  app.addHook('onSend', (request, reply, _payload, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  await app.register(errorHandlerPlugin, { renderErrorPage });
  // Signs the CSRF secret cookie; a generated secret (development) is shared through the database.
  const cookieSecret = await resolveSecret(kernel.db, config, 'sessionSecret', () => randomBytes(32).toString('base64url'));
  await app.register(cookie, { secret: cookieSecret.value });
  await app.register(formbody);
  await app.register(securityPlugin, { config, db: kernel.db });
  // Before any route: @fastify/swagger collects routes as they are added.
  await app.register(openApiPlugin, { config });
  await app.register(metricsPlugin);
  registerJobMetrics(app.metrics.registry, kernel.jobs, kernel.log);
  await app.register(i18nPlugin);
  await app.register(uiAssetsPlugin);
  registerHealth(app, kernel.db, migrationSources);

  const services = createServices(kernel);
  await app.register(authPlugin, { kernel, directory: services.identity });
  // Before the modules: their API routes use requireClientScope (docs/adr/0008-machine-clients.md).
  await app.register(machineAuthPlugin, {
    db: kernel.db, publicUrl: config.publicUrl, now: kernel.now,
    ...(config.secrets.accessTokenSigningKey !== undefined ? { signingKey: config.secrets.accessTokenSigningKey } : {}),
    ...(config.accessTokenTrustedPublicKeys !== undefined ? { trustedPublicKeys: config.accessTokenTrustedPublicKeys } : {}),
  });
  for (const mod of modules) {
    const plugin = mod.plugin;
    if (plugin) await app.register(async (scope) => plugin(scope, { kernel, services }), { prefix: '' });
  }
  app.addHook('onClose', async () => {
    await kernel.jobs.stop();
    await kernel.database.close();
  });
  return { app, kernel, services };
}
