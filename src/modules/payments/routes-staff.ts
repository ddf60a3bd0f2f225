import { purposeText } from '../../kernel/audit/index.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { v4 as uuidv4 } from 'uuid';
import { principalOf, requireRole } from '../../kernel/auth/index.js';
import { single, TongbanError } from '../../kernel/http/index.js';
import type { PageContext } from './pages-shared.js';
import { renderCounterPage, renderReconciliationPage, renderRefundPage, renderStaffPage, type FieldErrors } from './pages-staff.js';
import { reconciliationCsv } from './reconcile.js';
import { PaymentsErrors, type PaymentsService } from './service.js';
import './messages.js';

type Ctx = (request: FastifyRequest, reply: FastifyReply) => PageContext;
const html = (reply: FastifyReply, status: number, body: string) =>
  reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(body);
const field = (body: unknown, name: string): string => {
  const value = typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
  return typeof value === 'string' ? value : '';
};

/** The field a payments error points at, as the page's field name, with its message in the reader's language. */
function fieldErrors(error: unknown, t: (key: string) => string): FieldErrors | undefined {
  if (!(error instanceof TongbanError) || error.code !== PaymentsErrors.TB_PAYMENTS_INVALID_INPUT) return undefined;
  const names: Record<string, string> = { '/payerName': 'payer_name', '/method': 'method', '/reference': 'reference', '/reason': 'reason', '/day': 'day' };
  return Object.fromEntries(error.fields.map((f) => [names[f.pointer] ?? f.pointer.slice(1), t(f.message)]));
}

/** A query parameter given once; a repeated one (an array) is read as not given, as a missing one is. */

const STAFF = ['clerk', 'officer', 'supervisor', 'agency_admin'] as const;
const FINANCE = ['officer', 'supervisor', 'agency_admin'] as const;

/** The counter clerk's page, an application's payments for staff, refunds, and the daily reconciliation. */
export function registerStaffRoutes(app: FastifyInstance, payments: PaymentsService, context: Ctx): void {
  const page = (roles: readonly (typeof STAFF)[number][]) => ({ config: { page: true }, preHandler: requireRole(roles) });

  app.get<{ Querystring: { reference?: string } }>('/payments/counter', page(['clerk']), async (request, reply) => {
    const reference = (single(request.query.reference) ?? '').trim().toUpperCase();
    if (reference === '') return html(reply, 200, renderCounterPage(context(request, reply), { reference, errors: {}, idempotencyKey: uuidv4() }));
    const view = await payments.forCounter(reference, principalOf(request), { requestId: request.id }).catch((error: unknown) => {
      if (error instanceof TongbanError && error.code === PaymentsErrors.TB_PAYMENTS_NOT_FOUND) return undefined;
      throw error;
    });
    const errors = view ? {} : { reference: request.t('payments.counter.referenceUnknown') };
    return html(reply, view ? 200 : 400, renderCounterPage(context(request, reply), { reference, view, errors, idempotencyKey: uuidv4() }));
  });

  app.post('/payments/counter', page(['clerk']), async (request, reply) => {
    const clerk = principalOf(request);
    const input = { reference: field(request.body, 'reference'), method: field(request.body, 'method'), payerName: field(request.body, 'payer_name'), key: field(request.body, 'idempotency_key') };
    try {
      const { receiptNumber } = await payments.recordAtCounter(clerk, { ...input, requestId: request.id });
      return await reply.redirect(`/payments/receipts/${receiptNumber}`, 303);
    } catch (error) {
      const closed = error instanceof TongbanError && error.code === PaymentsErrors.TB_PAYMENTS_CASE_CLOSED;
      const errors = closed ? { reference: request.t('payments.counter.caseClosed') } : fieldErrors(error, request.t);
      if (!errors) throw error;
      const view = await payments.forCounter(input.reference, clerk, { requestId: request.id }).catch(() => undefined);
      return html(reply, closed ? 409 : 400, renderCounterPage(context(request, reply), { reference: input.reference, view, method: input.method, payerName: input.payerName, errors, idempotencyKey: input.key }));
    }
  });

  app.get<{ Params: { id: string }; Querystring: { refunded?: string } }>('/payments/staff/:id', page(STAFF), async (request, reply) => {
    const viewer = principalOf(request);
    const view = await payments.forStaff(request.params.id, viewer, purposeText('payments.purpose.payments'), { requestId: request.id });
    if (!view) throw new TongbanError(PaymentsErrors.TB_PAYMENTS_NO_FEE);
    return html(reply, 200, renderStaffPage(context(request, reply), view, { canRefund: payments.canRefund(viewer, view.bill.agencyCode), refunded: request.query.refunded === '1' }));
  });

  app.get<{ Params: { paymentId: string } }>('/payments/refunds/:paymentId', page(FINANCE), async (request, reply) => {
    const { payment } = await payments.paymentForStaff(request.params.paymentId, principalOf(request), { requestId: request.id });
    return html(reply, 200, renderRefundPage(context(request, reply), payment, { reason: '', idempotencyKey: uuidv4() }));
  });

  app.post<{ Params: { paymentId: string } }>('/payments/refunds/:paymentId', page(FINANCE), async (request, reply) => {
    const staff = principalOf(request);
    const reason = field(request.body, 'reason');
    const key = field(request.body, 'idempotency_key');
    try {
      await payments.refund(staff, { paymentId: request.params.paymentId, reason, key, requestId: request.id });
    } catch (error) {
      const errors = fieldErrors(error, request.t);
      if (!errors) throw error;
      const { payment } = await payments.paymentForStaff(request.params.paymentId, staff, { requestId: request.id });
      return html(reply, 400, renderRefundPage(context(request, reply), payment, { reason, error: errors.reason, idempotencyKey: key }));
    }
    const applicationId = await payments.applicationOfPayment(request.params.paymentId, staff);
    return reply.redirect(`/payments/staff/${applicationId}?refunded=1`, 303);
  });

  // Today in China by the kernel's clock (the service's), as every other time in the report.
  const today = () => payments.today();

  app.get<{ Querystring: { day?: string } }>('/payments/reconciliation', { config: { page: true }, preHandler: requireRole([...FINANCE, 'platform_admin']) }, async (request, reply) => {
    const day = (single(request.query.day) ?? today()).trim();
    try {
      const report = await payments.reconciliation(principalOf(request), day);
      return await html(reply, 200, renderReconciliationPage(context(request, reply), { day, report }));
    } catch (error) {
      const errors = fieldErrors(error, request.t);
      if (!errors) throw error;
      return html(reply, 400, renderReconciliationPage(context(request, reply), { day, error: errors.day }));
    }
  });

  app.get<{ Querystring: { day?: string } }>('/payments/reconciliation.csv', { preHandler: requireRole([...FINANCE, 'platform_admin']) }, async (request, reply) => {
    const day = (single(request.query.day) ?? today()).trim();
    const report = await payments.reconciliation(principalOf(request), day);
    return reply.type('text/csv; charset=utf-8').header('cache-control', 'no-store')
      .header('content-disposition', `attachment; filename="reconciliation-${report.day}.csv"`).send(reconciliationCsv(report));
  });
}
