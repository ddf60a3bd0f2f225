import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { VNode } from 'preact';
import { hasRole, principalOf, requireSignedIn, type Principal } from '../../kernel/auth/index.js';
import type { Kernel } from '../../kernel/context.js';
import { TongbanError } from '../../kernel/http/index.js';
import { field } from '../../kernel/http/query.js';
import { pageContext } from '../../ui/index.js';
import type { CatalogService } from '../catalog/service.js';
import type { IdentityService } from '../identity/service.js';
import { NOTE_FIELD_ID, reasonError, reasonFieldId, renderCasePage, renderQueuePage, type CasePageData, type PageContext, type QueueFilters } from './pages.js';
import { logCalendarStatus, registerCalendarMetrics } from './calendar-metrics.js';
import { registerGovstackRoutes } from './routes-govstack.js';
import { registerWorkflowRoutes } from './routes.js';
import { actForm, casePageParams, casePageQuery, noteForm, queuePageQuery } from './schemas.js';
import { caseAgencies, handlesCases, type CaseView, type WorkflowService } from './service.js';

/**
 * Renders the application's answers and documents on the case page. The applications module
 * provides it (and writes the `application.view` audit record); null when there is nothing to show.
 */
export type ApplicationRenderer = (caseId: string, request: FastifyRequest) => Promise<VNode | null>;

export interface WorkflowPluginDeps {
  readonly workflow: WorkflowService;
  readonly catalog: Pick<CatalogService, 'getServiceVersion' | 'getAgency' | 'searchServices'>;
  readonly identity: Pick<IdentityService, 'account'>;
  readonly renderApplication?: ApplicationRenderer | undefined;
  /** The kernel's clock: countdowns agree with the deadline job. */
  readonly now: () => Date;
  /** For Idempotency-Key on the API's writes (ADR 31). */
  readonly kernel: Pick<Kernel, 'db' | 'now' | 'config' | 'audit'>;
}

type Extra = Pick<CasePageData, 'done' | 'noted' | 'stale' | 'error'>;

function context(request: FastifyRequest, reply: FastifyReply, principal: Principal): PageContext {
  return { ...pageContext(request), user: { name: principal.name }, csrfToken: reply.generateCsrf() };
}

/** A note's longest, as the service's (service.ts `NOTE_MAX`): over it the page says the note is too long. */
const NOTE_SHOWN_MAX = 2000;
const html = (reply: FastifyReply, status: number, body: string) => reply.status(status).type('text/html; charset=utf-8').send(body);

