import { createServer } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import type { TestDatabase } from '../../../test/helpers/databases.js';
import { buildApp, type Built } from '../../app.js';
import { createClientAssertion, seedDemoClient, tokenRequestBody } from '../../kernel/auth/machine/index.js';
import { createTestBrowser, signIn, type TestBrowser } from '../../kernel/auth/test-kit.js';
import { loadConfig } from '../../kernel/config/index.js';
import { modules } from '../index.js';
import { CALL_SCOPE, type RegistryAdmin } from './service.js';
import { createMediatorStore, type LogRow } from './store.js';

/** A provider system on loopback: echoes what the mediator sent, sleeps on /slow. */
export async function startProvider(): Promise<{ app: FastifyInstance; url: string }> {
  const app = Fastify();
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => { done(null, body); });
  app.get<{ Params: { id: string } }>('/persons/:id', (request) => Promise.resolve({
    id: request.params.id, name: '张伟',
    received: {
      messageId: request.headers['x-road-id'], client: request.headers['x-road-client'], userId: request.headers['x-road-userid'] ?? null,
      issue: request.headers['x-road-issue'] ?? null, authorization: request.headers.authorization ?? null, query: request.query,
    },
  }));
  app.post('/echo', async (request, reply) => reply.status(201).type(request.headers['content-type'] ?? 'application/octet-stream').send(request.body));
  app.get('/slow', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    return { late: true };
  });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, url: address };
}

/** A loopback port that nothing listens on. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => { resolve(); }));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export const seedAdmin: RegistryAdmin = { actor: { kind: 'system', id: 'test' }, may: () => true };

/** An access token for a seeded demo client, through POST /oauth/token as a real system gets one. */
export async function tokenFor(built: Built, clientId: string, organisation: string, scopes: readonly string[] = [CALL_SCOPE]): Promise<string> {
  const demo = await seedDemoClient(built.kernel.db, { clientId, name: clientId, organisation, scopes: [...scopes] });
  const assertion = await createClientAssertion({ clientId, privateJwk: demo.privateJwk, audience: built.app.machineAuth.tokenUrl });
  const response = await built.app.inject({
    method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: tokenRequestBody(assertion, scopes),
  });
  if (response.statusCode !== 200) throw new Error(`token request failed: ${response.body}`);
  return response.json<{ access_token: string }>().access_token;
}

/**
 * The app on a test database with the demo people and the demo mediator registry. Sign-ins are not
 * rate limited here: the pages' tests sign in as several personas.
 */
export async function mediatorDemoApp(test: TestDatabase, publicUrl: string): Promise<Built> {
  const base = loadConfig({ NODE_ENV: 'test', TONGBAN_PUBLIC_URL: publicUrl, TONGBAN_DATA_DIR: ':memory:' });
  const built = await buildApp({ config: { ...base, database: test.config.database, limits: { ...base.limits, signInAttemptsPerMinute: 1000 } }, database: test.database });
  await built.app.ready();
  for (const mod of modules.filter((m) => m.name === 'identity' || m.name === 'mediator')) await mod.seed?.({ kernel: built.kernel, services: built.services });
  return built;
}

/** A browser signed in as each of these demo personas, by persona. */
export async function personaBrowsers(built: Built, publicUrl: string, personas: readonly string[]): Promise<Map<string, TestBrowser>> {
  const browsers = new Map<string, TestBrowser>();
  for (const persona of personas) {
    const browser = createTestBrowser(built.app, publicUrl);
    await signIn(browser, persona);
    browsers.set(persona, browser);
  }
  return browsers;
}

/** An exchange's message-log records, read straight from the table: tests only (the service's reads are audited). */
export const loggedExchanges = (built: Built, messageId: string): Promise<LogRow[]> => createMediatorStore(built.kernel.db).byMessageId(messageId);
