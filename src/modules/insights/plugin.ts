import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { pageContext } from '../../ui/index.js';
import type { Dashboard, Scope } from './dashboard.js';
import { InsightsErrors } from './errors.js';
import { dashboardCsv, dashboardJson } from './open-data.js';
import { renderDashboardPage } from './pages-dashboard.js';
import { renderFollowUpPage, renderQueuePage } from './pages-follow-ups.js';
import { renderCounterRatingPage, renderRatingPage } from './pages-rating.js';
import type { PageContext, PageError } from './pages-shared.js';
import type { InsightsService } from './service.js';

const html = (reply: FastifyReply, status: number, body: string, cache = 'no-store') =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', cache).send(body);

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  const principal = request.principal;
  return { ...pageContext(request), ...(principal ? { user: { name: principal.name }, csrfToken: reply.generateCsrf() } : {}) };
}

const text = (body: unknown, name: string): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};

/** A field error of the service as the page's error summary item, in the request's language. */
function pageErrors(error: unknown, request: FastifyRequest, codes: readonly string[]): PageError[] | undefined {
  if (!(error instanceof TongbanError) || !codes.includes(error.code)) return undefined;
  return error.fields.map((f) => ({ fieldId: f.pointer.slice(1), text: request.t(f.message, f.params) }));
}

type ById = { Params: { id: string } };
const RATING_ERRORS = [InsightsErrors.TB_INSIGHTS_SCORE_REQUIRED, InsightsErrors.TB_INSIGHTS_COMMENT_TOO_LONG, InsightsErrors.TB_INSIGHTS_REFERENCE_UNKNOWN];
const COUNTER_REFUSALS = [InsightsErrors.TB_INSIGHTS_OTHER_AGENCY, InsightsErrors.TB_INSIGHTS_NOT_AT_COUNTER];

