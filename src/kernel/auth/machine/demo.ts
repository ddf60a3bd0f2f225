import { calculateJwkThumbprint, type JWK } from 'jose';
import type { Kysely } from 'kysely';
import { getOrCreateSecret } from '../../secrets/index.js';
import { generateEd25519Jwk, parseEd25519PrivateJwk } from './platform-key.js';
import { getClient, registerClient, rotateKeys, type ApiClient } from './service.js';

export interface DemoClientInput {
  /** Stable, e.g. `demo-110000-psb-population-system`, so seeds and docs can name it. */
  readonly clientId: string;
  readonly name: string;
  readonly organisation: string;
  readonly scopes: readonly string[];
}

export interface DemoClient {
  readonly client: ApiClient;
  /** The demo system's private key (with kid): what it signs its client assertions with. */
  readonly privateJwk: JWK;
}

/**
 * Registers a demo agency system with a key pair, idempotently. The private key is kept in the
 * secret store (development data only) so that every run, and the demo systems themselves,
 * find the same key; a real client generates its own key and registers only the public half.
 */
export async function seedDemoClient(db: Kysely<object>, input: DemoClientInput, now: Date = new Date()): Promise<DemoClient> {
  const stored = await getOrCreateSecret(db, `demo.api-client.${input.clientId}`, generateEd25519Jwk);
  const { d, ...publicPart } = parseEd25519PrivateJwk(stored, `The demo key of ${input.clientId}`);
  const kid = await calculateJwkThumbprint(publicPart);
  const publicJwk: JWK = { ...publicPart, kid };
  let client = await getClient(db, input.clientId);
  if (!client) {
    client = await registerClient(db, { ...input, keys: [publicJwk] }, now);
  } else if (!client.keys.some((k) => k.kid === kid)) {
    client = await rotateKeys(db, input.clientId, [publicJwk], now);
  }
  return { client, privateJwk: { ...publicPart, d, kid, alg: 'EdDSA' } };
}

/** Lines for the CLI to print: how to call the token endpoint as this demo system. */
export function describeDemoClient(demo: DemoClient, tokenUrl: string): string[] {
  return [
    `client_id:    ${demo.client.clientId}`,
    `organisation: ${demo.client.organisation}`,
    `scopes:       ${demo.client.scopes.join(' ')}`,
    `token URL:    ${tokenUrl}`,
    `private key (demo only, Ed25519 JWK): ${JSON.stringify(demo.privateJwk)}`,
  ];
}
