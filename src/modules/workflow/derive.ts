import { TongbanError } from '../../kernel/http/index.js';
import type { WorkflowDefinition, WorkflowRole } from '../catalog/service.js';
import { WorkflowErrors } from './errors.js';

/**
 * A case's state is a pure function of its workflow definition and its action history
 * (STYLE 6): nothing here reads a clock, a database or a request. The case row's status and
 * assignee columns are only a projection of `deriveCase`, written in the same transaction.
 */

export type { WorkflowDefinition, WorkflowRole };

export const WORKFLOW_ROLES: readonly WorkflowRole[] = ['applicant', 'officer', 'supervisor', 'clerk', 'system'];

/** The first entry of every history: the application arrived and the case began. */
export const SUBMIT = 'submit';
/**
 * The deadline passed in a state the definition has no `escalate` transition from: the case is
 * flagged for the supervisor without moving. Only the system records it.
 */
export const SLA_BREACH = 'sla_breach';

export interface CaseActor {
  readonly kind: 'person' | 'staff' | 'system';
  readonly id: string;
  /** The role the actor acted in: `supervisor` for a supervisor doing an officer's action. */
  readonly role: WorkflowRole;
}

/** What happened, as recorded; `from` and `to` follow from it and are filled in by `deriveCase`. */
export interface CaseEvent {
  readonly action: string;
  readonly actor: CaseActor;
  readonly reason: string | null;
  readonly at: Date;
}

export interface HistoryEntry extends CaseEvent {
  /** 1 for the submission. */
  readonly seq: number;
  readonly from: string | null;
  readonly to: string;
}

export interface DerivedCase {
  readonly status: string;
  readonly final: boolean;
  /** The account id of the member of staff who claimed the case. */
  readonly assignee: string | null;
  readonly escalated: boolean;
  readonly submittedAt: Date;
  readonly closedAt: Date | null;
  /** Actions each kind of actor may take now; a supervisor may also take an officer's. */
  readonly allowedActions: Readonly<Record<WorkflowRole, readonly string[]>>;
  readonly history: readonly HistoryEntry[];
}

export type Refusal =
  /** No such action from this state (or any action after a final state). */
  | 'not_allowed'
  /** The action exists here, but not for this role, or the case is someone else's. */
  | 'forbidden'
  | 'reason_required';

export type Step = { readonly ok: true; readonly state: DerivedCase } | { readonly ok: false; readonly refusal: Refusal };

type Transition = WorkflowDefinition['transitions'][number];

/**
 * The roles that may take a transition declared for `by`. A supervisor may take an officer's. A
 * clerk's step (the counter recording an in-person visit) may also be recorded in the back office
 * by the officer handling the case or a supervisor: clerks have no back office, and a case must
 * not wait on a step nobody there can take.
 */
export function rolesFor(by: WorkflowRole): readonly WorkflowRole[] {
  if (by === 'officer') return ['officer', 'supervisor'];
  if (by === 'clerk') return ['clerk', 'officer', 'supervisor'];
  return [by];
}

export function transitionFor(definition: WorkflowDefinition, status: string, action: string): Transition | undefined {
  return definition.transitions.find((t) => t.action === action && t.from.includes(status));
}

export function isFinal(definition: WorkflowDefinition, status: string): boolean {
  return definition.states.find((s) => s.id === status)?.final ?? false;
}

function allowedIn(definition: WorkflowDefinition, status: string): Record<WorkflowRole, string[]> {
  const allowed = Object.fromEntries(WORKFLOW_ROLES.map((r) => [r, [] as string[]])) as Record<WorkflowRole, string[]>;
  if (isFinal(definition, status)) return allowed;
  for (const t of definition.transitions) {
    if (!t.from.includes(status)) continue;
    for (const role of rolesFor(t.by)) if (!allowed[role].includes(t.action)) allowed[role].push(t.action);
  }
  if (!allowed.system.includes(SLA_BREACH)) allowed.system.push(SLA_BREACH);
  return allowed;
}

function needsReason(transition: Transition | undefined, reason: string | null): boolean {
  return transition?.needsReason === true && (reason ?? '').trim() === '';
}

