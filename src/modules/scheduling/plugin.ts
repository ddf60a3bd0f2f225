import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Kernel } from '../../kernel/context.js';
import { pageContext } from '../../ui/index.js';
import type { PageContext } from './pages-shared.js';
import { registerBookingRoutes } from './routes-booking.js';
import { registerDeskRoutes } from './routes-desk.js';
import { registerGovstackRoutes } from './routes-govstack.js';
import type { SchedulingService } from './service.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: request.principal ? { name: request.principal.name } : undefined, csrfToken: reply.generateCsrf() };
}

/** Booking pages, the hall desk and screen, and the GovStack Scheduler API. */
export async function schedulingPlugin(app: FastifyInstance, deps: { kernel: Kernel; scheduling: SchedulingService }): Promise<void> {
  registerBookingRoutes(app, deps.scheduling, context);
  registerDeskRoutes(app, deps.scheduling, context);
  registerGovstackRoutes(app, deps.scheduling, deps.kernel);
  return Promise.resolve();
}
