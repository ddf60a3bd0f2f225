import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { idempotentAnswer } from '../../kernel/idempotency/index.js';
import { actSchema, addNoteSchema, getCaseSchema, listNotesSchema, queueSchema } from './schemas.js';
import { caseAgencies, handlesCases, type CaseSummary, type CaseView, type Note, type PrincipalLike, type WorkflowService } from './service.js';

const summaryJson = (c: CaseSummary) => ({
  id: c.id, reference: c.reference, serviceId: c.serviceId, serviceVersion: c.serviceVersion, agency: c.agency, status: c.status,
  statusName: c.statusName, final: c.final, assignee: c.assignee, escalated: c.escalated,
  submittedAt: c.submittedAt.toISOString(), dueAt: c.dueAt.toISOString(), closedAt: c.closedAt?.toISOString() ?? null, overdue: c.overdue,
});

const noteJson = (n: Note) => ({ ...n, at: n.at.toISOString() });

/** The JSON API under /api/workflow, for officers and supervisors (a session or an API client's token). */
export function registerWorkflowRoutes(scope: FastifyInstance, workflow: WorkflowService, kernel: Pick<Kernel, 'db' | 'now' | 'config'>): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  // None on the caller's own application: the service would refuse each of them.
  const viewJson = async (view: CaseView, caller: PrincipalLike) => ({
    ...summaryJson(view), allowedActions: Object.fromEntries(Object.entries(view.allowedActions).map(([role, actions]) => [role, [...actions]])),
    availableActions: (await workflow.isOwnApplication(view.id, caller)) ? [] : workflow.availableActions(view, caller),
    history: view.history.map((h) => ({ seq: h.seq, action: h.action, actor: h.actor, from: h.from, to: h.to, reason: h.reason, at: h.at.toISOString() })),
    definition: view.definition,
  });

  /** A case the caller handles; anyone else is told it does not exist. */
  const handledCase = async (id: string, caller: PrincipalLike): Promise<CaseView> => {
    const view = await workflow.getCase(id);
    if (!handlesCases(caller, view.agency)) throw new TongbanError('TB_WORKFLOW_NOT_FOUND', { denied: 'other-agency' });
    return view;
  };

  app.get('/api/workflow/queue', { schema: queueSchema, preHandler: requireSignedIn }, async (request) => {
    const caller = principalOf(request);
    const q = request.query;
    const mine = caseAgencies(caller);
    if (mine.length === 0 || (q.agency !== undefined && !mine.includes(q.agency))) throw new TongbanError('TB_WORKFLOW_FORBIDDEN', { detail: 'You handle no cases of this agency' });
    const result = await workflow.queue({
      agency: q.agency ?? mine, role: q.role, status: q.status, state: q.state,
      assignedTo: q.assignedToMe ? caller.accountId : undefined, overdueOnly: q.overdue, sort: q.sort, page: q.page, pageSize: q.pageSize,
    });
    return { ...result, items: result.items.map(summaryJson) };
  });

  // Reads are audited for the applicant ("who used my data"); the service refuses another agency's case.
  app.get('/api/workflow/cases/:id', { schema: getCaseSchema, preHandler: requireSignedIn }, async (request) => {
    const caller = principalOf(request);
    return viewJson(await workflow.readCase(request.params.id, caller, { requestId: request.id }), caller);
  });

  // With an Idempotency-Key a retry gets the first answer instead of a refusal (the action is not
  // taken twice either way); the answer shows the case as read again (issue 9, ADR 31).
  app.post('/api/workflow/cases/:id/actions', { schema: actSchema, preHandler: requireSignedIn }, async (request, reply) => {
    const caller = principalOf(request);
    await handledCase(request.params.id, caller);
    return idempotentAnswer(kernel, request, reply,
      async (claim) => ({ id: (await workflow.act(undefined, { caseId: request.params.id, action: request.body.action, actor: caller, reason: request.body.reason, requestId: request.id, idempotency: claim })).id }),
      async (result) => ({ status: 200, body: await viewJson(await workflow.getCase(result.id), caller) }));
  });

  app.get('/api/workflow/cases/:id/notes', { schema: listNotesSchema, preHandler: requireSignedIn }, async (request) => {
    const caller = principalOf(request);
    return { notes: (await workflow.readNotes(request.params.id, caller, { requestId: request.id })).map(noteJson) };
  });

  // With an Idempotency-Key a retry adds no second note or audit record (issue 9, ADR 31).
  app.post('/api/workflow/cases/:id/notes', { schema: addNoteSchema, preHandler: requireSignedIn }, async (request, reply) => {
    const caller = principalOf(request);
    await handledCase(request.params.id, caller);
    return idempotentAnswer(kernel, request, reply,
      (claim) => workflow.addNote(request.params.id, caller, request.body.text, { requestId: request.id, idempotency: claim }),
      (note) => ({ status: 201, body: noteJson({ ...note, at: new Date(note.at) }) }));
  });
}
