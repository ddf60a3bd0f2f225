import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { demoStaff, type HistoryDeps } from './history.js';
import { createInsightsService } from './service.js';

/** A demo persona (`demoPersona('officer')`) as a signed-in principal. */
export function personaPrincipal(persona: Pick<Principal, 'accountId' | 'kind' | 'name' | 'roles'>): Principal {
  return { accountId: persona.accountId, kind: persona.kind, name: persona.name, roles: persona.roles };
}

/** What playHistory needs, from a built demo app. */
export async function historyDeps(built: Built): Promise<HistoryDeps> {
  return { kernel: built.kernel, identity: built.services.identity, catalog: built.services.catalog, ...(await demoStaff(built.services.identity)) };
}

/** An insights service over the app's data whose clock says `now`, without a cache. */
export function insightsAt(built: Built, now: Date) {
  const { applications, workflow, catalog } = built.services;
  return createInsightsService({ ...built.kernel, now: () => now }, { applications, workflow, catalog }, { cacheMs: 0 });
}
