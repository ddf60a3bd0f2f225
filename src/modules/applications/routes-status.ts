import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { stepHref, type PageContext } from './pages-shared.js';
import { renderListPage, renderStatusPage, renderWithdrawPage } from './pages-status.js';
import { field, readBody } from './routes-body.js';
import { ApplicationsErrors, type ApplicationsService } from './service.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;
type ById = { Params: { id: string } };

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

const BANNERS = { answered: 'answered', withdrawn: 'withdrawn' } as const;

/** "My applications", an application's status page, answering a request, withdrawing, documents. */
export function registerStatusRoutes(app: FastifyInstance, applications: ApplicationsService, context: Ctx): void {
  const signedIn = { config: { page: true }, preHandler: requireSignedIn };

  app.get<{ Querystring: { saved?: string } }>('/applications', signedIn, async (request, reply) => {
    const items = await applications.listForPerson(principalOf(request));
    return html(reply, 200, renderListPage(context(request, reply), items, { saved: request.query.saved === '1' }));
  });

  app.get<ById & { Querystring: { done?: string } }>('/applications/:id', signedIn, async (request, reply) => {
    const principal = principalOf(request);
    try {
      // A draft of one's own: carry on where it was left.
      return await reply.redirect(stepHref(request.params.id, await applications.resume(request.params.id, principal)), 303);
    } catch (error) {
      const code = error instanceof TongbanError ? error.code : undefined;
      if (code !== ApplicationsErrors.TB_APPLICATIONS_NOT_FOUND && code !== ApplicationsErrors.TB_APPLICATIONS_NOT_A_DRAFT) throw error;
    }
    const view = await applications.viewForApplicant(request.params.id, principal, request.locale);
    const done = request.query.done;
    const banner = done === 'answered' || done === 'withdrawn' ? BANNERS[done] : undefined;
    return html(reply, 200, renderStatusPage(context(request, reply), view, { banner }));
  });

  app.post<ById>('/applications/:id/answer', signedIn, async (request, reply) => {
    const principal = principalOf(request);
    const { fields } = readBody(request.body);
    const answer = field(fields, 'answer') ?? '';
    try {
      await applications.answerInfo(request.params.id, principal, field(fields, 'task') ?? '', answer, { requestId: request.id });
      return await reply.redirect(`/applications/${request.params.id}?done=answered`, 303);
    } catch (error) {
      const invalid: string[] = [ApplicationsErrors.TB_APPLICATIONS_ANSWER_REQUIRED, ApplicationsErrors.TB_APPLICATIONS_ANSWER_TOO_LONG];
      if (!(error instanceof TongbanError) || !invalid.includes(error.code)) throw error;
      const view = await applications.viewForApplicant(request.params.id, principal, request.locale);
      const problem = error.fields[0];
      const answerError = request.t(problem?.message ?? 'applications.answer.required', problem?.params);
      return html(reply, 400, renderStatusPage(context(request, reply), view, { answerError, answerTyped: answer }));
    }
  });

  app.get<ById>('/applications/:id/withdraw', signedIn, async (request, reply) => {
    const view = await applications.viewForApplicant(request.params.id, principalOf(request), request.locale);
    if (!view.case.allowedActions.applicant.includes('withdraw')) return reply.redirect(`/applications/${view.application.id}`, 303);
    return html(reply, 200, renderWithdrawPage(context(request, reply), view));
  });

  app.post<ById>('/applications/:id/withdraw', signedIn, async (request, reply) => {
    await applications.withdraw(request.params.id, principalOf(request), { requestId: request.id });
    return reply.redirect(`/applications/${request.params.id}?done=withdrawn`, 303);
  });

  app.get<{ Params: { id: string; fileId: string } }>('/applications/:id/files/:fileId', signedIn, async (request, reply) => {
    const file = await applications.file(request.params.id, request.params.fileId, principalOf(request), { requestId: request.id });
    return reply.type(file.type).header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="${file.name}"`)
      .send(Buffer.from(file.content));
  });
}
