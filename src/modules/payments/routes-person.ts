import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { v4 as uuidv4 } from 'uuid';
import { principalOf, requireSignedIn } from '../../kernel/auth/index.js';
import { TongbanError } from '../../kernel/http/index.js';
import { renderCheckoutPage, renderPayPage, renderPendingPage, renderReceiptPage } from './pages-person.js';
import type { PageContext } from './pages-shared.js';
import { PaymentsErrors, type PaymentsService } from './service.js';
import { single } from '../../kernel/http/query.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;
const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
const field = (body: unknown, name: string): string | undefined =>
  single(typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined);

/** The person's pages: pay, come back from the provider, the receipt; and the test provider's checkout. */
export function registerPersonRoutes(app: FastifyInstance, payments: PaymentsService, context: Ctx): void {
  const signedIn = { config: { page: true }, preHandler: requireSignedIn };

  app.get<{ Params: { id: string }; Querystring: { declined?: string } }>('/payments/applications/:id', signedIn, async (request, reply) => {
    const view = await payments.forApplicant(request.params.id, principalOf(request));
    if (!view) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NO_FEE);
    // A fresh key per page: a double click repeats it; "try again" after a decline gets a new one.
    const declined = request.query.declined === '1' && view.state.state === 'due';
    return html(reply, declined ? 400 : 200, renderPayPage(context(request, reply), view, { idempotencyKey: uuidv4(), declined }));
  });

  app.post<{ Params: { id: string } }>('/payments/applications/:id/pay', signedIn, async (request, reply) => {
    try {
      const started = await payments.startOnline(request.params.id, principalOf(request), field(request.body, 'idempotency_key'));
      return await reply.redirect(started.redirectUrl, 303);
    } catch (error) {
      if (error instanceof TongbanError && error.code === PaymentsErrors.TB_PAYMENTS_ALREADY_PAID) return reply.redirect(`/payments/applications/${request.params.id}`, 303);
      if (error instanceof TongbanError && error.code === PaymentsErrors.TB_PAYMENTS_CASE_CLOSED) {
        // The page was opened before the case closed: say why nothing was paid, on the page.
        const view = await payments.forApplicant(request.params.id, principalOf(request));
        if (view) return html(reply, 409, renderPayPage(context(request, reply), view, { idempotencyKey: uuidv4(), declined: false, closed: true }));
      }
      throw error;
    }
  });

  app.get<{ Params: { id: string }; Querystring: { payment?: string } }>('/payments/applications/:id/return', signedIn, async (request, reply) => {
    const payment = await payments.afterReturn(request.params.id, request.query.payment ?? '', principalOf(request));
    if (payment.status === 'succeeded' && payment.receiptNumber) return reply.redirect(`/payments/receipts/${payment.receiptNumber}`, 303);
    if (payment.status === 'declined') return reply.redirect(`/payments/applications/${request.params.id}?declined=1`, 303);
    if (payment.status === 'pending') return html(reply, 200, renderPendingPage(context(request, reply), request.params.id, payment));
    return reply.redirect(`/payments/applications/${request.params.id}`, 303);
  });

  app.get<{ Params: { number: string } }>('/payments/receipts/:number', signedIn, async (request, reply) => {
    const receipt = await payments.receipt(request.params.number, principalOf(request), { requestId: request.id });
    return html(reply, 200, renderReceiptPage(context(request, reply), receipt));
  });

  // The test provider's pages: a provider's own site, so no Tongban sign-in is needed.
  const checkoutView = async (ref: string) => {
    const checkout = await payments.testProvider.checkout(ref);
    if (!checkout) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NOT_FOUND);
    return { ref: checkout.ref, amount: checkout.amount, description: checkout.description, open: checkout.status === 'open' };
  };

  app.get<{ Params: { ref: string } }>('/payments/test-provider/checkout/:ref', { config: { page: true } }, async (request, reply) =>
    html(reply, 200, renderCheckoutPage(context(request, reply), await checkoutView(request.params.ref))));

  app.post<{ Params: { ref: string } }>('/payments/test-provider/checkout/:ref', { config: { page: true } }, async (request, reply) => {
    const outcome = field(request.body, 'outcome');
    if (outcome !== 'success' && outcome !== 'declined' && outcome !== 'pending') {
      const view = await checkoutView(request.params.ref);
      return html(reply, 400, renderCheckoutPage(context(request, reply), view, request.t('payments.provider.outcomeRequired')));
    }
    const done = await payments.testProvider.complete(request.params.ref, outcome);
    if (!done) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NOT_FOUND);
    // The webhooks go once this response has been sent: outside any transaction, as a real provider's would.
    reply.raw.once('finish', done.send);
    return reply.redirect(done.returnUrl, 303);
  });
}
