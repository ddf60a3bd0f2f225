import { fileURLToPath } from 'node:url';
import { forkServer, type ChildServer } from '../../bench/lib/processes.js';
import type { CliContext } from '../../src/cli/context.js';
import { seedDemoClient, type DemoClient } from '../../src/kernel/auth/machine/index.js';
import { CALL_SCOPE, MEDIATOR_DEMO as DEMO } from '../../src/modules/mediator/index.js';

/** The provider system the mediator forwards to (the bench's: a small Fastify app on loopback). */
const PROVIDER = fileURLToPath(new URL('../../bench/servers/provider.ts', import.meta.url));
export const PERSON = '110101199003072359';
export const MEDIATED_SCOPES = [CALL_SCOPE];

export function startProvider(): Promise<ChildServer> {
  return forkServer(PROVIDER);
}

/**
 * Points the demo population service at `providerUrl` and returns the demo civil affairs system's
 * key, for its client assertions (as bench/scenarios/mediator.ts does).
 */
export async function prepareMediated(cli: CliContext, providerUrl: string): Promise<DemoClient> {
  const admin = { actor: { kind: 'system', id: 'crash-test' }, may: () => true } as const;
  const current = (await cli.services.mediator.listServices()).find((s) => s.id === DEMO.psb.service);
  if (!current) throw new Error(`the demo seed did not register ${DEMO.psb.service}`);
  await cli.services.mediator.saveService({ subsystemId: DEMO.psb.subsystem, code: 'persons', name: current.name, baseUrl: providerUrl, openapi: current.openapi }, admin);
  return seedDemoClient(cli.kernel.db, { clientId: DEMO.cab.clientId, name: 'Civil affairs case system (demo)', organisation: DEMO.cab.subsystem, scopes: [CALL_SCOPE] });
}

export const MEDIATED_CLIENT_ID = DEMO.cab.clientId;

/** One mediated read of the demo person: the URL and headers a client system sends. */
export function mediatedRequest(baseUrl: string, token: string): { url: string; headers: Record<string, string> } {
  return {
    url: `${baseUrl}/r1/${DEMO.psb.service}/persons/${PERSON}`,
    headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem, 'x-road-issue': 'crash test', accept: 'application/json' },
  };
}

/** One publication of a demo `marriageRegistered` event (PubSub, ADR 53), the `n`th of the run. */
export function publishRequest(baseUrl: string, token: string): { url: string; headers: Record<string, string>; body: (n: number) => string } {
  return {
    url: `${baseUrl}/r1/${DEMO.events.room}/pub/v1/${DEMO.events.eventType}`,
    headers: { authorization: `Bearer ${token}`, 'information-mediator-client': DEMO.cab.subsystem, 'content-type': 'application/json', accept: 'application/json' },
    body: (n) => JSON.stringify({
      eventType: DEMO.events.eventType,
      event: { registrationNo: `J110101-2026-${String(n % 1_000_000).padStart(6, '0')}`, registeredOn: '2026-12-01', spouses: [PERSON, '110101199205150021'] },
    }),
  };
}
