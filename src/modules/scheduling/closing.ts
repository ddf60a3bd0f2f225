import { purposeText } from '../../kernel/audit/index.js';
import type { Actor } from '../../kernel/audit/types.js';
import type { Kernel } from '../../kernel/context.js';
import type { WorkflowService } from '../workflow/service.js';
import { shanghaiDay, shanghaiInstant } from './slots.js';
import type { AppointmentRow, Executor, SchedulingStore } from './store.js';
import './messages.js';

export interface ClosingDeps {
  readonly kernel: Pick<Kernel, 'now' | 'audit'>;
  readonly store: SchedulingStore;
}

/**
 * Cancels the application's appointment still to be attended (booked, from today on: the ones a
 * clerk could check in) and gives its place back, audited, in the caller's transaction. A
 * checked-in appointment is history; a booked one of an earlier day was missed and stays as it was.
 */
export async function cancelForClosedCase(
  { kernel, store }: ClosingDeps, tx: Executor, applicationId: string, by: { actor: Actor; cause: string },
): Promise<AppointmentRow | undefined> {
  const now = kernel.now();
  const live = await store.liveFor(tx, applicationId, true);
  if (live?.status !== 'booked' || live.starts_at < shanghaiInstant(shanghaiDay(now), '00:00')) return undefined;
  await store.release(tx, live.counter_id, live.starts_at);
  await store.setStatus(tx, live.id, 'cancelled', now);
  await kernel.audit.append(tx, {
    actor: by.actor, action: 'scheduling.appointment.cancel', subject: live.account_id,
    purpose: purposeText('scheduling.purpose.closing'), resource: { type: 'appointment', id: live.id },
    details: { reference: live.reference, application: live.application_id, hall: live.hall_id, startsAt: live.starts_at.toISOString(), cause: by.cause },
  });
  return { ...live, status: 'cancelled', cancelled_at: now, updated_at: now };
}

/**
 * When a case becomes final (withdrawn, rejected, approved) its appointment is cancelled inside the
 * transition's transaction: the slot is free again exactly when the case is closed, and no reminder
 * or check-in can follow. The workflow refuses every action on a final case, so this runs once.
 */
export function cancelAppointmentsOnClose(deps: ClosingDeps & { readonly workflow: Pick<WorkflowService, 'onTransition'> }): void {
  deps.workflow.onTransition(async (tx, event) => {
    if (!event.case.final) return;
    const { actor } = event.entry;
    const by: Actor = actor.kind === 'staff' ? { kind: 'staff', id: actor.id, organisation: event.case.agency } : { kind: actor.kind, id: actor.id };
    await cancelForClosedCase(deps, tx, event.case.id, { actor: by, cause: `workflow.${event.entry.action}` });
  });
}
