import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { logDenial, single, TongbanError } from '../../kernel/http/index.js';
import { renderDeskPage, renderHallsPage, renderScreenPage, type DeskState } from './pages-desk.js';
import type { PageContext } from './pages-shared.js';
import { field, html } from './routes-booking.js';
import { SchedulingErrors, type Hall, type SchedulingService } from './service.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;
// A parameter given twice is an array: each is read through `single`.
type ByHall = { Params: { id: string }; Querystring: { issued?: unknown; early?: unknown; called?: unknown; again?: unknown; counter?: unknown; refresh?: unknown } };

/** Seconds between updates of the hall screen. */
export const SCREEN_REFRESH_SECONDS = 10;

/** The halls list, the clerks' desk (check-in, calling numbers) and the public hall screen. */
export function registerDeskRoutes(app: FastifyInstance, scheduling: SchedulingService, context: Ctx): void {
  const staffPage = { config: { page: true }, preHandler: requireSignedIn };

  const operable = async (request: FastifyRequest<ByHall>): Promise<Hall> => {
    const hall = await scheduling.requireHall(request.params.id);
    if (!scheduling.mayOperate(request.principal, hall)) throw new TongbanError('TB_KERNEL_FORBIDDEN');
    return hall;
  };
  const desk = async (request: FastifyRequest<ByHall>, reply: FastifyReply, hall: Hall, state: DeskState, status = 200) =>
    html(reply, status, renderDeskPage(context(request, reply), hall, await scheduling.ticketsToday(hall), state));

  app.get('/halls', { config: { page: true } }, async (request, reply) => {
    const halls = (await scheduling.halls()).map((hall) => ({ hall, desk: scheduling.mayOperate(request.principal, hall) }));
    return html(reply, 200, renderHallsPage(context(request, reply), halls));
  });

  app.get<ByHall>('/halls/:id/desk', staffPage, async (request, reply) => {
    const hall = await operable(request);
    const [issued, early, called, again, counter] = [request.query.issued, request.query.early, request.query.called, request.query.again, request.query.counter].map(single);
    const number = hall.counters.find((c) => c.id === counter)?.number;
    return desk(request, reply, hall, {
      counter,
      ...(issued ? { issued: { label: issued, early: early === '1' } } : {}),
      ...(called !== undefined && number !== undefined ? { called: { label: called || undefined, counter: number, already: again === '1' } } : {}),
    });
  });

  app.post<ByHall>('/halls/:id/desk/check-in', staffPage, async (request, reply) => {
    const hall = await operable(request);
    const typed = { reference: field(request.body, 'reference'), idNumber: field(request.body, 'idNumber') };
    try {
      const done = await scheduling.checkIn(principalOf(request), hall, { ...typed, requestId: request.id });
      return await reply.redirect(`/halls/${hall.id}/desk?issued=${encodeURIComponent(done.ticket.label)}${done.early ? '&early=1' : ''}`, 303);
    } catch (error) {
      const code = error instanceof TongbanError ? error.code : undefined;
      if (code === SchedulingErrors.TB_SCHEDULING_CHECK_IN_REQUIRED) return desk(request, reply, hall, { typed, error: { field: 'reference', key: 'scheduling.error.checkInRequired' } }, 400);
      if (code === SchedulingErrors.TB_SCHEDULING_CHECK_IN_NOT_FOUND) {
        // The page answers it, not the error handler: an appointment at another agency's hall is still a security event.
        if (error instanceof TongbanError && error.denied) logDenial(request, error.code, error.denied);
        return desk(request, reply, hall, { typed, error: { field: 'reference', key: 'scheduling.error.checkInNotFound' } }, 404);
      }
      throw error;
    }
  });

  app.post<ByHall>('/halls/:id/desk/call', staffPage, async (request, reply) => {
    const hall = await operable(request);
    const counter = field(request.body, 'counter');
    if (!counter || !hall.counters.some((c) => c.id === counter)) return desk(request, reply, hall, { error: { field: 'counter', key: 'scheduling.desk.counterRequired' } }, 400);
    // The form carries, per counter, the number its page showed as called there (`after-<counter>`):
    // a repeated post (double click, resend) then finishes and calls nobody and shows the current call.
    const called = await scheduling.callNext(principalOf(request), hall, counter, field(request.body, `after-${counter}`) ?? '');
    const label = encodeURIComponent(called.ticket?.label ?? '');
    return reply.redirect(`/halls/${hall.id}/desk?counter=${encodeURIComponent(counter)}&called=${label}${called.already ? '&again=1' : ''}`, 303);
  });

  // Public: no sign-in, nothing personal (ticket numbers and counters only).
  app.get<ByHall>('/halls/:id/screen', { config: { page: true } }, async (request, reply) => {
    const hall = await scheduling.requireHall(request.params.id);
    const refresh = single(request.query.refresh) !== 'off';
    // The Refresh header reloads the page like <meta http-equiv="refresh"> (HTML's "refresh"
    // pragma) without putting a timed reload in the document, and the page offers to stop it.
    if (refresh) void reply.header('refresh', String(SCREEN_REFRESH_SECONDS));
    return html(reply, 200, renderScreenPage(context(request, reply), hall, await scheduling.ticketsToday(hall), refresh));
  });
}
