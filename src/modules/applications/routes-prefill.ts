import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { inSentence, renderPrefillPage, renderReportPage, renderReportSentPage } from './pages-prefill.js';
import { stepHref, type PageContext } from './pages-shared.js';
import { field, readBody } from './routes-body.js';
import { ApplicationsErrors, type ApplicationsService, type Draft } from './service.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;
type Req = FastifyRequest<{ Params: { id: string } }>;

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** Only a page of this application may be the way back (never an address from elsewhere). */
function backOf(id: string, back: string | undefined): string | undefined {
  if (!back) return undefined;
  const ok = back === `/applications/${id}/check` || new RegExp(`^/applications/${id}/pages/[a-z0-9-]{1,80}$`).test(back);
  return ok ? back : undefined;
}

/** Why a prefill asked for was not done, by the outcome's reason (a withdrawal has its own banner). */
function notDoneMessage(reason: string): string {
  switch (reason) {
    case 'unknown_agreement': return 'applications.prefill.unavailable.unknown_agreement';
    case 'items_not_covered': return 'applications.prefill.unavailable.items_not_covered';
    case 'missing': case 'expired': return 'applications.prefill.unavailable.no_consent';
    default: return 'applications.prefill.unavailable.no_record';
  }
}

/** The prefill page before the form, and "report wrong information" (docs/adr/0019). */
export function registerPrefillRoutes(app: FastifyInstance, applications: ApplicationsService, context: Ctx): void {
  const signedIn = { config: { page: true }, preHandler: requireSignedIn };

  const open = async (request: Req, reply: FastifyReply): Promise<Draft | undefined> => {
    try {
      return await applications.openDraft(request.params.id, principalOf(request));
    } catch (error) {
      if (error instanceof TongbanError && error.code === ApplicationsErrors.TB_APPLICATIONS_NOT_A_DRAFT) {
        await reply.redirect(`/applications/${request.params.id}`, 303);
        return undefined;
      }
      throw error;
    }
  };

  app.get<{ Params: { id: string } }>('/applications/:id/prefill', signedIn, async (request, reply) => {
    const draft = await open(request, reply);
    if (!draft) return reply;
    const plan = await applications.prefillPlan(draft.application.id, principalOf(request));
    return html(reply, 200, renderPrefillPage(context(request, reply), { draft, plan, consentPage: plan.consentPage }));
  });

  app.post<{ Params: { id: string } }>('/applications/:id/prefill', signedIn, async (request, reply) => {
    const principal = principalOf(request);
    const draft = await open(request, reply);
    if (!draft) return reply;
    const { fields } = readBody(request.body);
    const choice = field(fields, 'choice');
    const id = draft.application.id;
    if (choice !== 'prefill' && choice !== 'self') {
      const plan = await applications.prefillPlan(id, principal);
      return html(reply, 400, renderPrefillPage(context(request, reply), { draft, plan, consentPage: plan.consentPage, choiceError: request.t('applications.prefill.choiceRequired') }));
    }
    const result = await applications.decidePrefill(id, principal, { choice, locale: request.locale, requestId: request.id });
    if (result.outcome === 'filled' || result.outcome === 'declined' || (choice === 'self' && result.outcome === 'refused')) {
      return reply.redirect(stepHref(id, await applications.resume(id, principal)), 303);
    }
    // Prefill was asked for and not done: say why on the same page; its button goes on to the form.
    const plan = await applications.prefillPlan(id, principal);
    const registry = inSentence(plan.registryName, request.locale);
    const outcome = result.outcome === 'refused' && result.reason === 'withdrawn'
      ? { title: request.t('applications.prefill.withdrawnTitle'), text: request.t('applications.prefill.withdrawn', { registry }) }
      : { title: request.t('applications.prefill.unavailableTitle'), text: request.t(notDoneMessage(result.reason), { registry }) };
    return html(reply, result.outcome === 'refused' ? 403 : 200, renderPrefillPage(context(request, reply), { draft, plan, consentPage: plan.consentPage, outcome }));
  });

  const reportable = (draft: Draft) => [...(draft.prefill?.fields.keys() ?? [])];

  app.get<{ Params: { id: string }; Querystring: { back?: string } }>('/applications/:id/prefill/report', signedIn, async (request, reply) => {
    const draft = await open(request, reply);
    if (!draft) return reply;
    if (!draft.prefill) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_NOT_FOUND);
    const principal = principalOf(request);
    const plan = await applications.prefillPlan(draft.application.id, principal);
    const back = backOf(draft.application.id, request.query.back) ?? stepHref(draft.application.id, await applications.resume(draft.application.id, principal));
    return html(reply, 200, renderReportPage(context(request, reply), { draft, plan, fields: reportable(draft), back }));
  });

  app.post<{ Params: { id: string } }>('/applications/:id/prefill/report', signedIn, async (request, reply) => {
    const principal = principalOf(request);
    const draft = await open(request, reply);
    if (!draft) return reply;
    const { fields } = readBody(request.body);
    const id = draft.application.id;
    const chosen = [fields.fields ?? []].flat().filter((v): v is string => typeof v === 'string');
    const description = field(fields, 'description') ?? '';
    const back = backOf(id, field(fields, 'back')) ?? stepHref(id, await applications.resume(id, principal));
    const plan = await applications.prefillPlan(id, principal);
    try {
      const { taskId } = await applications.reportWrongData(id, principal, { fields: chosen, description, requestId: request.id });
      return html(reply, 200, renderReportSentPage(context(request, reply), { plan, taskId, back }));
    } catch (error) {
      if (!(error instanceof TongbanError) || error.code !== ApplicationsErrors.TB_APPLICATIONS_REPORT_INVALID) throw error;
      const errors = error.fields.map((f) => ({ fieldId: f.pointer.slice(1), text: request.t(f.message) }));
      return html(reply, 400, renderReportPage(context(request, reply), { draft, plan, fields: reportable(draft), back, errors, chosen, description }));
    }
  });
}
