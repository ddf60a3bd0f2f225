import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TongbanError } from '../../kernel/http/index.js';
import {
  actionsFor, deriveCase, initialState, isFinal, SLA_BREACH, step, SUBMIT, WORKFLOW_ROLES,
  type CaseEvent, type DerivedCase, type WorkflowDefinition, type WorkflowRole,
} from './derive.js';
import { demoWorkflow, SIMPLE_WORKFLOW } from './testing/definitions.js';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 2, 1, minute));
const officer = (id: string, role: WorkflowRole = 'officer') => ({ kind: 'staff' as const, id, role });
const applicant = { kind: 'person' as const, id: 'p1', role: 'applicant' as const };
const system = { kind: 'system' as const, id: 'sla', role: 'system' as const };
const ev = (action: string, actor: CaseEvent['actor'], minute: number, reason: string | null = null): CaseEvent => ({ action, actor, reason, at: at(minute) });
const submit = ev(SUBMIT, applicant, 0);

const WORKFLOWS: [string, WorkflowDefinition][] = [
  ['birth-registration', demoWorkflow('birth-registration')],
  ['residence-certificate', demoWorkflow('residence-certificate')],
  ['sole-trader-business-licence', demoWorkflow('sole-trader-business-licence')],
  ['simple', SIMPLE_WORKFLOW],
];

describe('deriveCase', () => {
  const wf = demoWorkflow('birth-registration');

  it('starts in the initial state with nobody assigned, and lists who may do what', () => {
    const state = deriveCase(wf, [submit]);
    expect(state).toMatchObject({ status: 'submitted', final: false, assignee: null, escalated: false, closedAt: null, submittedAt: at(0) });
    expect(state.allowedActions.officer).toEqual(['claim']);
    // A supervisor may take an officer's actions too.
    expect(state.allowedActions.supervisor).toEqual(['claim']);
    expect(state.allowedActions.applicant).toEqual(['withdraw']);
    expect(state.allowedActions.system).toEqual(['escalate', SLA_BREACH]);
    expect(state.history).toEqual([{ ...submit, seq: 1, from: null, to: 'submitted' }]);
  });

  it('follows claim, request, answer and approve, and records from and to', () => {
    const state = deriveCase(wf, [
      submit, ev('claim', officer('o1'), 1), ev('request_info', officer('o1'), 2, 'Upload the birth certificate'),
      ev('answer_info', applicant, 3), ev('approve', officer('o1'), 4),
    ]);
    expect(state).toMatchObject({ status: 'approved', final: true, assignee: 'o1', closedAt: at(4) });
    expect(state.history.map((h) => [h.seq, h.action, h.from, h.to])).toEqual([
      [1, SUBMIT, null, 'submitted'], [2, 'claim', 'submitted', 'in_review'], [3, 'request_info', 'in_review', 'info_requested'],
      [4, 'answer_info', 'info_requested', 'in_review'], [5, 'approve', 'in_review', 'approved'],
    ]);
    expect(Object.values(state.allowedActions).flat()).toEqual([]);
  });

  it.each(['birth-registration', 'building-planning-permit', 'driving-licence-renewal', 'minimum-living-allowance', 'residence-certificate', 'sole-trader-business-licence'])(
    'lets the applicant withdraw an escalated (overdue) %s case', (file) => {
      const demo = demoWorkflow(file);
      const escalated = deriveCase(demo, [submit, ev('escalate', system, 1)]);
      expect(escalated).toMatchObject({ status: 'escalated', escalated: true });
      expect(escalated.allowedActions.applicant).toEqual(['withdraw']);
      const withdrawn = step(demo, escalated, ev('withdraw', applicant, 2));
      expect(withdrawn.ok && withdrawn.state).toMatchObject({ status: 'withdrawn', final: true });
    });

  it('has the residence visit recorded by a clerk, the officer handling the case or a supervisor, not another officer', () => {
    const demo = demoWorkflow('residence-certificate');
    const waiting = deriveCase(demo, [submit, ev('claim', officer('o1'), 1), ev('request_visit', officer('o1'), 2)]);
    expect(waiting.status).toBe('awaiting_visit');
    expect(actionsFor(demo, waiting, { id: 'o1', roles: ['officer'] })).toEqual(['record_visit']);
    expect(actionsFor(demo, waiting, { id: 's1', roles: ['supervisor'] })).toEqual(['record_visit']);
    expect(actionsFor(demo, waiting, { id: 'o2', roles: ['officer'] })).toEqual([]);
    for (const who of [officer('c1', 'clerk'), officer('o1'), officer('s1', 'supervisor')]) {
      const visited = step(demo, waiting, ev('record_visit', who, 3));
      expect(visited.ok && visited.state.status).toBe('visit_done');
    }
  });

  it('keeps a claimed case its assignee\'s: another officer may not release or decide it, a supervisor may', () => {
    const claimed = deriveCase(wf, [submit, ev('claim', officer('o1'), 1)]);
    expect(step(wf, claimed, ev('release', officer('o2'), 2))).toEqual({ ok: false, refusal: 'forbidden' });
    expect(step(wf, claimed, ev('approve', officer('o2'), 2))).toEqual({ ok: false, refusal: 'forbidden' });
    const released = step(wf, claimed, ev('release', officer('s1', 'supervisor'), 2));
    expect(released.ok && released.state).toMatchObject({ status: 'submitted', assignee: null });
    expect(actionsFor(wf, claimed, { id: 'o2', roles: ['officer'] })).toEqual([]);
    expect(actionsFor(wf, claimed, { id: 'o1', roles: ['officer'] })).toEqual(['release', 'request_info', 'approve', 'reject']);
  });

  it('refuses a reject without a reason, a wrong role, and anything after a final state', () => {
    const claimed = deriveCase(wf, [submit, ev('claim', officer('o1'), 1)]);
    expect(step(wf, claimed, ev('reject', officer('o1'), 2, '  '))).toEqual({ ok: false, refusal: 'reason_required' });
    expect(step(wf, claimed, ev('approve', officer('c1', 'clerk'), 2))).toEqual({ ok: false, refusal: 'forbidden' });
    expect(step(wf, claimed, ev('escalate', officer('o1'), 2))).toEqual({ ok: false, refusal: 'forbidden' });
    expect(step(wf, claimed, ev('claim', officer('o2'), 2))).toEqual({ ok: false, refusal: 'not_allowed' });
    const rejected = step(wf, claimed, ev('reject', officer('o1'), 2, 'Not eligible'));
    expect(rejected.ok).toBe(true);
    if (rejected.ok) expect(step(wf, rejected.state, ev(SLA_BREACH, system, 3))).toEqual({ ok: false, refusal: 'not_allowed' });
  });

  it('escalates by the system, and a deadline flag leaves the status as it is', () => {
    const escalated = deriveCase(wf, [submit, ev('escalate', system, 1)]);
    expect(escalated).toMatchObject({ status: 'escalated', escalated: true });
    expect(escalated.allowedActions.supervisor).toEqual(['approve', 'reject', 'reassign']);
    const flagged = deriveCase(SIMPLE_WORKFLOW, [submit, ev('claim', officer('o1'), 1), ev(SLA_BREACH, system, 2)]);
    expect(flagged).toMatchObject({ status: 'in_review', escalated: true, assignee: 'o1' });
    expect(flagged.history.at(-1)).toMatchObject({ from: 'in_review', to: 'in_review' });
  });

  it('returns an escalated case to the pool when the supervisor reassigns it', () => {
    const state = deriveCase(wf, [submit, ev('claim', officer('o1'), 1), ev('escalate', system, 2), ev('reassign', officer('s1', 'supervisor'), 3)]);
    expect(state).toMatchObject({ status: 'submitted', assignee: null, escalated: true });
  });

  it('fails loudly on a history it could not have written', () => {
    const bad = [() => deriveCase(wf, []), () => deriveCase(wf, [ev('claim', officer('o1'), 0)]), () => deriveCase(wf, [submit, ev('approve', officer('o1'), 1)])];
    for (const derive of bad) {
      expect(derive).toThrow(TongbanError);
      expect(derive).toThrow(expect.objectContaining({ code: 'TB_WORKFLOW_CORRUPT_HISTORY' }) as Error);
    }
  });
});

