import type { FormDefinition } from '../../forms/index.js';
import type { Category, LifeEvent } from './taxonomy.js';

/**
 * The TypeScript shape of a service definition, mirroring docs/service-definition.schema.json.
 * Only values that passed `validateServiceDefinition` may be typed as ServiceDefinition.
 */
export interface LocalizedText {
  readonly 'zh-CN': string;
  readonly en: string;
}

export type WorkflowRole = 'applicant' | 'officer' | 'supervisor' | 'clerk' | 'system';

/** Kept exactly as the workflow module reads it (issue 3); the catalog only checks its references. */
export interface WorkflowDefinition {
  readonly sla: { readonly workingDays: number; readonly escalateTo?: WorkflowRole };
  readonly states: readonly { readonly id: string; readonly name: LocalizedText; readonly final: boolean }[];
  readonly initial: string;
  readonly transitions: readonly {
    /** claim, release, request_info, answer_info, approve, reject, withdraw, escalate, or a service's own. */
    readonly action: string;
    readonly from: readonly string[];
    readonly to: string;
    readonly by: WorkflowRole;
    readonly needsReason: boolean;
    /** What people see for the action; required for a service's own action (not in BUILT_IN_ACTIONS). */
    readonly label?: LocalizedText;
  }[];
}

/**
 * Actions the workflow module knows and labels itself (its ACTION_LABELS; a workflow test keeps the
 * two lists equal). Any other action is the service's own and its definition must label it.
 */
export const BUILT_IN_ACTIONS: readonly string[] = [
  'submit', 'claim', 'release', 'request_info', 'answer_info', 'approve', 'reject', 'withdraw', 'escalate',
  'sla_breach', 'reassign', 'request_visit', 'record_visit',
];

export type MimeType = 'application/pdf' | 'image/jpeg' | 'image/png';

export interface RequiredDocument {
  readonly id: string;
  readonly name: LocalizedText;
  readonly hint?: LocalizedText;
  readonly acceptedTypes: readonly MimeType[];
  readonly maxSizeBytes: number;
  readonly required: boolean;
}

/** When a fee is due: on submission, before the decision (default), or only once approved. */
export type FeeDue = 'before_decision' | 'after_decision';

/**
 * Amounts are in minor units (fen): 1000 is ¥10.00. A rule's cases are JSON Schemas over
 * `{ $form }` (the answers), as the form engine's conditions; the first that holds gives the amount.
 */
export type Fee =
  | { readonly type: 'none' }
  | { readonly type: 'fixed'; readonly amount: number; readonly currency: 'CNY'; readonly when?: FeeDue }
  | {
    readonly type: 'rule'; readonly currency: 'CNY'; readonly when?: FeeDue;
    readonly cases: readonly { readonly when: Readonly<Record<string, unknown>> | boolean; readonly amount: number }[];
    readonly otherwise: number;
  };

export interface CertificateSpec {
  readonly templateId: string;
  readonly title: LocalizedText;
  /** Ids of the form fields printed on the certificate. */
  readonly answers: readonly string[];
}

/**
 * Once-only prefill: which form fields are filled from which registry's data items, under which
 * data agreement (consent module) and for what purpose (shown to the person before anything is read).
 */
export interface PrefillSpec {
  /** Registry code, e.g. `population`. */
  readonly registry: string;
  /** Data agreement id, e.g. `prefill-population`: controller, legal basis, whether consent is needed. */
  readonly agreement: string;
  readonly purpose: LocalizedText;
  /** Each mapped field is a top-level form field; `item` is a top-level data item of the registry. */
  readonly fields: readonly { readonly field: string; readonly item: string }[];
}

export interface ServiceGuidance {
  readonly whoCanApply: LocalizedText;
  readonly whatYouNeed: LocalizedText;
  readonly fees: LocalizedText;
  readonly howLongItTakes: LocalizedText;
  readonly afterYouApply?: LocalizedText;
}

export interface ServiceDefinition {
  readonly formatVersion: 1;
  readonly id: string;
  readonly slug: string;
  readonly agency: string;
  readonly name: LocalizedText;
  readonly summary: LocalizedText;
  readonly category: Category;
  readonly lifeEvents: readonly LifeEvent[];
  readonly keywords: { readonly 'zh-CN': readonly string[]; readonly en: readonly string[] };
  readonly guidance: ServiceGuidance;
  readonly documents: readonly RequiredDocument[];
  /** The e-form in the src/forms definition format. */
  readonly form: FormDefinition;
  readonly workflow: WorkflowDefinition;
  readonly fee: Fee;
  readonly certificate: CertificateSpec | null;
  readonly inPerson: { readonly required: boolean; readonly description?: LocalizedText };
  /** Optional: answers fetched from a registry before the form's first page (docs/adr/0019). */
  readonly prefill?: PrefillSpec;
}

export interface AgencyContact {
  readonly phone: string;
  readonly email?: string;
  readonly website?: string;
  readonly address: LocalizedText;
  readonly hours?: LocalizedText;
}

export interface AgencyDefinition {
  readonly code: string;
  readonly name: LocalizedText;
  readonly contact: AgencyContact;
}
