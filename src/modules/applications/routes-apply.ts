import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { renderCheckPage, renderConfirmationPage, renderFormPage } from './pages-apply.js';
import { stepHref, type PageContext } from './pages-shared.js';
import { field, readBody } from './routes-body.js';
import { ApplicationsErrors, DOCUMENTS_PAGE, type ApplicationsService, type Draft } from './service.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;
type Params = { id: string; pageId: string };

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/**
 * Multipart posts keep a too-large file as a truncated one instead of failing the whole request,
 * so the page comes back with its answers and a message on that field. `limits` merges with the
 * platform's limits (security.ts); it is named so the type is not a bare weak object.
 */
const LENIENT_MULTIPART = { throwFileSizeLimit: false, limits: {} };

/** Start or resume, the form pages, the documents page, check your answers, submit, confirmation. */
export function registerApplyRoutes(app: FastifyInstance, applications: ApplicationsService, context: Ctx): void {
  const page = { page: true } as const;
  const signedIn = { config: page, preHandler: requireSignedIn };

  app.get<{ Params: { slug: string } }>('/services/:slug/apply', signedIn, async (request, reply) => {
    const principal = principalOf(request);
    const draft = await applications.startOnline(request.params.slug, principal, request.locale);
    return reply.redirect(stepHref(draft.id, await applications.resume(draft.id, principal)), 303);
  });

  /** Opens the draft, or sends a submitted application's visitor to its status page. */
  const open = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply): Promise<Draft | undefined> => {
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

  const showPage = async (request: FastifyRequest<{ Params: { id: string }; Querystring: { return?: string } }>, reply: FastifyReply, pageId: string) => {
    const draft = await open(request, reply);
    if (!draft) return reply;
    const form = pageId === DOCUMENTS_PAGE ? draft.documentsForm : draft.form;
    if (!form?.pages.some((p) => p.id === pageId)) throw new TongbanError(ApplicationsErrors.TB_APPLICATIONS_NOT_FOUND);
    return html(reply, 200, renderFormPage(context(request, reply), {
      draft, pageId, errors: [], back: applications.previousStep(draft, pageId), returnToCheck: request.query.return === 'check', ctx: applications.formContext(),
    }));
  };

  const postPage = async (request: FastifyRequest<{ Params: { id: string } }>, reply: FastifyReply, pageId: string) => {
    const principal = principalOf(request);
    const draft = await open(request, reply);
    if (!draft) return reply;
    const { fields, uploads } = readBody(request.body);
    const result = await applications.savePage(draft.application.id, principal, pageId, fields, uploads);
    const id = draft.application.id;
    const later = field(fields, '_save') === 'later';
    /*
     * "Save and come back later" leaves a half-done page: blank questions are expected, so they
     * never stop the person leaving. An answer that was entered but could not be saved (a date
     * that does not exist, a refused file) does: redirecting to "Your answers have been saved"
     * would hide that it was not, and the person would find it gone when they come back. So,
     * as GOV.UK pages do with any answer they cannot accept, the page comes back with an error
     * summary of just those answers, what was typed still in the boxes to be put right, and a
     * line saying everything else was saved (the draft keeps the last valid answer of each).
     */
    if (later && result.notSaved.length === 0) {
      return reply.redirect(draft.application.channel === 'counter' ? '/counter?saved=1' : '/applications?saved=1', 303);
    }
    const returnToCheck = field(fields, '_return') === 'check';
    if (result.next) {
      const resume = returnToCheck ? await applications.resume(id, principal) : undefined;
      return reply.redirect(stepHref(id, resume?.kind === 'check' ? resume : result.next), 303);
    }
    const updated: Draft = pageId === DOCUMENTS_PAGE ? { ...draft, documents: result.answers } : { ...draft, answers: result.answers };
    const errors = later ? result.notSaved : result.errors;
    return html(reply, errors.length > 0 ? 400 : 200, renderFormPage(context(request, reply), {
      draft: updated, pageId, errors, raw: result.raw, back: applications.previousStep(updated, pageId), returnToCheck, ctx: applications.formContext(), notSaved: later,
    }));
  };

  const multipart = { ...page, multipartOptions: LENIENT_MULTIPART };
  app.get<{ Params: Params; Querystring: { return?: string } }>('/applications/:id/pages/:pageId', signedIn, (request, reply) => showPage(request, reply, request.params.pageId));
  app.post<{ Params: Params }>('/applications/:id/pages/:pageId', { config: multipart, preHandler: requireSignedIn }, (request, reply) => postPage(request, reply, request.params.pageId));
  app.get<{ Params: { id: string }; Querystring: { return?: string } }>('/applications/:id/documents', signedIn, (request, reply) => showPage(request, reply, DOCUMENTS_PAGE));
  app.post<{ Params: { id: string } }>('/applications/:id/documents', { config: multipart, preHandler: requireSignedIn }, (request, reply) => postPage(request, reply, DOCUMENTS_PAGE));

  app.get<{ Params: { id: string } }>('/applications/:id/check', signedIn, async (request, reply) => {
    if (!(await open(request, reply))) return reply;
    const review = await applications.review(request.params.id, principalOf(request), request.locale);
    return html(reply, 200, renderCheckPage(context(request, reply), review));
  });

  app.post<{ Params: { id: string } }>('/applications/:id/submit', signedIn, async (request, reply) => {
    const principal = principalOf(request);
    if (!(await open(request, reply))) return reply;
    const { fields } = readBody(request.body);
    const ticked = [fields.declaration].flat().includes('yes');
    try {
      const submitted = await applications.submit(request.params.id, principal, { declaration: ticked, locale: request.locale, requestId: request.id });
      return await reply.redirect(`/applications/${submitted.id}/confirmation`, 303);
    } catch (error) {
      if (!(error instanceof TongbanError)) throw error;
      if (error.code === ApplicationsErrors.TB_APPLICATIONS_INCOMPLETE) {
        return reply.redirect(stepHref(request.params.id, await applications.resume(request.params.id, principal)), 303);
      }
      if (error.code !== ApplicationsErrors.TB_APPLICATIONS_DECLARATION_REQUIRED) throw error;
      const review = await applications.review(request.params.id, principal, request.locale);
      return html(reply, 400, renderCheckPage(context(request, reply), { ...review, declarationError: request.t('applications.declaration.required') }));
    }
  });

  app.get<{ Params: { id: string } }>('/applications/:id/confirmation', signedIn, async (request, reply) => {
    const { application, serviceName, dueAt } = await applications.confirmation(request.params.id, principalOf(request));
    return html(reply, 200, renderConfirmationPage(context(request, reply), {
      id: application.id, reference: application.reference ?? '', serviceName: serviceName[request.locale], counter: application.channel === 'counter', dueAt,
    }));
  });
}