/** Random events drawn from the definition's own actions plus a few it never declares. */
function eventsFor(definition: WorkflowDefinition) {
  const actions = [...new Set(definition.transitions.map((t) => t.action)), SUBMIT, SLA_BREACH, 'bogus'];
  const actor = fc.record({
    kind: fc.constantFrom('person' as const, 'staff' as const, 'system' as const),
    id: fc.constantFrom('a', 'b', 'c'),
    role: fc.constantFrom(...WORKFLOW_ROLES),
  });
  const event = fc.record({
    action: fc.constantFrom(...actions),
    actor,
    reason: fc.constantFrom(null, '', 'because'),
    at: fc.integer({ min: 0, max: 10_000 }).map(at),
  });
  return fc.array(event, { maxLength: 40 });
}

describe.each(WORKFLOWS)('deriveCase on random histories: %s', (_name, definition) => {
  const declared = new Set(definition.states.map((s) => s.id));

  it('never leaves the declared states, allows nothing once final, and re-derives the same state', () => {
    fc.assert(fc.property(eventsFor(definition), (events) => {
      const first = initialState(definition, submit);
      if (!first.ok) throw new Error('the submission must start a case');
      let state: DerivedCase = first.state;
      const accepted: CaseEvent[] = [submit];
      for (const event of events) {
        const result = step(definition, state, event);
        if (!result.ok) continue;
        state = result.state;
        accepted.push(event);
        expect(declared.has(state.status)).toBe(true);
        expect(state.final).toBe(isFinal(definition, state.status));
        expect(state.closedAt !== null).toBe(state.final);
        if (event.action === 'claim') expect(state.assignee).toBe(event.actor.id);
        if (state.final) {
          expect(Object.values(state.allowedActions).flat()).toEqual([]);
          for (const action of definition.transitions.map((t) => t.action)) {
            expect(step(definition, state, { ...event, action }).ok).toBe(false);
          }
        }
      }
      // State is a function of the accepted history alone.
      expect(deriveCase(definition, accepted)).toEqual(state);
      expect(state.history.map((h) => h.seq)).toEqual(accepted.map((_, i) => i + 1));
    }), { numRuns: 300 });
  });

  it('only ever allows an action that a matching step accepts for that role', () => {
    fc.assert(fc.property(eventsFor(definition), (events) => {
      let state = deriveCase(definition, [submit]);
      for (const event of events) {
        const result = step(definition, state, event);
        if (result.ok) state = result.state;
      }
      for (const role of WORKFLOW_ROLES) {
        for (const action of state.allowedActions[role]) {
          // Supervisors and the system are never bound to an assignee; others may be.
          const actor = { kind: 'staff' as const, id: state.assignee ?? 'anyone', role };
          expect(step(definition, state, { action, actor, reason: 'why', at: at(1) }).ok).toBe(true);
        }
      }
    }), { numRuns: 200 });
  });
});
