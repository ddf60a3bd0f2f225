import { createServer } from 'node:net';
import { buildApp, type Built } from '../../src/app.js';
import { seedDemo } from '../../src/cli/context.js';
import { loadConfig } from '../../src/kernel/config/index.js';
import { migrateToLatest } from '../../src/kernel/db/index.js';
import { migrationSources } from '../../src/modules/index.js';
import { createTestDatabase, type TestDatabase, type TestDatabaseKind } from '../helpers/databases.js';

/**
 * The real server for browser journeys: the whole app built by `buildApp`, migrated and seeded
 * with the demo data, listening on a real socket on 127.0.0.1, on a fresh database of the kind
 * asked for. Chromium talks to it over HTTP exactly as it would to `tongban serve --seed`.
 */
export interface JourneyServer {
  /** `http://127.0.0.1:<port>`: also the public URL, so the built-in IdP's issuer matches it. */
  readonly url: string;
  readonly built: Built;
  readonly database: TestDatabase;
  close(): Promise<void>;
}

export interface JourneyServerOptions {
  /** Extra settings, as environment variables (`TONGBAN_…`), over the journey defaults. */
  readonly env?: Readonly<Record<string, string>>;
  /** Run the durable job workers (notifications, SLA timers); off unless a journey needs them. */
  readonly jobs?: boolean;
}

/**
 * A port nobody listens on right now. The issuer URL is fixed when the app is built, before it
 * listens, so the port must be known in advance; listening on port 0 after building would leave
 * the IdP announcing the wrong address.
 */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.unref();
    probe.once('error', reject);
    probe.listen({ host: '127.0.0.1', port: 0 }, () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => (port > 0 ? resolve(port) : reject(new Error('no port assigned'))));
    });
  });
}

function isAddressInUse(error: unknown): boolean {
  return error instanceof Error && (error as NodeJS.ErrnoException).code === 'EADDRINUSE';
}

async function startOnce(kind: TestDatabaseKind, options: JourneyServerOptions): Promise<JourneyServer> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const database = await createTestDatabase(kind);
  try {
    await migrateToLatest(database.database.db, migrationSources);
    const base = loadConfig({
      NODE_ENV: 'test',
      HOST: '127.0.0.1',
      PORT: String(port),
      TONGBAN_PUBLIC_URL: url,
      TONGBAN_DATA_DIR: ':memory:',
      // A journey signs in many times a minute; the limit itself is tested in src/kernel/auth.
      TONGBAN_SIGNIN_RATE_PER_MINUTE: '1000',
      ...options.env,
    });
    const built = await buildApp({ config: { ...base, database: database.config.database }, database: database.database });
    try {
      await seedDemo(built.kernel, built.services);
      if (options.jobs) built.kernel.jobs.start();
      await built.app.listen({ host: '127.0.0.1', port });
    } catch (error) {
      // Closing the app closes the database too (its onClose hook).
      await built.app.close();
      throw error;
    }
    return {
      url, built, database,
      async close() {
        await built.app.close();
        await database.dispose();
      },
    };
  } catch (error) {
    await database.dispose().catch(() => undefined);
    throw error;
  }
}

/** Starts the server; if another process grabbed the port in between, starts again on another. */
export async function startJourneyServer(kind: TestDatabaseKind, options: JourneyServerOptions = {}): Promise<JourneyServer> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await startOnce(kind, options);
    } catch (error) {
      if (!isAddressInUse(error) || attempt >= 3) throw error;
    }
  }
}
