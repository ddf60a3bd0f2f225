import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireRole } from '../../kernel/auth/index.js';
import { field, single } from '../../kernel/http/index.js';
import type { PageContext } from './pages-shared.js';
import { PERSON_FIELD, renderVisitCasePage, renderVisitsPage } from './pages-visits.js';
import type { ApplicationsService } from './service.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/**
 * Visits at the counter: a clerk finds the cases of the person standing there (by ID number, in a
 * POST so it never lands in an address or a log line) and records the steps of them that are a
 * clerk's (the residence permit's `record_visit`) through the workflow.
 */
export function registerVisitRoutes(app: FastifyInstance, applications: ApplicationsService, context: Ctx): void {
  const clerk = { config: { page: true }, preHandler: requireRole('clerk') };

  app.get<{ Querystring: { recorded?: unknown; action?: unknown } }>('/counter/visits', clerk, async (request, reply) => {
    const me = principalOf(request);
    const [recordedId, action] = [single(request.query.recorded), single(request.query.action)];
    const [waiting, recorded] = await Promise.all([
      applications.waitingAtCounter(me),
      recordedId && action ? applications.recordedAtCounter(me, recordedId, action) : Promise.resolve(undefined),
    ]);
    return html(reply, 200, renderVisitsPage(context(request, reply), { waiting, recorded }));
  });

  app.post('/counter/visits', clerk, async (request, reply) => {
    const me = principalOf(request);
    const typed = field(request.body, PERSON_FIELD) ?? '';
    const [found, waiting] = await Promise.all([applications.findAtCounter(me, typed, { requestId: request.id }), applications.waitingAtCounter(me)]);
    if (!found.ok) {
      const error = request.t(found.error === 'empty' ? 'applications.visits.errorEmpty' : 'applications.visits.errorInvalid');
      return html(reply, 400, renderVisitsPage(context(request, reply), { waiting, typed, error }));
    }
    return html(reply, 200, renderVisitsPage(context(request, reply), { waiting, typed, found: found.cases }));
  });

  app.get<{ Params: { id: string } }>('/counter/visits/:id', clerk, async (request, reply) => {
    const found = await applications.caseAtCounter(principalOf(request), request.params.id);
    return html(reply, 200, renderVisitCasePage(context(request, reply), { case: found }));
  });

  app.post<{ Params: { id: string } }>('/counter/visits/:id', clerk, async (request, reply) => {
    const me = principalOf(request);
    const { id } = request.params;
    const action = field(request.body, 'action') ?? '';
    const result = await applications.recordAtCounter(me, id, action, { requestId: request.id });
    if (result.ok) return reply.redirect(`/counter/visits?recorded=${encodeURIComponent(id.toLowerCase())}&action=${encodeURIComponent(action)}`, 303);
    const status = result.refusal === 'own' ? 403 : 409;
    return html(reply, status, renderVisitCasePage(context(request, reply), { case: result.view, refusal: result.refusal }));
  });
}
