import type { LocalizedText } from '../catalog/service.js';
import { SUBMIT, WORKFLOW_ROLES, type CaseActor, type CaseEvent, type DerivedCase, type HistoryEntry, type WorkflowDefinition, type WorkflowRole } from './derive.js';
import type { ActionRow, CaseRow, NoteRow, NumberedCaseRow } from './store.js';

/** A case as the queue lists it: the row's projection, no history. */
/** An internal note on a case, by an officer or supervisor of its agency; never shown to the applicant. */
export interface Note { readonly id: string; readonly caseId: string; readonly authorId: string; readonly text: string; readonly at: Date }

export const toNote = (n: NoteRow): Note => ({ id: n.id, caseId: n.case_id, authorId: n.author_id, text: n.text, at: n.at });

export interface CaseSummary {
  readonly id: string;
  /** The application's reference (`TB-2026-7K3M9Q`) when the caller gave one to `start`. */
  readonly reference: string | null;
  readonly serviceId: string;
  readonly serviceVersion: number;
  readonly agency: string;
  readonly status: string;
  readonly statusName: LocalizedText;
  readonly final: boolean;
  readonly assignee: string | null;
  readonly escalated: boolean;
  readonly submittedAt: Date;
  readonly dueAt: Date;
  readonly closedAt: Date | null;
  /** Not final and past its deadline. */
  readonly overdue: boolean;
}

/** A case as the GovStack Workflow API shows it, a process instance (docs/adr/0062). */
export interface CaseInstance extends CaseSummary {
  /** Its integer id in that API (migration 0003). */
  readonly number: number;
  /** When its projection last changed: the last action, escalation or deadline breach. */
  readonly changedAt: Date;
  /** Final through the applicant's `withdraw` rather than a decision. */
  readonly withdrawn: boolean;
}

export function toInstance(row: NumberedCaseRow, now: Date): CaseInstance {
  const withdrawn = row.final && row.definition.transitions.some((t) => t.action === 'withdraw' && t.to === row.status);
  return { ...toSummary(row, now), number: Number(row.number), changedAt: row.updated_at, withdrawn };
}

/** A case with what can happen next and everything that happened. */
export interface CaseView extends CaseSummary {
  readonly allowedActions: Readonly<Record<WorkflowRole, readonly string[]>>;
  readonly history: readonly HistoryEntry[];
  /** The workflow the case runs under, snapshotted at its start: state names for timelines. */
  readonly definition: WorkflowDefinition;
}

export function stateName(definition: WorkflowDefinition, status: string): LocalizedText {
  return definition.states.find((s) => s.id === status)?.name ?? { 'zh-CN': status, en: status };
}

/**
 * What people see for a service's own action: the label its definition gives it. Undefined for a
 * built-in action and for a snapshot taken before labels were required (the id is shown then).
 */
export function actionName(definition: WorkflowDefinition, action: string): LocalizedText | undefined {
  return definition.transitions.find((t) => t.action === action && t.label !== undefined)?.label;
}

export function toSummary(row: CaseRow, now: Date): CaseSummary {
  return {
    id: row.id, reference: row.reference, serviceId: row.service_id, serviceVersion: row.service_version, agency: row.agency,
    status: row.status, statusName: stateName(row.definition, row.status), final: row.final, assignee: row.assignee,
    escalated: row.escalated, submittedAt: row.submitted_at, dueAt: row.due_at, closedAt: row.closed_at,
    overdue: !row.final && now.getTime() >= row.due_at.getTime(),
  };
}

export function toView(row: CaseRow, state: DerivedCase, now: Date): CaseView {
  const summary = toSummary(row, now);
  return {
    ...summary,
    status: state.status, statusName: stateName(row.definition, state.status), final: state.final, assignee: state.assignee,
    escalated: state.escalated, closedAt: state.closedAt, overdue: !state.final && now.getTime() >= row.due_at.getTime(),
    allowedActions: state.allowedActions, history: state.history, definition: row.definition,
  };
}

export function toEvent(row: ActionRow): CaseEvent {
  const actor: CaseActor = { kind: row.actor_kind, id: row.actor_id, role: row.actor_role };
  return { action: row.action, actor, reason: row.reason, at: row.at };
}

/** Whether the stored from/to agree with what the history derives: the projection is not trusted blindly. */
export function historyMatches(rows: readonly ActionRow[], derived: readonly HistoryEntry[]): boolean {
  return rows.length === derived.length && rows.every((r, i) => {
    const d = derived[i];
    return d !== undefined && d.seq === r.seq && d.from === r.from_status && d.to === r.to_status && (r.seq !== 1 || r.action === SUBMIT);
  });
}

/** Staff roles a principal holds at an agency, in the order an action tries them. */
export function workflowRolesAt(actor: { roles: readonly { agency: string; role: string }[] }, agency: string): WorkflowRole[] {
  const held = new Set(actor.roles.filter((r) => r.agency === agency).map((r) => r.role));
  return WORKFLOW_ROLES.filter((r) => r !== 'applicant' && r !== 'system' && held.has(r));
}

/** Officers and supervisors handle cases; clerks only take their own steps (a counter visit). */
export function handlesCases(actor: { roles: readonly { agency: string; role: string }[] }, agency: string): boolean {
  return actor.roles.some((r) => r.agency === agency && (r.role === 'officer' || r.role === 'supervisor'));
}

/** The agencies whose cases a principal handles. */
export function caseAgencies(actor: { roles: readonly { agency: string; role: string }[] }): string[] {
  return [...new Set(actor.roles.filter((r) => r.role === 'officer' || r.role === 'supervisor').map((r) => r.agency))].sort();
}
