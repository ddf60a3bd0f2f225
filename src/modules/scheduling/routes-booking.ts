import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { single, TongbanError } from '../../kernel/http/index.js';
import { renderCancelledPage, renderCancelPage, renderConfirmPage, renderDayPage, renderDonePage, renderHallPage, renderTimePage, type StepError } from './pages-booking.js';
import type { PageContext } from './pages-shared.js';
import { SchedulingErrors, type BookingContext, type SchedulingService } from './service.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;
// What the query string holds: a parameter given twice is an array, so each is read through `single`.
type Step = { Params: { id: string }; Querystring: { hall?: unknown; day?: unknown; time?: unknown; changed?: unknown } };

export const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);

/** A string field of an urlencoded body (the first, if repeated). */
export function field(body: unknown, name: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[name];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' ? first : undefined;
}

const codeOf = (error: unknown): string | undefined => (error instanceof TongbanError ? error.code : undefined);

/**
 * Booking, changing and cancelling an appointment. Hall, day and time are chosen with GET forms
 * that carry the earlier choices, so the steps need no JavaScript and no server-side state; the
 * one POST books, and a place taken meanwhile brings the person back to the times with an error.
 */
export function registerBookingRoutes(app: FastifyInstance, scheduling: SchedulingService, context: Ctx): void {
  const signedIn = { config: { page: true }, preHandler: requireSignedIn };
  const booking = (request: FastifyRequest<{ Params: { id: string } }>) => scheduling.forPerson(request.params.id, principalOf(request), request.locale);
  const hallOf = async (id: string | undefined) => (id ? scheduling.hall(id) : undefined);

  const hallPage = async (request: FastifyRequest, reply: FastifyReply, ctx: BookingContext, options: { chosen?: string | undefined; error?: StepError }) =>
    html(reply, options.error ? 400 : 200, renderHallPage(context(request, reply), ctx, await scheduling.hallsFor(ctx.subject.serviceSlug), options));

  app.get<Step>('/applications/:id/appointment/hall', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    return hallPage(request, reply, ctx, { chosen: single(request.query.hall) ?? ctx.current?.hallId });
  });

  app.get<Step>('/applications/:id/appointment/day', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    const hall = await hallOf(single(request.query.hall));
    if (!hall) return hallPage(request, reply, ctx, { error: { field: 'hall', key: 'scheduling.choose.hallRequired' } });
    return html(reply, 200, renderDayPage(context(request, reply), ctx, hall, await scheduling.days(hall, ctx), { chosen: single(request.query.day) }));
  });

  const timePage = async (request: FastifyRequest<Step>, reply: FastifyReply, ctx: BookingContext, error?: StepError, status = 400) => {
    const hall = await hallOf(single(request.query.hall) ?? field(request.body, 'hall'));
    if (!hall) return hallPage(request, reply, ctx, { error: { field: 'hall', key: 'scheduling.choose.hallRequired' } });
    const day = single(request.query.day) ?? field(request.body, 'day') ?? '';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) {
      return html(reply, 400, renderDayPage(context(request, reply), ctx, hall, await scheduling.days(hall, ctx), { error: { field: 'day', key: 'scheduling.choose.dayRequired' } }));
    }
    const times = await scheduling.times(hall, ctx, day);
    return html(reply, error ? status : 200, renderTimePage(context(request, reply), ctx, hall, day, times, { chosen: single(request.query.time), error }));
  };

  app.get<Step>('/applications/:id/appointment/time', signedIn, async (request, reply) => timePage(request, reply, await booking(request)));

  app.get<Step>('/applications/:id/appointment/confirm', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    const time = single(request.query.time);
    if (!time) return timePage(request, reply, ctx, { field: 'time', key: 'scheduling.choose.timeRequired' });
    try {
      const { hall, startsAt } = await scheduling.checkChoice(ctx, { hallId: single(request.query.hall), day: single(request.query.day), time });
      return await html(reply, 200, renderConfirmPage(context(request, reply), ctx, hall, { day: single(request.query.day) ?? '', time, startsAt }));
    } catch (error) {
      if (codeOf(error) !== SchedulingErrors.TB_SCHEDULING_SLOT_INVALID && codeOf(error) !== SchedulingErrors.TB_SCHEDULING_CHOICE_REQUIRED) throw error;
      return timePage(request, reply, ctx, { field: 'time', key: 'scheduling.error.slotInvalid' });
    }
  });

  app.post<Step>('/applications/:id/appointment', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    const person = principalOf(request);
    const choice = { hallId: field(request.body, 'hall'), day: field(request.body, 'day'), time: field(request.body, 'time') };
    try {
      await scheduling.book(ctx, choice, { actor: { kind: 'person', id: person.accountId }, locale: request.locale, requestId: request.id }, ctx.current ? 'move' : 'book');
      return await reply.redirect(`/applications/${ctx.subject.applicationId}/appointment/done${ctx.current ? '?changed=1' : ''}`, 303);
    } catch (error) {
      const code = codeOf(error);
      if (code === SchedulingErrors.TB_SCHEDULING_SLOT_FULL) return timePage(request, reply, ctx, { field: 'time', key: 'scheduling.error.slotFull' }, 409);
      if (code === SchedulingErrors.TB_SCHEDULING_SLOT_INVALID || code === SchedulingErrors.TB_SCHEDULING_CHOICE_REQUIRED) return timePage(request, reply, ctx, { field: 'time', key: 'scheduling.error.slotInvalid' });
      throw error;
    }
  });

  app.get<Step>('/applications/:id/appointment/done', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    if (!ctx.current) return reply.redirect(`/applications/${ctx.subject.applicationId}`, 303);
    return html(reply, 200, renderDonePage(context(request, reply), ctx, ctx.current, request.query.changed === '1'));
  });

  app.get<Step>('/applications/:id/appointment/cancel', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    if (ctx.current?.status !== 'booked') return reply.redirect(`/applications/${ctx.subject.applicationId}`, 303);
    return html(reply, 200, renderCancelPage(context(request, reply), ctx, ctx.current));
  });

  app.post<Step>('/applications/:id/appointment/cancel', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    const person = principalOf(request);
    await scheduling.cancel(ctx, { actor: { kind: 'person', id: person.accountId }, locale: request.locale, requestId: request.id });
    return reply.redirect(`/applications/${ctx.subject.applicationId}/appointment/cancelled`, 303);
  });

  app.get<Step>('/applications/:id/appointment/cancelled', signedIn, async (request, reply) => {
    const ctx = await booking(request);
    return html(reply, 200, renderCancelledPage(context(request, reply), ctx));
  });
}
