import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { openCli, seedDemo, type CliContext } from '../../src/cli/context.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { startBalancer, type Balancer } from './balancer.js';
import { freePort } from './ports.js';
import { startTongban, type ChildServer, type ProcessExit } from './processes.js';
import { tongbanEnv, type BenchDatabase } from './tongban.js';

export type Instance = ChildServer & { readonly port: number; readonly exited: Promise<ProcessExit> };

/** Several `tongban serve` processes on one PostgreSQL database, behind one round-robin balancer. */
export interface Cluster<T> {
  readonly balancer: Balancer;
  readonly instances: readonly Instance[];
  /** The settings every instance shares (each has its own PORT): also what a `tongban` CLI run on the cluster's database needs. */
  readonly env: Readonly<Record<string, string>>;
  readonly prepared: T;
  stop(): Promise<void>;
}

export interface ClusterOptions<T> {
  readonly database: BenchDatabase;
  readonly instances: number;
  /** Settings over the bench defaults (tongbanEnv), the same for every instance. */
  readonly env?: Readonly<Record<string, string>>;
  /** Adjusts the migrated, seeded database before any instance starts. */
  readonly prepare: (cli: CliContext) => Promise<T>;
}

/**
 * What makes N processes one Tongban: the same database, the same secrets (session cookies, CSRF
 * tokens and audit checkpoints signed by one instance are checked by another) and the same public
 * URL, the balancer's (sign-in redirects and token audiences name it, not an instance). The
 * database is migrated and seeded once here; then the instances start one after another, each
 * running its idempotent `--seed` on a database that already has everything.
 */
export async function startCluster<T>(options: ClusterOptions<T>): Promise<Cluster<T>> {
  const balancer = await startBalancer();
  const started: Instance[] = [];
  try {
    const shared: Record<string, string> = {
      ...tongbanEnv(balancer.port, options.database),
      TONGBAN_PUBLIC_URL: balancer.url,
      TONGBAN_SESSION_SECRET: randomBytes(32).toString('base64url'),
      TONGBAN_AUDIT_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      TONGBAN_CERTIFICATE_WRAPPING_KEY: randomBytes(32).toString('base64'),
      TONGBAN_ACCESS_TOKEN_SIGNING_KEY: generateKeyPairSync('ed25519').privateKey.export({ format: 'der', type: 'pkcs8' }).toString('base64'),
      ...options.env,
    };
    const cli = await openCli(loadConfig(shared));
    let prepared: T;
    try {
      await seedDemo(cli.kernel, cli.services);
      prepared = await options.prepare(cli);
    } finally {
      await cli.close();
    }
    for (let i = 0; i < options.instances; i += 1) {
      const port = await freePort();
      const server = await startTongban({ port, env: { ...shared, PORT: String(port) } });
      started.push({ ...server, port });
    }
    balancer.setBackends(started.map((s) => s.port));
    return {
      balancer, instances: started, env: shared, prepared,
      async stop() {
        await balancer.close();
        for (const instance of started.reverse()) await instance.stop();
      },
    };
  } catch (error) {
    await balancer.close();
    for (const instance of started.reverse()) await instance.stop();
    throw error;
  }
}
