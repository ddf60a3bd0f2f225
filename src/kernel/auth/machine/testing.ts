import Fastify, { type FastifyInstance } from 'fastify';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { errorHandlerPlugin } from '../../http/index.js';
import { createClientAssertion, tokenRequestBody } from './client-side.js';
import { requireClientScope } from './guard.js';
import { machineAuthPlugin, type MachineAuthOptions } from './plugin.js';

/** Test support: a small app with the plugin, the kernel error handler and one protected route. */

export const PUBLIC_URL = 'https://tongban.test';
export const TOKEN_URL = `${PUBLIC_URL}/oauth/token`;

export interface KeyPair { readonly publicJwk: JWK; readonly privateJwk: JWK }

export async function keyPair(alg: 'EdDSA' | 'ES256' | 'RS256', kid: string): Promise<KeyPair> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true });
  return { publicJwk: { ...(await exportJWK(publicKey)), kid }, privateJwk: { ...(await exportJWK(privateKey)), kid, alg } };
}

export interface TestClock { now: Date; advance(seconds: number): void }

export function testClock(start = '2031-03-01T08:00:00Z'): TestClock {
  const clock = {
    now: new Date(start),
    advance(seconds: number) { clock.now = new Date(clock.now.getTime() + seconds * 1000); },
  };
  return clock;
}

export async function testApp(db: Kysely<object>, clock: TestClock, keys: Pick<MachineAuthOptions, 'signingKey' | 'trustedPublicKeys'> = {}): Promise<FastifyInstance> {
  const app = Fastify();
  await app.register(errorHandlerPlugin);
  await app.register(machineAuthPlugin, { db, publicUrl: `${PUBLIC_URL}/`, now: () => clock.now, ...keys });
  app.get('/test/registry-records', { preHandler: requireClientScope('registries.read') }, (request) => ({ client: request.client }));
  await app.ready();
  return app;
}

export async function requestToken(app: FastifyInstance, body: string) {
  return app.inject({ method: 'POST', url: '/oauth/token', headers: { 'content-type': 'application/x-www-form-urlencoded' }, payload: body });
}

/** Signs a fresh assertion at the test clock and exchanges it for an access token. */
export async function getToken(app: FastifyInstance, clock: TestClock, clientId: string, privateJwk: JWK, scopes: readonly string[]) {
  const assertion = await createClientAssertion({ clientId, privateJwk, audience: TOKEN_URL, now: clock.now });
  return requestToken(app, tokenRequestBody(assertion, scopes));
}