/** The state after the submission. */
export function initialState(definition: WorkflowDefinition, event: CaseEvent): Step {
  if (event.action !== SUBMIT) return { ok: false, refusal: 'not_allowed' };
  const entry: HistoryEntry = { ...event, seq: 1, from: null, to: definition.initial };
  return {
    ok: true,
    state: {
      status: definition.initial, final: false, assignee: null, escalated: false, submittedAt: event.at, closedAt: null,
      allowedActions: allowedIn(definition, definition.initial), history: [entry],
    },
  };
}

/**
 * One more event on top of a state, or the reason it is refused. The same rules guard `act`
 * (before writing) and `deriveCase` (when reading back), so a stored history is always one
 * `step` would accept.
 */
export function step(definition: WorkflowDefinition, state: DerivedCase, event: CaseEvent): Step {
  const { action, actor } = event;
  if (state.final || action === SUBMIT) return { ok: false, refusal: 'not_allowed' };
  const seq = state.history.length + 1;
  if (action === SLA_BREACH) {
    if (actor.role !== 'system') return { ok: false, refusal: 'forbidden' };
    const entry: HistoryEntry = { ...event, seq, from: state.status, to: state.status };
    return { ok: true, state: { ...state, escalated: true, history: [...state.history, entry] } };
  }
  const transition = transitionFor(definition, state.status, action);
  if (!transition) return { ok: false, refusal: 'not_allowed' };
  if (!rolesFor(transition.by).includes(actor.role)) return { ok: false, refusal: 'forbidden' };
  // A claimed case is its assignee's: another officer may neither release nor decide it.
  if (actor.role === 'officer' && state.assignee !== null && state.assignee !== actor.id) return { ok: false, refusal: 'forbidden' };
  if (needsReason(transition, event.reason)) return { ok: false, refusal: 'reason_required' };
  const to = transition.to;
  const final = isFinal(definition, to);
  let assignee = state.assignee;
  if (action === 'claim') assignee = actor.id;
  else if (action === 'release' || to === definition.initial) assignee = null;
  const entry: HistoryEntry = { ...event, seq, from: state.status, to };
  return {
    ok: true,
    state: {
      status: to, final, assignee,
      escalated: state.escalated || action === 'escalate',
      submittedAt: state.submittedAt,
      closedAt: final ? event.at : null,
      allowedActions: allowedIn(definition, to),
      history: [...state.history, entry],
    },
  };
}

/** A history that `step` refuses was written by something other than this module. */
const corrupt = (seq: number, refusal: Refusal) =>
  new TongbanError(WorkflowErrors.TB_WORKFLOW_CORRUPT_HISTORY, { detail: `Entry ${seq} of the case history is not a valid step (${refusal})` });

/** Folds the whole history; throws TB_WORKFLOW_CORRUPT_HISTORY on an entry that could not have been written. */
export function deriveCase(definition: WorkflowDefinition, events: readonly CaseEvent[]): DerivedCase {
  const [first, ...rest] = events;
  if (!first) throw corrupt(1, 'not_allowed');
  let result = initialState(definition, first);
  if (!result.ok) throw corrupt(1, result.refusal);
  let state = result.state;
  for (const event of rest) {
    result = step(definition, state, event);
    if (!result.ok) throw corrupt(state.history.length + 1, result.refusal);
    state = result.state;
  }
  return state;
}

/** The actions one member of staff may take now, in the roles they hold at the case's agency. */
export function actionsFor(definition: WorkflowDefinition, state: DerivedCase, actor: { id: string; roles: readonly WorkflowRole[] }): string[] {
  const actions: string[] = [];
  for (const role of actor.roles) {
    if (role === 'system' || role === 'applicant') continue;
    for (const action of state.allowedActions[role]) {
      if (actions.includes(action)) continue;
      const probe = step(definition, state, { action, actor: { kind: 'staff', id: actor.id, role }, reason: 'probe', at: state.submittedAt });
      if (probe.ok) actions.push(action);
    }
  }
  return actions;
}
