import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireRole } from '../../kernel/auth/index.js';
import { renderCounterPage, renderHomePage } from './pages-home.js';
import { stepHref, type PageContext } from './pages-shared.js';
import { readBody } from './routes-body.js';
import { staffLinksFor } from './staff-links.js';
import type { ApplicationsService } from './service.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;

const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** The public home page, and the counter where a clerk starts an application for a person. */
export function registerHomeRoutes(app: FastifyInstance, applications: ApplicationsService, context: Ctx): void {
  app.get('/', { config: { page: true } }, async (request, reply) => {
    const browse = await applications.browse();
    const principal = request.principal;
    return html(reply, 200, renderHomePage(context(request, reply), { ...browse, signedIn: principal !== undefined, work: staffLinksFor(principal) }));
  });

  const clerk = { config: { page: true }, preHandler: requireRole('clerk') };

  app.get<{ Querystring: { saved?: string } }>('/counter', clerk, async (request, reply) => {
    const form = await applications.counterForm(principalOf(request));
    return html(reply, 200, renderCounterPage(context(request, reply), { form, errors: [], raw: {}, ctx: applications.formContext(), saved: request.query.saved === '1' }));
  });

  app.post('/counter', clerk, async (request, reply) => {
    const clerkPrincipal = principalOf(request);
    const { fields } = readBody(request.body);
    const started = await applications.startCounter(clerkPrincipal, fields, request.locale);
    if (started.ok) {
      const id = started.application.id;
      return reply.redirect(stepHref(id, await applications.resume(id, clerkPrincipal)), 303);
    }
    const form = await applications.counterForm(clerkPrincipal);
    return html(reply, 400, renderCounterPage(context(request, reply), { form, errors: started.errors, raw: started.raw, ctx: applications.formContext() }));
  });
}
