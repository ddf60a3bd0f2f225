import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Kernel } from '../context.js';
import { TongbanError } from '../http/errors.js';
import { SESSION_COOKIE } from './cookies.js';
import { AuthErrors } from './errors.js';
import { principalOf, requireSignedIn, signedInRecently } from './guards.js';
import type { SessionStore } from './sessions.js';
import { END_OTHER_SESSIONS_PATH, END_SESSION_PATH, renderSessionsPage, sessionsPageContext, SESSIONS_PATH, type SessionsDone } from './sessions-page.js';

const pageQuery = Type.Object({
  done: Type.Optional(Type.Union([Type.Literal('one'), Type.Literal('others')])),
  count: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_000 })),
});
const csrfOnly = { _csrf: Type.Optional(Type.String({ maxLength: 200 })) };
const endOneForm = Type.Object({ ...csrfOnly, session: Type.String({ pattern: '^[0-9a-f]{16}$' }) }, { additionalProperties: false });
const endOthersForm = Type.Object(csrfOnly, { additionalProperties: false });

/**
 * `/account/sessions`: a person sees where they are signed in and signs out any or all of their
 * other sessions, having signed in again within `REAUTHENTICATION_WINDOW_MS` (guards.ts; ASVS 5.0 7.5.2).
 * Each ending is audited (`auth.session.end`, the person as actor and subject).
 */
export function registerSessionRoutes(scope: FastifyInstance, kernel: Pick<Kernel, 'db' | 'audit' | 'now'>, sessions: SessionStore): void {
  const app = scope.withTypeProvider<TypeBoxTypeProvider>();
  const page = { config: { page: true }, preHandler: requireSignedIn };

  /** This browser's session id, and whether its sign-in is recent enough to end the others. */
  const current = (request: FastifyRequest) => ({ id: request.cookies[SESSION_COOKIE] ?? '', mayEnd: signedInRecently(request, kernel.now()) });
  const ended = async (request: FastifyRequest, count: number, which: 'one' | 'others') => {
    const principal = principalOf(request);
    await kernel.audit.append(kernel.db, {
      actor: { kind: principal.kind === 'staff' ? 'staff' : 'person', id: principal.accountId }, action: 'auth.session.end',
      subject: principal.accountId, requestId: request.id, details: { which, sessions: count },
    });
  };
  const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

  app.get(SESSIONS_PATH, { ...page, schema: { querystring: pageQuery, hide: true } }, async (request, reply) => {
    const principal = principalOf(request);
    const { id, mayEnd } = current(request);
    const { done, count } = request.query;
    const shown: SessionsDone | undefined = done === 'one' ? { ended: 'one' } : done === 'others' ? { ended: 'others', count: count ?? 0 } : undefined;
    const { idleMs, absoluteMs } = sessions.timeouts;
    return html(reply, renderSessionsPage(sessionsPageContext(request, principal.name, reply.generateCsrf()), {
      sessions: await sessions.listFor(principal.accountId, id), mayEnd, done: shown,
      timeouts: { idleMinutes: Math.round(idleMs / 60_000), absoluteHours: Math.round(absoluteMs / 3_600_000) },
    }));
  });

  app.post(END_SESSION_PATH, { ...page, schema: { body: endOneForm, hide: true } }, async (request, reply) => {
    const { id, mayEnd } = current(request);
    if (!mayEnd) throw new TongbanError(AuthErrors.TB_AUTH_REAUTHENTICATION_REQUIRED);
    if (!(await sessions.endOne(principalOf(request).accountId, request.body.session, id))) throw new TongbanError(AuthErrors.TB_AUTH_SESSION_NOT_FOUND);
    await ended(request, 1, 'one');
    return reply.redirect(`${SESSIONS_PATH}?done=one`, 303);
  });

  app.post(END_OTHER_SESSIONS_PATH, { ...page, schema: { body: endOthersForm, hide: true } }, async (request, reply) => {
    const { id, mayEnd } = current(request);
    if (!mayEnd) throw new TongbanError(AuthErrors.TB_AUTH_REAUTHENTICATION_REQUIRED);
    const count = await sessions.endOthers(principalOf(request).accountId, id);
    await ended(request, count, 'others');
    return reply.redirect(`${SESSIONS_PATH}?done=others&count=${count}`, 303);
  });
}