/** The rating pages, the counter's rating page, the follow-up queue, and the public dashboard. */
export async function insightsPlugin(app: FastifyInstance, services: { insights: InsightsService }): Promise<void> {
  const { insights } = services;
  const signedIn = { config: { page: true }, preHandler: requireSignedIn };

  app.get<ById & { Querystring: { done?: string } }>('/applications/:id/rating', signedIn, async (request, reply) => {
    const view = await insights.view(request.params.id, principalOf(request));
    const done = request.query.done;
    return html(reply, 200, renderRatingPage(context(request, reply), view, { ...(done === 'rated' || done === 'responded' ? { banner: done } : {}) }));
  });

  app.post<ById>('/applications/:id/rating', signedIn, async (request, reply) => {
    const typed = { score: text(request.body, 'score'), comment: text(request.body, 'comment') };
    try {
      await insights.rateOnline(request.params.id, principalOf(request), { ...typed, score: typed.score, requestId: request.id });
      return await reply.redirect(`/applications/${request.params.id}/rating?done=rated`, 303);
    } catch (error) {
      const errors = pageErrors(error, request, RATING_ERRORS);
      if (!errors) throw error;
      const view = await insights.view(request.params.id, principalOf(request));
      return html(reply, 400, renderRatingPage(context(request, reply), view, { errors, typed }));
    }
  });

  app.post<ById>('/applications/:id/rating/response', signedIn, async (request, reply) => {
    try {
      await insights.respond(request.params.id, principalOf(request), { resolved: text(request.body, 'resolved'), requestId: request.id });
      return await reply.redirect(`/applications/${request.params.id}/rating?done=responded`, 303);
    } catch (error) {
      const errors = pageErrors(error, request, [InsightsErrors.TB_INSIGHTS_RESPONSE_REQUIRED]);
      if (!errors) throw error;
      const view = await insights.view(request.params.id, principalOf(request));
      return html(reply, 400, renderRatingPage(context(request, reply), view, { errors }));
    }
  });

  const clerkOnly = async (request: FastifyRequest) => {
    if (!insights.isClerk(request.principal)) throw new TongbanError(InsightsErrors.TB_INSIGHTS_FORBIDDEN);
    return Promise.resolve();
  };
  app.get<{ Querystring: { done?: string } }>('/counter/ratings', { ...signedIn, preHandler: [requireSignedIn, clerkOnly] }, async (request, reply) => {
    const done = /^TB-\d{4}-[A-Z0-9]{6}$/.test(request.query.done ?? '') ? request.query.done : undefined;
    return html(reply, 200, renderCounterRatingPage(context(request, reply), { done }));
  });

  app.post('/counter/ratings', { ...signedIn, preHandler: [requireSignedIn, clerkOnly] }, async (request, reply) => {
    const typed = { reference: text(request.body, 'reference'), score: text(request.body, 'score'), comment: text(request.body, 'comment') };
    try {
      const rating = await insights.rateAtCounter(typed.reference, principalOf(request), { score: typed.score, comment: typed.comment, requestId: request.id });
      return await reply.redirect(`/counter/ratings?done=${encodeURIComponent(rating.reference ?? '')}`, 303);
    } catch (error) {
      const errors = pageErrors(error, request, RATING_ERRORS)
        ?? (error instanceof TongbanError && error.code === InsightsErrors.TB_INSIGHTS_ALREADY_RATED ? [{ fieldId: 'reference', text: request.t('insights.error.alreadyRated') }] : undefined);
      // A case the clerk may not rate: the form again, with the refusal's own status.
      const refused = pageErrors(error, request, COUNTER_REFUSALS);
      if (refused) return html(reply, (error as TongbanError).status, renderCounterRatingPage(context(request, reply), { errors: refused, typed }));
      if (!errors) throw error;
      return html(reply, 400, renderCounterRatingPage(context(request, reply), { errors, typed }));
    }
  });

  app.get<{ Querystring: { state?: string } }>('/backoffice/follow-ups', signedIn, async (request, reply) => {
    const state = request.query.state === 'answered' ? 'answered' : 'open';
    return html(reply, 200, renderQueuePage(context(request, reply), await insights.followUps(principalOf(request), state), state));
  });

  app.get<ById & { Querystring: { done?: string } }>('/backoffice/follow-ups/:id', signedIn, async (request, reply) => {
    const item = await insights.followUp(request.params.id, principalOf(request), { requestId: request.id });
    return html(reply, 200, renderFollowUpPage(context(request, reply), item, { done: request.query.done === '1' }));
  });

  app.post<ById>('/backoffice/follow-ups/:id', signedIn, async (request, reply) => {
    const typed = { answer: text(request.body, 'answer'), changes: text(request.body, 'changes') };
    try {
      await insights.answer(request.params.id, principalOf(request), { ...typed, requestId: request.id });
      return await reply.redirect(`/backoffice/follow-ups/${request.params.id}?done=1`, 303);
    } catch (error) {
      const errors = pageErrors(error, request, [InsightsErrors.TB_INSIGHTS_ANSWER_REQUIRED]);
      if (!errors) throw error;
      const item = await insights.followUp(request.params.id, principalOf(request), { requestId: request.id });
      return html(reply, 400, renderFollowUpPage(context(request, reply), item, { errors, typed }));
    }
  });

  // The public dashboard: no sign-in. Its page speaks the language of the `tongban_lang` cookie or
  // Accept-Language and shows who is signed in, so only the browser may keep it, and only for the
  // same cookies and languages (a switch of language or a sign-in fetches it again); no-store once
  // signed in. The open data is the same for everyone (names in both languages), so any cache may
  // keep it for a minute, as long as the figures are cached.
  const found = async (scope: Scope): Promise<Dashboard> => {
    const d = await insights.dashboard(scope);
    if (!d) throw new TongbanError(InsightsErrors.TB_INSIGHTS_NOT_FOUND);
    return d;
  };
  const publicPage = { config: { page: true } };
  const dataRoutes = (prefix: string, scopeOf: (params: Record<string, string>) => Scope) => {
    app.get<{ Params: Record<string, string> }>(prefix, publicPage, async (request, reply) => {
      const d = await found(scopeOf(request.params));
      reply.header('vary', 'Cookie, Accept-Language');
      return html(reply, 200, renderDashboardPage(context(request, reply), d), request.principal ? 'no-store' : 'private, max-age=60');
    });
    app.get<{ Params: Record<string, string> }>(`${prefix}/data.json`, { config: { page: false } }, async (request, reply) =>
      reply.header('cache-control', 'public, max-age=60').header('access-control-allow-origin', '*').send(dashboardJson(await found(scopeOf(request.params)))));
    app.get<{ Params: Record<string, string> }>(`${prefix}/data.csv`, { config: { page: false } }, async (request, reply) => {
      const d = await found(scopeOf(request.params));
      const name = d.scope.kind === 'national' ? 'national' : `${d.scope.kind}-${d.scope.key}`;
      return reply.type('text/csv; charset=utf-8').header('cache-control', 'public, max-age=60').header('access-control-allow-origin', '*')
        .header('content-disposition', `attachment; filename="tongban-performance-${name}.csv"`).send(dashboardCsv(d));
    });
  };
  dataRoutes('/performance', () => ({ kind: 'national' }));
  dataRoutes('/performance/agencies/:code', (p) => ({ kind: 'agency', code: p.code ?? '' }));
  dataRoutes('/performance/services/:slug', (p) => ({ kind: 'service', slug: p.slug ?? '' }));
  return Promise.resolve();
}
