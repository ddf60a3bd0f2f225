import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openCli, seedDemo, type CliContext } from '../../src/cli/context.js';
import { createClientAssertion, tokenRequestBody } from '../../src/kernel/auth/machine/index.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import type { DatabaseKind } from '../options.js';
import { startTongban, type ChildServer, type ProcessExit } from './processes.js';
import { freePort } from './ports.js';

/** A fresh, empty database for one scenario run; `dispose` drops it (PostgreSQL) or deletes it. */
export interface BenchDatabase {
  readonly kind: DatabaseKind;
  /** DATABASE_URL or TONGBAN_DATA_DIR, as the server reads it. */
  readonly env: Readonly<Record<string, string>>;
  dispose(): Promise<void>;
}

export async function createBenchDatabase(kind: DatabaseKind, postgresUrl: string): Promise<BenchDatabase> {
  if (kind === 'pglite') {
    const dir = await mkdtemp(join(tmpdir(), 'tongban-bench-'));
    return { kind, env: { TONGBAN_DATA_DIR: dir }, dispose: () => rm(dir, { recursive: true, force: true }) };
  }
  const name = `tb_bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: postgresUrl });
    await client.connect();
    try { await client.query(sql); } finally { await client.end(); }
  };
  await admin(`create database ${name}`);
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  return { kind, env: { DATABASE_URL: url.toString() }, dispose: () => admin(`drop database if exists ${name} with (force)`) };
}

/**
 * The server's whole environment: production mode (secrets given, as production requires), jobs
 * off so that only the measured requests use the CPU, and the per-client API rate limit raised out
 * of the way (the limiter still runs on every request; it just never refuses).
 */
export function tongbanEnv(port: number, database: BenchDatabase): Record<string, string> {
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(port),
    TONGBAN_PUBLIC_URL: `http://127.0.0.1:${port}`,
    TONGBAN_JOBS: 'off',
    LOG_LEVEL: 'warn',
    TONGBAN_API_RATE_PER_MINUTE: '100000000',
    TONGBAN_SESSION_SECRET: randomBytes(32).toString('base64url'),
    TONGBAN_AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    TONGBAN_CERTIFICATE_WRAPPING_KEY: randomBytes(32).toString('base64'),
    TONGBAN_ACCESS_TOKEN_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
    TONGBAN_PAYMENTS_WEBHOOK_SECRET: randomBytes(32).toString('base64url'),
    ...database.env,
  };
}

export interface RunningTongban {
  readonly server: ChildServer & { readonly exited: Promise<ProcessExit> };
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Migrates and seeds the database in this process, lets the scenario adjust the data (`prepare`,
 * e.g. point a service at the bench's provider), closes it, then starts `tongban serve --seed` on
 * it in a child process. Seeding is idempotent, so the server's own seed leaves the changes be.
 * `extraEnv` adds settings to the server's environment (e.g. the mediator's TLS port).
 */
export async function startPreparedTongban<T>(database: BenchDatabase, prepare: (cli: CliContext) => Promise<T>, extraEnv: Readonly<Record<string, string>> = {}): Promise<RunningTongban & { prepared: T }> {
  const port = await freePort();
  const env = { ...tongbanEnv(port, database), ...extraEnv };
  const cli = await openCli(loadConfig(env));
  let prepared: T;
  try {
    await seedDemo(cli.kernel, cli.services);
    prepared = await prepare(cli);
  } finally {
    await cli.close();
  }
  const server = await startTongban({ port, env });
  return { server, env, prepared };
}

/** An access token from the running server's /oauth/token, as a calling agency system gets one. */
export async function accessToken(baseUrl: string, client: { clientId: string; privateJwk: Parameters<typeof createClientAssertion>[0]['privateJwk'] }, scopes: readonly string[]): Promise<string> {
  const assertion = await createClientAssertion({ clientId: client.clientId, privateJwk: client.privateJwk, audience: `${baseUrl}/oauth/token` });
  const response = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: tokenRequestBody(assertion, scopes),
  });
  const body = (await response.json()) as { access_token?: string };
  if (!response.ok || !body.access_token) throw new Error(`token request refused (${response.status}): ${JSON.stringify(body)}`);
  return body.access_token;
}
