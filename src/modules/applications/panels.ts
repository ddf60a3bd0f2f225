import type { Principal } from '../../kernel/auth/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { ServiceDefinition } from '../catalog/service.js';
import type { CaseView } from '../workflow/service.js';
import type { Application } from './model.js';

/** Who reads the page a panel appears on: the applicant's status page, or the back-office case page. */
export type PanelAudience = 'applicant' | 'staff';

/**
 * A short section another module adds to an application's page (pay the fee, book an
 * appointment, download the certificate, rate the service). Plain data, already in the reader's
 * language, so the applications module renders every panel the same way and owns no other
 * module's wording.
 */
export interface CasePanel {
  /** Stable and unique per page, e.g. `payments`; becomes the section's id. */
  readonly id: string;
  readonly heading: string;
  readonly lines: readonly string[];
  readonly links: readonly { readonly href: string; readonly text: string }[];
  /** `warning` for something the reader must still do (an unpaid fee). */
  readonly tone?: 'info' | 'warning' | 'success';
}

export interface PanelInput {
  readonly application: Application;
  readonly definition: ServiceDefinition;
  readonly case: CaseView;
  readonly viewer: Principal;
  readonly locale: Locale;
}

/** Returns null when it has nothing to say about this application. */
export type PanelSource = (input: PanelInput) => Promise<CasePanel | null>;

/** The panels other modules registered, kept in registration order (the order they appear in). */
export function createPanelRegistry() {
  const sources: Record<PanelAudience, PanelSource[]> = { applicant: [], staff: [] };
  return {
    /** Called once per module at start-up (src/modules/index.ts). */
    addPanel: (audience: PanelAudience, source: PanelSource): void => {
      sources[audience].push(source);
    },
    panelsFor: async (audience: PanelAudience, input: PanelInput): Promise<CasePanel[]> => {
      const found = await Promise.all(sources[audience].map((source) => source(input)));
      return found.filter((panel): panel is CasePanel => panel !== null);
    },
  };
}

export type PanelRegistry = ReturnType<typeof createPanelRegistry>;
