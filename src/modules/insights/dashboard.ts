import type { Kernel } from '../../kernel/context.js';
import type { ApplicationsService } from '../applications/service.js';
import type { CatalogService, LocalizedText } from '../catalog/service.js';
import type { WorkflowService } from '../workflow/service.js';
import { computeFigures, type CaseFact, type ApplicationFact, type Figures, type RatingFact } from './figures.js';

/** Which figures: the whole country, one agency, or one service. */
export type Scope =
  | { readonly kind: 'national' }
  | { readonly kind: 'agency'; readonly code: string }
  | { readonly kind: 'service'; readonly slug: string };

export interface ScopeInfo {
  readonly kind: Scope['kind'];
  /** Agency code or service slug; empty for the national overview. */
  readonly key: string;
  readonly name: LocalizedText | undefined;
  /** For a service: its agency. */
  readonly agency?: { readonly code: string; readonly name: LocalizedText } | undefined;
}

export interface Dashboard {
  readonly scope: ScopeInfo;
  readonly figures: Figures;
  readonly computedAt: Date;
  /** For the overview's links: every agency and listed service. */
  readonly agencies: readonly { readonly code: string; readonly name: LocalizedText }[];
  readonly services: readonly { readonly slug: string; readonly agencyCode: string; readonly name: LocalizedText }[];
}

interface Facts {
  readonly cases: readonly (CaseFact & { id: string })[];
  readonly applications: readonly ApplicationFact[];
  readonly ratings: readonly RatingFact[];
  readonly at: number;
}

export interface DashboardDeps {
  readonly kernel: Pick<Kernel, 'now'>;
  readonly applications: Pick<ApplicationsService, 'facts'>;
  readonly workflow: Pick<WorkflowService, 'caseFacts'>;
  readonly catalog: Pick<CatalogService, 'searchServices' | 'listAgencies'>;
  readonly ratingFacts: () => Promise<RatingFact[]>;
  /** How long computed inputs are reused; 0 turns the cache off. */
  readonly cacheMs: number;
}

/**
 * The public dashboard: the figures of a scope, computed from the other modules' data through
 * their services. The inputs are read in three queries and kept for `cacheMs` so that a busy
 * public page does not scan the tables on every request; a rating or a case ending clears them.
 */
export function createDashboard(deps: DashboardDeps) {
  let cached: Promise<Facts> | undefined;

  const load = async (): Promise<Facts> => {
    const [cases, applications, ratings] = await Promise.all([deps.workflow.caseFacts(), deps.applications.facts(), deps.ratingFacts()]);
    return { cases, applications, ratings, at: Date.now() };
  };
  const facts = async (): Promise<Facts> => {
    const current = cached;
    if (current && deps.cacheMs > 0 && Date.now() - (await current).at < deps.cacheMs) return current;
    cached = load();
    cached.catch(() => { cached = undefined; });
    return cached;
  };

  return {
    clear(): void { cached = undefined; },

    /** The figures of a scope; undefined for an agency or service that does not exist. */
    async dashboard(scope: Scope): Promise<Dashboard | undefined> {
      const [all, agencies, services] = await Promise.all([facts(), deps.catalog.listAgencies(), deps.catalog.searchServices({})]);
      const agencyList = agencies.map((a) => ({ code: a.code, name: a.name }));
      const serviceList = services.map((s) => ({ slug: s.slug, agencyCode: s.agencyCode, name: s.name, id: s.id }));
      let info: ScopeInfo;
      let keep: (serviceId: string, agency: string) => boolean;
      if (scope.kind === 'national') {
        info = { kind: 'national', key: '', name: undefined };
        keep = () => true;
      } else if (scope.kind === 'agency') {
        const agency = agencyList.find((a) => a.code === scope.code);
        if (!agency) return undefined;
        info = { kind: 'agency', key: agency.code, name: agency.name };
        keep = (_s, a) => a === agency.code;
      } else {
        const service = serviceList.find((s) => s.slug === scope.slug);
        if (!service) return undefined;
        info = { kind: 'service', key: service.slug, name: service.name, agency: agencyList.find((a) => a.code === service.agencyCode) };
        keep = (s) => s === service.id;
      }
      const figures = computeFigures({
        cases: all.cases.filter((c) => keep(c.serviceId, c.agency)),
        applications: all.applications.filter((a) => keep(a.serviceId, a.agencyCode)),
        ratings: all.ratings.filter((r) => keep(r.serviceId, r.agency)),
        now: deps.kernel.now(),
      });
      return { scope: info, figures, computedAt: deps.kernel.now(), agencies: agencyList, services: serviceList.map(({ slug, agencyCode, name }) => ({ slug, agencyCode, name })) };
    },
  };
}
