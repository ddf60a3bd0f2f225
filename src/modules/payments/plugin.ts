import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { principalOf } from '../../kernel/auth/index.js';
import { pageContext } from '../../ui/index.js';
import type { PageContext } from './pages-shared.js';
import { registerApiRoutes } from './routes-api.js';
import { registerGovstackRoutes } from './routes-govstack.js';
import { registerPersonRoutes } from './routes-person.js';
import { registerStaffRoutes } from './routes-staff.js';
import type { PaymentsService } from './service.js';

function context(request: FastifyRequest, reply: FastifyReply): PageContext {
  return { ...pageContext(request), user: request.principal ? { name: principalOf(request).name } : undefined, csrfToken: reply.generateCsrf() };
}

/** Pay, receipts, the test provider's checkout, the counter, refunds, reconciliation, the API, webhooks, GovStack bills. */
export async function paymentsPlugin(app: FastifyInstance, services: { payments: PaymentsService }): Promise<void> {
  const { payments } = services;
  registerPersonRoutes(app, payments, context);
  registerStaffRoutes(app, payments, context);
  registerApiRoutes(app, payments);
  registerGovstackRoutes(app, payments);
  // Pending "settles a moment later" timers must not fire into a closed database.
  app.addHook('onClose', (_instance, done) => { payments.testProvider.close(); done(); });
  return Promise.resolve();
}
