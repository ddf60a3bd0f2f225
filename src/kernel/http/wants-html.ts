import type { FastifyRequest } from 'fastify';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers HTML for people (errors as pages, not problem+json). */
    page?: boolean;
  }
}

/** Pages get HTML errors; everything else (API, GovStack, mediator) gets problem+json. */
export function wantsHtml(request: FastifyRequest): boolean {
  const config = request.routeOptions.config;
  if (config.page !== undefined) return config.page;
  const accept = request.headers.accept ?? '';
  return accept.includes('text/html') && !accept.includes('application/json');
}
