import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pageContext } from '../../ui/index.js';
import { INFO_PAGES } from './content.js';
import { renderInfoPage, type PageContext } from './pages.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  const principal = request.principal;
  // The header's sign-out form needs a token only when someone is signed in.
  return { ...pageContext(request), ...(principal ? { user: { name: principal.name }, csrfToken: reply.generateCsrf() } : {}) };
}

/** The information pages the footer links to: help, accessibility, privacy, contact, feedback. */
export async function helpPlugin(app: FastifyInstance): Promise<void> {
  for (const page of INFO_PAGES) {
    app.get(page.path, { config: { page: true } }, async (request, reply) => {
      const html = renderInfoPage(context(request, reply), page);
      // A signed-in page carries the person's name in the header: keep it out of shared caches.
      if (request.principal) reply.header('cache-control', 'no-store');
      return reply.type('text/html; charset=utf-8').send(html);
    });
  }
  return Promise.resolve();
}
