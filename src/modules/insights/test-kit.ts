import type { Built } from '../../app.js';
import type { Principal } from '../../kernel/auth/index.js';
import { demoPersona } from '../identity/index.js';
import type { HistoryDeps } from './history.js';
import { createInsightsService } from './service.js';

/** A demo persona as a signed-in principal. */
export function personaPrincipal(subject: string): Principal {
  const p = demoPersona(subject);
  return { accountId: p.accountId, kind: p.kind, name: p.name, roles: p.roles };
}

/** What playHistory needs, from a built demo app. */
export function historyDeps(built: Built): HistoryDeps {
  return { kernel: built.kernel, identity: built.services.identity, catalog: built.services.catalog, officer: personaPrincipal('officer'), clerk: personaPrincipal('clerk') };
}

/** An insights service over the app's data whose clock says `now`, without a cache. */
export function insightsAt(built: Built, now: Date) {
  const { applications, workflow, catalog } = built.services;
  return createInsightsService({ ...built.kernel, now: () => now }, { applications, workflow, catalog }, { cacheMs: 0 });
}
