import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireRole, requireSignedIn } from '../../kernel/auth/index.js';
import { single, TongbanError } from '../../kernel/http/index.js';
import { pageContext } from '../../ui/index.js';
import { accessesCsv, accessesJson, copyJson } from './export.js';
import type { PageContext } from './pages-shared.js';
import { renderAccessesPage, renderAskPage } from './pages.js';
import { renderCopyPage } from './pages-copy.js';
import { renderQuestionsPage, renderStaffQuestionsPage } from './pages-questions.js';
import { PLATFORM_ORGANISATION, PrivacyErrors, type AccessFilters, type PrivacyService } from './service.js';

type FilterQuery = { Querystring: { from?: string; to?: string; organisation?: string; kind?: string; older?: string; saved?: string } };
type ById = { Params: { id: string } };

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf() };
}

/** A posted form field; anything else (missing, repeated) is read as empty. */
function field(body: unknown, name: string): string {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
}

/** A query parameter given once; a repeated one (an array) is read as not given, as a missing one is. */

const filtersOf = (query: FilterQuery['Querystring']): AccessFilters => ({
  from: single(query.from), to: single(query.to), organisation: single(query.organisation), kind: single(query.kind) as AccessFilters['kind'],
});

const isCode = (error: unknown, code: string) => error instanceof TongbanError && error.code === code;

/** "Who used my data", questions about a use, and the page where organisations answer them. */
export async function privacyPlugin(app: FastifyInstance, services: { privacy: PrivacyService }): Promise<void> {
  const { privacy } = services;
  const signedIn = { config: { page: true }, preHandler: requireSignedIn };
  const answerers = { config: { page: true }, preHandler: requireRole(['agency_admin', 'platform_admin']) };

  const organisationList = async (request: FastifyRequest) =>
    (await privacy.organisations()).map((o) => ({ code: o.code, name: o.name[request.locale] }));

  app.get('/my-data', signedIn, (_request, reply) => reply.redirect('/my-data/accesses', 303));

  app.get<FilterQuery>('/my-data/accesses', signedIn, async (request, reply) => {
    const person = principalOf(request);
    const filters = filtersOf(request.query);
    const [organisations, emailOnUse] = await Promise.all([organisationList(request), privacy.emailOnUse(person)]);
    const base = { filters, organisations, emailOnUse, banner: request.query.saved === '1' ? 'notice-saved' as const : undefined };
    try {
      const page = await privacy.accesses(person, filters, { older: single(request.query.older) });
      return html(reply, 200, renderAccessesPage(context(request, reply), { ...base, page, errors: [] }));
    } catch (error) {
      if (!isCode(error, PrivacyErrors.TB_PRIVACY_FILTER_INVALID)) throw error;
      const fields = (error as TongbanError).fields;
      return html(reply, 400, renderAccessesPage(context(request, reply), { ...base, page: undefined, errors: fields.length > 0 ? fields : [{ pointer: '/from', message: 'privacy.error.filterInvalid', detail: '' }] }));
    }
  });

  app.get<FilterQuery>('/my-data/accesses.csv', signedIn, async (request, reply) => {
    const accesses = await privacy.exportAccesses(principalOf(request), filtersOf(request.query));
    return reply.type('text/csv; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="who-used-my-data.csv"').send(accessesCsv(accesses, request.t, request.locale));
  });

  app.get<FilterQuery>('/my-data/accesses.json', signedIn, async (request, reply) => {
    const accesses = await privacy.exportAccesses(principalOf(request), filtersOf(request.query));
    return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', 'attachment; filename="who-used-my-data.json"').send(accessesJson(accesses, request.t, request.locale));
  });

  app.get('/my-data/copy', signedIn, async (request, reply) => html(reply, 200, renderCopyPage(context(request, reply))));

  // Each download is a fresh copy (audited); `no-store` keeps it out of shared and browser caches.
  app.get('/my-data/copy.json', signedIn, async (request, reply) => {
    const copy = await privacy.copy(principalOf(request), { locale: request.locale, requestId: request.id });
    const day = copy.generatedAt.toISOString().slice(0, 10);
    return reply.type('application/json; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="my-data-${day}.json"`).send(copyJson(copy, request.t, request.locale));
  });

  app.post('/my-data/notice', signedIn, async (request, reply) => {
    await privacy.setEmailOnUse(principalOf(request), field(request.body, 'email') === 'on', request.locale);
    return reply.redirect('/my-data/accesses?saved=1', 303);
  });

  app.get<ById>('/my-data/accesses/:id/question', signedIn, async (request, reply) => {
    const access = await privacy.access(principalOf(request), request.params.id);
    return html(reply, 200, renderAskPage(context(request, reply), access));
  });

  app.post<ById>('/my-data/accesses/:id/question', signedIn, async (request, reply) => {
    const person = principalOf(request);
    const typed = field(request.body, 'question');
    try {
      await privacy.ask(person, request.params.id, typed, { locale: request.locale, requestId: request.id });
      return await reply.redirect('/my-data/questions?asked=1', 303);
    } catch (error) {
      if (!isCode(error, PrivacyErrors.TB_PRIVACY_QUESTION_REQUIRED)) throw error;
      const access = await privacy.access(person, request.params.id);
      return html(reply, 400, renderAskPage(context(request, reply), access, { error: request.t('privacy.ask.required'), typed }));
    }
  });

  app.get<{ Querystring: { asked?: string } }>('/my-data/questions', signedIn, async (request, reply) => {
    const [questions, organisations] = await Promise.all([privacy.questions(principalOf(request)), organisationList(request)]);
    const nameOf = (code: string) => (code === PLATFORM_ORGANISATION ? request.t('privacy.who.platform') : organisations.find((o) => o.code === code)?.name ?? code);
    return html(reply, 200, renderQuestionsPage(context(request, reply), questions, nameOf, { asked: request.query.asked === '1' }));
  });

  app.get<{ Querystring: { sent?: string } }>('/admin/privacy/questions', answerers, async (request, reply) => {
    const items = await privacy.openQuestions(principalOf(request), { requestId: request.id });
    return html(reply, 200, renderStaffQuestionsPage(context(request, reply), items, { sent: request.query.sent === '1' }));
  });

  app.post<ById>('/admin/privacy/questions/:id/answer', answerers, async (request, reply) => {
    const staff = principalOf(request);
    const typed = field(request.body, 'answer');
    try {
      await privacy.answer(staff, request.params.id, typed, { requestId: request.id });
      return await reply.redirect('/admin/privacy/questions?sent=1', 303);
    } catch (error) {
      if (!isCode(error, PrivacyErrors.TB_PRIVACY_ANSWER_REQUIRED)) throw error;
      const items = await privacy.openQuestions(staff, { requestId: request.id });
      return html(reply, 400, renderStaffQuestionsPage(context(request, reply), items, { errorFor: request.params.id.toLowerCase(), error: request.t('privacy.answer.required'), typed }));
    }
  });
  return Promise.resolve();
}
