import type { FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { pageContext } from '../../ui/index.js';
import type { PageContext } from './pages.js';
import type { ShownError } from './pages-registry.js';
import type { FieldError } from './registry-forms.js';

/** What the mediator's administration pages share: their context, answer, and errors beside fields. */
export function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: { name: principalOf(request).name }, csrfToken: reply.generateCsrf() };
}
export const html = (reply: FastifyReply, body: string, status = 200) => reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
export const shown = (request: FastifyRequest, errors: readonly FieldError[]): ShownError[] => errors.map((e) => ({ field: e.field, text: request.t(e.key) }));

/** A refusal from the registry that belongs next to a field; anything else (forbidden, a bug) is thrown on. */
export function fieldErrorOf(error: unknown, map: Partial<Record<string, FieldError>>): FieldError {
  if (error instanceof TongbanError) {
    const field = map[error.code];
    if (field) return field;
  }
  throw error;
}