/** The back office (officers and supervisors; clerks work at the counter), the /api/workflow API and the GovStack Workflow API. */
export async function workflowPlugin(scope: FastifyInstance, deps: WorkflowPluginDeps): Promise<void> {
  const { workflow, catalog, identity } = deps;
  // The working-day calendar: imported years over the built-in ones, read once at boot; warn
  // (log, /metrics) while this year or, from December, the next is missing or provisional.
  logCalendarStatus(scope.log, await workflow.calendar.load());
  registerCalendarMetrics(scope.metrics.registry, () => workflow.calendar.status());
  registerWorkflowRoutes(scope, workflow, deps.kernel);
  // The GovStack Workflow API for agencies' systems (docs/adr/0062-govstack-workflow.md).
  registerGovstackRoutes(scope, { workflow, catalog, kernel: deps.kernel });
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();

  async function namesOf(ids: Iterable<string>): Promise<Map<string, string>> {
    const unique = [...new Set(ids)];
    const accounts = await Promise.all(unique.map((id) => identity.account(id)));
    return new Map(accounts.flatMap((a) => (a ? [[a.id, a.name] as const] : [])));
  }

  async function serviceName(serviceId: string, version: number, request: FastifyRequest): Promise<string> {
    const service = await catalog.getServiceVersion(serviceId, version);
    return service ? service.definition.name[request.locale] : serviceId;
  }

  /**
   * The application's part of the case page. A case whose application cannot be found is still
   * shown, so it can be handled; any other failure (a refused read) fails the page.
   */
  async function applicationOf(caseId: string, request: FastifyRequest): Promise<VNode | null> {
    if (!deps.renderApplication) return null;
    try {
      return await deps.renderApplication(caseId, request);
    } catch (error) {
      if (!(error instanceof TongbanError) || error.status !== 404) throw error;
      request.log.warn({ caseId, code: error.code }, 'case without a readable application');
      return null;
    }
  }

  /** Staff who handle no cases are refused; a case of another agency does not exist for them. */
  function handler(request: FastifyRequest): Principal {
    const me = principalOf(request);
    if (caseAgencies(me).length === 0) throw new TongbanError('TB_KERNEL_FORBIDDEN');
    return me;
  }

  async function handledCase(id: string, me: Principal): Promise<CaseView> {
    const view = await workflow.getCase(id);
    if (!handlesCases(me, view.agency)) throw new TongbanError('TB_WORKFLOW_NOT_FOUND', { denied: 'other-agency' });
    return view;
  }

  async function sendCase(request: FastifyRequest, reply: FastifyReply, me: Principal, view: CaseView, extra: Extra, status = 200) {
    const [notes, own] = await Promise.all([workflow.listNotes(view.id, me), workflow.isOwnApplication(view.id, me)]);
    const staff = view.history.filter((h) => h.actor.kind === 'staff').map((h) => h.actor.id);
    const [names, name, agency, application] = await Promise.all([
      namesOf([...(view.assignee ? [view.assignee] : []), ...staff, ...notes.map((n) => n.authorId)]),
      serviceName(view.serviceId, view.serviceVersion, request),
      catalog.getAgency(view.agency),
      applicationOf(view.id, request),
    ]);
    // Their own application: nothing to offer (the service refuses it too), and they are told why.
    const actions = own ? [] : workflow.availableActions(view, me).map((action) => ({ action, needsReason: workflow.needsReason(view, action) }));
    return html(reply, status, renderCasePage(context(request, reply, me), {
      view, serviceName: name, agencyName: agency ? agency.name[request.locale] : view.agency, names, me: me.accountId, now: deps.now(),
      notes, actions, application, ownApplication: own, ...extra,
    }));
  }

  app.get('/backoffice', { config: { page: true }, preHandler: requireSignedIn, schema: { querystring: queuePageQuery } }, async (request, reply) => {
    const me = handler(request);
    const agencies = caseAgencies(me);
    const q = request.query;
    const show = (q.show ?? []).filter((s) => s === 'mine' || s === 'overdue' || s === 'supervisor');
    const filters: QueueFilters = { status: q.status ?? '', show, sort: q.sort === 'submitted' ? 'submitted' : 'due' };
    const status = filters.status.startsWith('status:') ? filters.status.slice('status:'.length) : undefined;
    const state = filters.status === 'closed' ? 'closed' : filters.status === 'all' ? 'all' : 'open';
    const [result, statuses] = await Promise.all([
      workflow.queue({
        agency: agencies, role: show.includes('supervisor') ? 'supervisor' : 'officer', status, state,
        assignedTo: show.includes('mine') ? me.accountId : undefined, overdueOnly: show.includes('overdue'), sort: filters.sort, page: q.page,
      }),
      workflow.statuses(agencies),
    ]);
    const versions = [...new Map(result.items.map((c) => [`${c.serviceId}@${c.serviceVersion}`, c])).entries()];
    const serviceNames = new Map(await Promise.all(versions.map(async ([key, c]) => [key, await serviceName(c.serviceId, c.serviceVersion, request)] as const)));
    const names = await namesOf(result.items.flatMap((c) => (c.assignee ? [c.assignee] : [])));
    const pageHref = (page: number) => {
      const params = new URLSearchParams();
      if (filters.status) params.set('status', filters.status);
      for (const s of show) params.append('show', s);
      params.set('sort', filters.sort);
      params.set('page', String(page));
      return `/backoffice?${params.toString()}`;
    };
    return html(reply, 200, renderQueuePage(context(request, reply, me), {
      result, filters, statuses, agencies, serviceNames, names, me: me.accountId, now: deps.now(),
      isSupervisor: agencies.some((a) => hasRole(me, 'supervisor', a)), pageHref,
    }));
  });

  app.get('/backoffice/cases/:id', { config: { page: true }, preHandler: requireSignedIn, schema: { params: casePageParams, querystring: casePageQuery } }, async (request, reply) => {
    const me = handler(request);
    const view = await handledCase(request.params.id, me);
    // Only an action the case has seen may be named in the banner: the query string is anyone's.
    const done = view.history.some((h) => h.action === request.query.done) ? request.query.done : undefined;
    return sendCase(request, reply, me, view, { done, noted: request.query.noted === '1' });
  });

  app.post('/backoffice/cases/:id/act', { config: { page: true }, preHandler: requireSignedIn, schema: { params: casePageParams, body: actForm } }, async (request, reply) => {
    const me = handler(request);
    const { id } = request.params;
    const action = field(request.body, 'action') ?? '';
    const reason = field(request.body, 'reason');
    await handledCase(id, me);
    try {
      await workflow.act(undefined, { caseId: id, action, actor: me, reason, requestId: request.id });
    } catch (error) {
      if (!(error instanceof TongbanError)) throw error;
      if (error.code === 'TB_WORKFLOW_REASON_REQUIRED' || error.code === 'TB_WORKFLOW_REASON_TOO_LONG') {
        const text = error.code === 'TB_WORKFLOW_REASON_REQUIRED' ? reasonError(request.t, action) : request.t('workflow.error.reasonTooLong');
        const field = { field: reasonFieldId(action), text, value: reason ?? '' };
        return sendCase(request, reply, me, await workflow.getCase(id), { error: field }, 422);
      }
      if (error.code === 'TB_WORKFLOW_OWN_APPLICATION') return sendCase(request, reply, me, await workflow.getCase(id), {}, 403);
      if (error.code === 'TB_WORKFLOW_ACTION_NOT_ALLOWED') return sendCase(request, reply, me, await workflow.getCase(id), { stale: true }, 409);
      throw error;
    }
    return reply.redirect(`/backoffice/cases/${id}?done=${encodeURIComponent(action)}`, 303);
  });

  app.post('/backoffice/cases/:id/notes', { config: { page: true }, preHandler: requireSignedIn, schema: { params: casePageParams, body: noteForm } }, async (request, reply) => {
    const me = handler(request);
    const { id } = request.params;
    const view = await handledCase(id, me);
    const text = field(request.body, 'text') ?? '';
    try {
      await workflow.addNote(id, me, text, { requestId: request.id });
    } catch (error) {
      if (!(error instanceof TongbanError) || error.code !== 'TB_WORKFLOW_NOTE_REQUIRED') throw error;
      // The service refuses an empty note and one over its 2,000 characters alike; the page says which.
      const message = text.trim().length > NOTE_SHOWN_MAX ? 'workflow.error.noteTooLong' : 'workflow.error.noteRequired';
      return sendCase(request, reply, me, view, { error: { field: NOTE_FIELD_ID, text: request.t(message), value: text } }, 422);
    }
    return reply.redirect(`/backoffice/cases/${id}?noted=1`, 303);
  });
}
