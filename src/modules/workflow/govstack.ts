import type { Locale } from '../../kernel/i18n/index.js';
import type { ServiceVersion } from '../catalog/service.js';
import type { CaseInstance } from './view.js';

/**
 * The GovStack Workflow BB API's shapes over Tongban's own (docs/adr/0062-govstack-workflow.md):
 * a process is one published version of a service's workflow, an instance is a case. Pure: no
 * database, no request.
 */

/** `<serviceId>.v<version>`: the same id as the Registration API's e-form of that version (ADR 14). */
export const processIdOf = (serviceId: string, version: number): string => `${serviceId}.v${version}`;

const PROCESS_ID = /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:\.v([1-9][0-9]{0,8}))?$/;

/** A process id, or a bare service id (every version, for the instance filter); undefined when neither. */
export function parseProcessId(id: string): { serviceId: string; version: number | undefined } | undefined {
  const m = PROCESS_ID.exec(id);
  if (!m?.[1]) return undefined;
  return { serviceId: m[1].toLowerCase(), version: m[2] === undefined ? undefined : Number(m[2]) };
}

/** The query pattern of a process id or a service id (the route schema's; the parse above is the rule). */
export const PROCESS_ID_PATTERN = PROCESS_ID.source;

export interface Property { readonly code: string; readonly value: string }

export interface GovProcess {
  readonly id: string;
  readonly processDefinition: {
    readonly name: string;
    readonly type: 'Public';
    readonly version: string;
    readonly isExecutable: boolean;
    readonly isClosed: boolean;
    readonly description: string;
    readonly processBody: Property[];
  };
}

/**
 * The workflow as code/value pairs: the spec's `ListOfProperties` holds strings only. States by
 * id with their names and whether final; each transition as the JSON of the definition's own.
 */
function processBody(version: ServiceVersion, locale: Locale): Property[] {
  const w = version.definition.workflow;
  return [
    { code: 'serviceId', value: version.id },
    { code: 'serviceSlug', value: version.slug },
    { code: 'agency', value: version.agencyCode },
    { code: 'publishedAt', value: version.publishedAt.toISOString() },
    { code: 'initialState', value: w.initial },
    { code: 'slaWorkingDays', value: String(w.sla.workingDays) },
    ...w.states.flatMap((s) => [{ code: `state.${s.id}`, value: s.name[locale] }, { code: `state.${s.id}.final`, value: String(s.final) }]),
    ...w.transitions.map((t, i) => ({ code: `transition.${i + 1}`, value: JSON.stringify({ action: t.action, from: t.from, to: t.to, by: t.by, needsReason: t.needsReason }) })),
  ];
}

/** A service version as the spec's `Process`; names in the caller's language, as the Registration API's services. */
export function toProcess(version: ServiceVersion, locale: Locale): GovProcess {
  return {
    id: processIdOf(version.id, version.version),
    processDefinition: {
      name: version.definition.name[locale],
      // As the Registration API's service: a public service's procedure.
      type: 'Public',
      version: String(version.version),
      // New cases start under the current version of a listed service only; older versions run their cases to the end.
      isExecutable: version.listed && version.version === version.currentVersion,
      // Every step a case can take is a transition declared here (a missed deadline only flags the case).
      isClosed: true,
      description: version.definition.summary[locale],
      processBody: processBody(version, locale),
    },
  };
}

/**
 * BPMN-style execution state: `running` while open (waiting on an officer or on the applicant
 * alike), `terminated` when the applicant withdrew it, `completed` once decided.
 */
export function instanceState(c: Pick<CaseInstance, 'final' | 'withdrawn'>): 'running' | 'completed' | 'terminated' {
  if (!c.final) return 'running';
  return c.withdrawn ? 'terminated' : 'completed';
}

export interface GovInstance {
  readonly id: number;
  readonly processRef: string;
  readonly initTime: string;
  readonly state: string;
  readonly lastChangeTime: string;
}

/** A case as the spec's `ProcessInstance`: its number as the integer id the spec types. */
export function toInstance(c: CaseInstance): GovInstance {
  return {
    id: c.number, processRef: processIdOf(c.serviceId, c.serviceVersion), initTime: c.submittedAt.toISOString(),
    state: instanceState(c), lastChangeTime: c.changedAt.toISOString(),
  };
}
