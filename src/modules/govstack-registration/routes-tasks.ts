import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { TongbanError } from '../../kernel/http/index.js';
import { idempotentAnswer } from '../../kernel/idempotency/index.js';
import type { Locale } from '../../kernel/i18n/index.js';
import type { CaseView } from '../workflow/service.js';
import { callerOf, handledAgencies, isOperator, requireCaller, SCOPES, type Caller } from './caller.js';
import { eFormIdOf, statusOf } from './mapping.js';
import { handledCase, idempotencyCallerOf, paging, serviceNames, takeAction, type CaseDeps } from './routes-applications.js';
import { completeTaskSchema, getTaskSchema, listTasksSchema } from './schemas-cases.js';

/**
 * Tasks are the open cases of the caller's agencies: each waits for an operator action. A task's
 * id is its case's id (= the application's), so completing a task takes one action on the case,
 * and the workflow refuses (409) an action the case's current state does not allow.
 */
export function registerTaskRoutes(scope: FastifyInstance, deps: CaseDeps): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const { kernel, catalog, workflow } = deps;

  const operator = (caller: Caller): Caller => {
    if (!isOperator(caller)) throw new TongbanError('TB_KERNEL_FORBIDDEN', { detail: 'Tasks are for officers and the case systems of an agency' });
    return caller;
  };
  const roleOf = (kase: CaseView, actions: readonly string[]) =>
    (actions.length > 0 ? 'officer' : (Object.entries(kase.allowedActions).find(([role, list]) => role !== 'applicant' && list.length > 0)?.[0] ?? 'officer'));

  const task = async (kase: CaseView, caller: Caller, locale: Locale, nameOf: ReturnType<typeof serviceNames>) => {
    const actions = workflow.availableActions(kase, caller.principal);
    return {
      taskId: kase.id, mainTaskId: kase.id, name: kase.statusName[locale], ...(kase.assignee ? { assigneeId: kase.assignee } : {}),
      roleId: roleOf(kase, actions), created: kase.history[kase.history.length - 1]!.at.toISOString(),
      description: actions.join(' '), serviceId: kase.serviceId, serviceName: (await nameOf(kase.serviceId, kase.serviceVersion))[locale],
      fileId: kase.id, eFormId: eFormIdOf(kase.serviceId, kase.serviceVersion), status: statusOf(kase, locale),
    };
  };

  app.get('/tasks', { schema: listTasksSchema, preHandler: requireCaller(kernel, { scope: SCOPES.read, sessions: true }) }, async (request) => {
    const caller = operator(callerOf(request));
    const q = request.query;
    const nameOf = serviceNames(catalog);
    const only = q.fileId ?? q.mainTaskId;
    if (only) {
      const kase = await workflow.getCase(only).catch(() => undefined);
      return kase && !kase.final && handledAgencies(caller).includes(kase.agency) ? [await task(kase, caller, request.locale, nameOf)] : [];
    }
    const result = await workflow.queue({ agency: handledAgencies(caller), state: 'open', assignedTo: q.assigneeId, ...paging(q, 'due') });
    return Promise.all(result.items.map(async (c) => task(await workflow.getCase(c.id), caller, request.locale, nameOf)));
  });

  app.get('/tasks/:taskId', { schema: getTaskSchema, preHandler: requireCaller(kernel, { scope: SCOPES.read, sessions: true }) }, async (request) => {
    const caller = operator(callerOf(request));
    const kase = await handledCase(workflow, caller, request.params.taskId);
    const t = await task(kase, caller, request.locale, serviceNames(catalog));
    const actions = workflow.availableActions(kase, caller.principal);
    return {
      taskId: t.taskId, taskName: t.name, ...(t.assigneeId ? { assigneeId: t.assigneeId } : {}), roleId: t.roleId, created: t.created,
      description: t.description, fileId: t.fileId, serviceId: t.serviceId, serviceName: t.serviceName, eFormId: t.eFormId, status: t.status,
      formVariables: { decision: { actions, needsReason: actions.filter((a) => workflow.needsReason(kase, a)) } },
    };
  });

  // With an Idempotency-Key a retry gets the first answer and takes no second action (issue 9, ADR 31).
  app.post('/tasks/:taskId/complete', { schema: completeTaskSchema, preHandler: requireCaller(kernel, { scope: SCOPES.operate, sessions: true }) }, async (request, reply) => {
    const caller = operator(callerOf(request));
    const { taskId } = request.params;
    await handledCase(workflow, caller, taskId);
    const { action, reason } = request.body.data.decision;
    return idempotentAnswer(kernel, request, reply, async (claim) => ({ id: (await takeAction(deps, caller, taskId, action, reason, String(request.id), claim)).id }), async ({ id }) => {
      const kase = await workflow.getCase(id);
      return {
        status: 200,
        body: {
          taskId, fileId: kase.id, serviceId: kase.serviceId, status: statusOf(kase, request.locale),
          variables: { decision: { data: { decision: { action, ...(reason !== undefined ? { reason } : {}) } } } },
        },
      };
    }, { caller: idempotencyCallerOf(caller) });
  });
}
