import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { logSecurityEvent } from '../log.js';
import { TongbanError, type DenialReason } from './errors.js';
import { toProblem, toTongbanError } from './problem.js';
import { wantsHtml } from './wants-html.js';

/** Renders an error as a page; set by the UI layer so the kernel needs no JSX. */
export type ErrorPageRenderer = (error: TongbanError, request: FastifyRequest, reply: FastifyReply) => string | Promise<string>;

export interface ErrorHandlerOptions { renderErrorPage?: ErrorPageRenderer }

/**
 * A refusal for want of identity or rights is a security event (ASVS 16.3.2): logged at warn with
 * a fixed event name so monitoring can count and alert on it, with the route but never the body.
 * `reason` says why when the code alone does not (a 404 hiding someone else's resource).
 */
export function logDenial(request: FastifyRequest, code: string, reason?: DenialReason | 'csrf' | 'rate-limit', logged: Readonly<Record<string, string>> = {}): void {
  logSecurityEvent(request.log, 'denied', { ...logged, code, reason, method: request.method, route: request.routeOptions.url ?? request.url });
}

/** The reason a refusal is a security event, or undefined for an ordinary one (ASVS 16.3.2, 16.3.3). */
function denialOf(error: TongbanError): DenialReason | 'csrf' | 'rate-limit' | 'unauthorised' | undefined {
  if (error.denied) return error.denied;
  if (error.code === 'TB_KERNEL_CSRF') return 'csrf';
  if (error.status === 429) return 'rate-limit';
  if (error.status === 401 || error.status === 403) return 'unauthorised';
  return undefined;
}

async function send(error: TongbanError, request: FastifyRequest, reply: FastifyReply, render?: ErrorPageRenderer): Promise<FastifyReply> {
  const denial = error.status >= 500 ? undefined : denialOf(error);
  if (error.status >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, 'request failed');
  else if (denial) logDenial(request, error.code, denial === 'unauthorised' ? undefined : denial, error.logged);
  else request.log.info({ code: error.code, status: error.status }, 'request refused');
  reply.status(error.status).headers(error.headers);
  if (render && wantsHtml(request)) {
    return reply.type('text/html; charset=utf-8').send(await render(error, request, reply));
  }
  return reply.type('application/problem+json; charset=utf-8').send(toProblem(error, request));
}

/**
 * Fastify answers a malformed address (400) and an over-long path parameter (414) itself, before
 * any hook or the error handler, in its own JSON; its `frameworkErrors` option sends them here so
 * they are problem+json (APIs) or the error page (browsers) like every other error (issue 9).
 */
export function frameworkErrorHandler(render?: ErrorPageRenderer, headers: Record<string, string> = {}): (error: FastifyError, request: FastifyRequest, reply: FastifyReply) => void {
  return (error, request, reply) => {
    send(toTongbanError(error), request, reply.headers(headers), render).catch((failure: unknown) => request.log.error({ err: failure }, 'framework error answer failed'));
  };
}

export const errorHandlerPlugin = fp<ErrorHandlerOptions>(function errorHandler(app: FastifyInstance, options) {
  app.setErrorHandler((error, request, reply) => send(toTongbanError(error), request, reply, options.renderErrorPage));
  app.setNotFoundHandler((request, reply) => send(new TongbanError('TB_KERNEL_NOT_FOUND'), request, reply, options.renderErrorPage));
  return Promise.resolve();
}, { name: 'tongban-errors' });
